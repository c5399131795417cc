import { describe, expect, test } from 'vitest';
import { localConfig } from '../helpers/reference.ts';
import { PathproofError } from '../../src/model/errors.ts';
import { loadConfig } from '../../src/load/config.ts';
import type { Invocation } from '../../src/model/result.ts';
import { assertOneVerdictEach, execute } from '../../src/run/execute.ts';

import { buildReport } from '../../src/report/build.ts';
import { coverage } from '../../src/report/coverage.ts';
import { junit } from '../../reporters/junit.ts';
import { sarif } from '../../reporters/sarif.ts';
import { html } from '../../reporters/html.ts';
import { ROOT } from '../helpers/paths.ts';
import { type CommandPort, type TargetResolver } from '../../src/model/ports.ts';
import { type Target } from '../../src/model/plan.ts';
import { isProbeCheck } from '../../src/model/check.ts';

const config = localConfig({ marker: 'pp-test' });
// Deny checks by TCP from one zone: more than one batch's worth, no canary or flow-log confirmation.
const checks = config.checks.filter(isProbeCheck).filter((c) => c.from === 'application' && c.probe === 'tcp-connect' && c.expect.result === 'blocked' && !c.expect.logged && !c.expect.confirm);
const hosts = ['i-0app000000000001', 'i-0app000000000002'];
const resolver: TargetResolver = { resolve: async (zone) => hosts.map((id): Target => ({ instanceId: id, zone, account: 'nz', accountId: '123456789012', region: 'ap-southeast-6', vpc: 'vpc-1', privateIp: '10.0.1.10' })) };

/** Answers every probe of a script as its batch would: control connected, every check blocked by a time-out. */
function answer(script: string, instanceId: string, commandId: string): Invocation {
  const batch = /pathproof-begin":"%s","n":%d}\\n' '([^']+)'/.exec(script)![1]!;
  const lines = [...script.matchAll(/^\(.*?pp_run (\d+) \d+ [a-z-]+.*\) &$/gm)].map((m) => `{"i":${m[1]},"rc":0,"o":{"r":"${m[1] === '0' ? 'connected' : 'timeout'}","attempts":1,"successes":${m[1] === '0' ? 1 : 0}}}`);
  const stdout = [`{"pathproof-begin":"${batch}","n":${lines.length}}`, ...lines, `{"pathproof-end":"${batch}","n":${lines.length}}`].join('\n');
  return { instanceId, commandId, status: 'Success', statusDetails: 'Success', responseCode: 0, stdout, stderr: '', requestedAt: '', finishedAt: '', durationMs: 1 };
}

describe('a faulted batch', () => {
  test('ERRORs only its own checks; each check × target has exactly one verdict; the run is partial in every format', async () => {
    let n = 0;
    const port: CommandPort = {
      async run(_a, _r, req) {
        n += 1;
        // The second batch of the zone cannot be delivered (throttled to exhaustion).
        if (/\.2$/.test(req.comment)) throw new PathproofError('SSM_THROTTLED', 'ThrottlingException after 8 attempts');
        return req.instanceIds.map((id) => answer(req.script, id, `cmd-${n}`));
      },
    };
    const result = await execute(config, checks, { runId: 'pp-test', resolver, port, today: '2026-11-24' });
    expect(result.plan.batches.map((b) => b.id)).toEqual(['application.1', 'application.2']);
    const inBatch = (id: string) => new Set(result.plan.batches.find((b) => b.id === id)!.probes.map((p) => p.key));
    const good = inBatch('application.1');
    const bad = inBatch('application.2');
    expect(result.verdicts).toHaveLength(checks.length * hosts.length);
    expect(() => assertOneVerdictEach(result.verdicts)).not.toThrow();
    for (const v of result.verdicts) {
      if (good.has(v.checkId)) expect(v.status, v.sentence).toBe('PASS');
      if (bad.has(v.checkId)) expect(v.sentence).toMatch(/SSM_THROTTLED/);
    }
    expect(result.couldNotLook).toEqual(hosts.map((h) => `application.2 on ${h}: SSM_THROTTLED`));
    const report = buildReport(config, result, { partial: false, callers: {}, coverage: coverage(config.catalog, Object.keys(config.env.zones), checks) });
    expect(report.partial).toBe(true);
    expect(junit(report)).toContain('(partial)');
    expect(sarif(report, { mode: 'failures' })).toMatch(/Partial run/);
    expect(html(report)).toContain('id="partial"');
  });

  test('the invariant is enforced: two verdicts for one check × target is a harness error', () => {
    const t = { instanceId: 'i-1' } as Target;
    expect(() => assertOneVerdictEach([{ checkId: 'a', target: t }, { checkId: 'a', target: t }])).toThrow(/two verdicts for a @ i-1/);
  });
});
