import { loadConfig } from '../../src/load/config.ts';
import { localConfig } from './reference.ts';
import type { Report } from '../../src/model/report.ts';
import type { ProbeObservation, TargetObservation, Verdict } from '../../src/model/result.ts';

import { buildReport } from '../../src/report/build.ts';
import { coverage } from '../../src/report/coverage.ts';
import { ROOT } from './paths.ts';
import { type RunResult } from '../../src/model/result.ts';

export const config = localConfig({ marker: 'pp-test' });

const probe = (raw: string, outcome: string, cls: ProbeObservation['class'], index: number): ProbeObservation => ({ index, key: 'k', probe: 'tcp-connect', outcome, class: cls, data: { ms: 12 }, rc: 0, raw: `{"i":${index},"rc":0,"o":${raw}}` });

/** One verdict of each kind, on real checks of the shipped suites, with hostile bytes in the evidence. */
export function sampleResult(): RunResult {
  const pick = (id: string) => config.checks.find((c) => c.id === id)!;
  const target = (zone: string, n: number) => ({ instanceId: `i-0${zone.slice(0, 3)}00000000000${n}`, zone, account: 'nz', accountId: '123456789012', region: 'ap-southeast-6', vpc: 'vpc-0abc', subnet: 'subnet-0abc', privateIp: `10.0.${n}.10` });
  let index = 0;
  const v = (id: string, status: Verdict['status'], sentence: string, raw: string, n = 1): Verdict => {
    const c = pick(id);
    index += 1;
    const base = { checkId: c.id, suite: c.suite, title: c.title, category: c.category, policies: c.policies, from: c.from, to: c.to, target: target(c.from, n), sentence, source: c.source,
      evidence: { instanceId: target(c.from, n).instanceId, commandId: 'cmd-0001', invocationStatus: 'Success', statusDetails: 'Success', responseCode: 0, truncated: false, probe: probe(raw, status === 'PASS' ? 'connected' : 'timeout', 'success', index) } };
    if (status === 'WAIVED') return { ...base, status, underlying: 'FAIL', waiver: { justification: 'Proxy migration <in progress> & tracked', expires: '2027-01-31', approvedBy: 'secops' } };
    if (status === 'ERROR') return { ...base, status, fault: { code: 'PROBE_ERROR', message: sentence } };
    if (status === 'INCONCLUSIVE') return { ...base, status };
    return { ...base, status };
  };
  const verdicts = [
    v('net001-app-to-model-proxy', 'PASS', 'application host → TCP 10.0.2.20:443 succeeded', '{"r":"connected"}'),
    v('net010-app-to-bedrock-runtime-endpoint', 'FAIL', 'application host → TCP bedrock-runtime:443 got through (connected, 2/2 attempts succeeded), but NET-010 denies it.', '{"r":"connected","detail":"bell\u0007 esc\u001b[31m nul\u0000 <tag> & \\"q\\""}'),
    v('sandbox-no-imds', 'ERROR', 'Could not look: the imds probe did not run properly (tool-missing, tool curl)', '{"r":"tool-missing","tool":"curl"}'),
    v('lateral-data-to-secrets', 'INCONCLUSIVE', 'looked blocked, but the control probe failed', '{"r":"timeout"}'),
    v('exfil-inference-http-sink', 'WAIVED', 'Waived until 2027-01-31', '{"r":"delivered"}'),
    v('net010-app-to-bedrock-runtime-endpoint', 'FAIL', 'second target also got through', '{"r":"connected"}', 2),
  ];
  // Each host's invocation of cmd-0001, whose output holds the lines its verdicts read.
  const hosts = new Map(verdicts.map((x) => [x.target.instanceId, x.target]));
  const observations: TargetObservation[] = [...hosts.values()].map((target) => {
    const mine = verdicts.filter((x) => x.target.instanceId === target.instanceId);
    const stdout = `${['{"pathproof-begin":"application.1","n":9}', ...mine.map((x) => x.evidence.probe!.raw), '{"pathproof-end":"application.1","n":9}'].join('\n')}\n`;
    return { batch: 'application.1', target, truncated: false, probes: mine.map((x) => x.evidence.probe!),
      invocation: { instanceId: target.instanceId, commandId: 'cmd-0001', status: 'Success', statusDetails: 'Success', responseCode: 0, stdout, stderr: '', requestedAt: '2026-11-24T01:00:01.000Z', finishedAt: '2026-11-24T01:00:08.000Z', durationMs: 7000 } };
  });
  return { runId: 'pp-20261124t010000-abcd', env: 'local', startedAt: '2026-11-24T01:00:00.000Z', finishedAt: '2026-11-24T01:00:09.000Z',
    plan: { runId: 'pp-20261124t010000-abcd', env: 'local', checks: [], batches: [], commands: [], untargeted: [] }, observations, verdicts, interrupted: [], skipped: [], couldNotLook: [] };
}

export function sampleReport(over: Partial<{ partial: boolean }> = {}): Report {
  return buildReport(config, sampleResult(), {
    partial: over.partial ?? false, callers: { nz: 'arn:aws:iam::123456789012:user/moto' }, suitesCommit: 'abc123',
    coverage: coverage(config.catalog, Object.keys(config.env.zones), config.checks),
  });
}
