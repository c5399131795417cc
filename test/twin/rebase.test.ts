/**
 * Environments without hand-copied addresses: the reference re-based onto other ranges (NZ
 * 10.0.0.0/16 → 172.20.0.0/16, Sydney 10.1.0.0/16 → 172.21.0.0/16) by changing one file, the
 * topology, in a copy of this checkout. `npm test` there discovers every zone range, service host
 * and endpoint range from the emulator's tags, every check passes on the new addresses, and the
 * baseline (taken on the old ones) sees no change.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, test } from 'vitest';
import { ROOT } from '../helpers/paths.ts';
import { ownLeftovers } from '../helpers/lab.ts';

const copy = mkdtempSync(path.join(tmpdir(), 'pp-rebase-'));
afterAll(() => rmSync(copy, { recursive: true, force: true }));

describe('re-basing the reference changes one file', () => {
  test('every check that uses an address passes on 172.20.0.0/16 and 172.21.0.0/16 with only fixtures/topologies/reference.yaml changed', async () => {
    for (const entry of ['src', 'infra', 'probes', 'suites', 'fixtures', 'reporters', 'schemas', 'package.json', 'tsconfig.json', 'vitest.config.ts']) {
      cpSync(path.join(ROOT, entry), path.join(copy, entry), { recursive: true });
    }
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'));
    const file = path.join(copy, 'fixtures/topologies/reference.yaml');
    const before = readFileSync(file, 'utf8');
    const after = before.replaceAll('10.0.', '172.20.').replaceAll('10.1.', '172.21.');
    expect(after).not.toMatch(/\b10\.[01]\./);
    writeFileSync(file, after);

    const out = path.join(copy, 'reports');
    // Every suite that uses a discovered value: service hosts (positive, negative with its generated
    // zone pairs, lateral movement, agent sandbox), zone and endpoint ranges (config, and the SDK
    // calls' \`within\`). The DNS and exfiltration suites, which name no private address but the
    // endpoint ranges the SDK and config checks already cover, stay with the main run.
    const suites = ['positive', 'negative', 'lateral-movement', 'agent-sandbox', 'config', 'sdk'].flatMap((s) => ['--suite', s]);
    const r = await execa('npm', ['test', '--', '--out', out, ...suites], { cwd: copy, reject: false, all: true });
    const text = r.all ?? '';
    expect(r.exitCode, text.slice(-3000)).toBe(0);
    expect(text).toMatch(/pathproof: discovered zone ranges: 6, service hosts: 7, endpoint ranges: 1/);
    expect(text).toMatch(/zones\.inference\.cidr=172\.20\.2\.0\/24 .*services\.front-door\.host=172\.20\.1\.200 .*bedrock\.endpointCidrs=172\.21\.1\.0\/24/);

    const runId = readdirSync(out).find((d) => d.startsWith('pp-'))!;
    const report = {
      ...JSON.parse(readFileSync(path.join(out, runId, 'result.json'), 'utf8')) as { verdicts: { status: string; checkId: string; target: { privateIp?: string } }[]; drift?: { baseline: boolean; changes: string[] } },
      ...JSON.parse(readFileSync(path.join(out, runId, 'run.json'), 'utf8')) as { discovered?: { path: string[]; value: unknown; source: string }[] },
    };
    const notPass = report.verdicts.filter((v) => v.status !== 'PASS').map((v) => `${v.checkId} ${v.status}`);
    expect(notPass).toEqual([]);
    expect(report.verdicts.length).toBeGreaterThan(200);
    // The probes ran from the new addresses, and the evidence says where each value came from.
    expect(report.verdicts.find((v) => v.checkId === 'net001-app-to-model-proxy')?.target.privateIp).toBe('172.20.1.10');
    expect(report.discovered?.find((d) => d.path.join('.') === 'services.model-proxy.host')).toMatchObject({ value: '172.20.2.20', source: expect.stringMatching(/tagged pathproof:service=model-proxy/) });
    // The baseline was taken on 10.0.0.0/16: a network that only moved is no drift.
    expect(report.drift).toEqual({ baseline: true, changes: [] });
    expect(await ownLeftovers([runId])).toEqual({ namespaces: [], processes: [] });
  });
});
