/**
 * Lifecycle guarantees: Ctrl-C tears down and still writes (partial) evidence; a killed run's
 * leftovers are removed by `lab reap`; `lab up` / `lab down` keep and stop a twin.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
import { listNamespaces } from '../../infra/twin/netns.ts';
import { leftovers } from '../helpers/lab.ts';
import { ROOT } from '../helpers/paths.ts';

const cli = (args: string[], opts: { cancelSignal?: AbortSignal } = {}) =>
  execa(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: ROOT, reject: false, ...opts });

async function waitFor(cond: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('lifecycle', () => {
  test('Ctrl-C: exit 130, teardown, partial signed evidence', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'pp-int-'));
    const run = cli(['run', '--out', out]);
    // Interrupt once the twin's namespaces exist and probes are in flight.
    await waitFor(async () => (await listNamespaces()).length > 5, 30_000);
    await new Promise((r) => setTimeout(r, 1500));
    run.kill('SIGINT');
    const r = await run;
    expect(r.exitCode).toBe(130);
    expect(r.stderr).toMatch(/interrupted; cancelling commands and tearing down/);
    const [dir] = readdirSync(out);
    const meta = JSON.parse(readFileSync(path.join(out, dir!, 'run.json'), 'utf8')) as { partial: boolean };
    expect(meta.partial).toBe(true);
    // A per-run key proves consistency only; the fingerprint the run printed is what an auditor pins.
    expect((await cli(['verify', path.join(out, dir!)])).stdout).toMatch(/^NOT VERIFIED: consistent but signed by an unknown key/);
    const fp = /evidence signed by (sha256:[0-9a-f]{64})/.exec(r.stderr)?.[1];
    const verify = await cli(['verify', path.join(out, dir!), '--fingerprint', fp!]);
    expect(verify.stdout).toMatch(/^verified/);
    expect(await leftovers('pp-')).toEqual({ namespaces: [], processes: [] });
  });

  test('a killed run leaves resources that lab reap removes', async () => {
    const run = cli(['run', '--out', mkdtempSync(path.join(tmpdir(), 'pp-kill-'))]);
    await waitFor(async () => (await listNamespaces()).length > 5, 30_000);
    run.kill('SIGKILL');
    await run;
    // tsx's child may outlive the parent for a moment: kill the whole run by its record's owner.
    await waitFor(async () => readdirSync('/run/pathproof').some((f) => f.endsWith('.json')), 5000).catch(() => {});
    for (const f of readdirSync('/run/pathproof').filter((n) => n.endsWith('.json'))) {
      const owner = (JSON.parse(readFileSync(path.join('/run/pathproof', f), 'utf8')) as { owner: number }).owner;
      try { process.kill(owner, 'SIGKILL'); } catch { /* gone */ }
    }
    await new Promise((r) => setTimeout(r, 300));
    expect((await listNamespaces()).length).toBeGreaterThan(0);
    const reap = await cli(['lab', 'reap']);
    expect(reap.stdout).toMatch(/reaped:/);
    expect(await leftovers('pp-')).toEqual({ namespaces: [], processes: [] });
  });

  test('lab up keeps a twin that npm test reuses; lab down removes it', async () => {
    const up = await cli(['lab', 'up']);
    expect(up.stdout, up.stderr).toMatch(/lab up: endpoint http:\/\/127\.0\.0\.1:\d+/);
    const out = mkdtempSync(path.join(tmpdir(), 'pp-warm-'));
    const r = await cli(['run', '--out', out, '--suite', 'positive']);
    expect(r.stderr).toMatch(/running lab pp-/);
    expect(r.exitCode).toBe(0);
    const down = await cli(['lab', 'down']);
    expect(down.stdout).toMatch(/lab down: run pp-.* torn down/);
    expect(existsSync(path.join(ROOT, '.pathproof', 'lab.json'))).toBe(false);
    expect(await leftovers('pp-')).toEqual({ namespaces: [], processes: [] });
  });
});
