import { describe, expect, test } from 'vitest';

import { exitCodeFor, type Invocation, type OutcomeClass, type ProbeObservation, type TargetObservation } from '../../src/model/result.ts';

import { judge } from '../../src/verdict/judge.ts';
import { cidrContains, cidrOverlaps } from '../../src/model/cidr.ts';
import { parseBatchOutput } from '../../src/verdict/parse-output.ts';
import { localTarget, probeDefs } from '../helpers/run-probes.ts';
import { type ProbeCheck } from '../../src/model/check.ts';
import { type Batch } from '../../src/model/plan.ts';

const TODAY = '2026-11-24';
const check = (over: Partial<ProbeCheck> = {}): ProbeCheck => ({
  kind: 'probe', id: 'chk', suite: 's', title: 't', category: 'negative', policies: ['NET-010'], from: 'test', to: 'external-ai',
  probe: 'tcp-connect', params: { host: '10.1.1.10', port: '443' }, expect: { result: 'blocked' }, timeoutSeconds: 5, marker: 'pp-test-abc123', attempt: 'TCP 10.1.1.10:443',
  source: { file: 'suites/s.yaml', line: 4, col: 5 }, ...over,
});
const p = (key: string, outcome: string, cls: OutcomeClass, data: Record<string, unknown> = {}): ProbeObservation => ({ index: key === 'control' ? 0 : 1, key, probe: 'tcp-connect', outcome, class: cls, data, rc: 0, raw: '' });
const inv = (over: Partial<Invocation> = {}): Invocation => ({ instanceId: localTarget.instanceId, commandId: 'cmd-1', status: 'Success', statusDetails: 'Success', responseCode: 0, stdout: '', stderr: '', requestedAt: '', finishedAt: '', durationMs: 1, ...over });
const obs = (probe: ProbeObservation | undefined, over: Partial<TargetObservation> = {}): TargetObservation => ({
  batch: 'b', target: localTarget, invocation: inv(), probes: [p('control', 'connected', 'success'), ...(probe ? [probe] : [])], truncated: false, ...over,
});

describe('deny checks', () => {
  test('PASS only with positive evidence of a block, zero successes and a working control', () => {
    const v = judge(check(), obs(p('chk', 'timeout', 'block', { attempts: 2, successes: 0 })), TODAY);
    expect(v.status).toBe('PASS');
    expect(v.sentence).toMatch(/test host i-0000000000000test → TCP 10\.1\.1\.10:443 was blocked \(timeout, 0\/2 attempts succeeded\), as NET-010 requires/);
  });
  test('FAIL when any attempt got through', () => {
    expect(judge(check(), obs(p('chk', 'connected', 'success', { attempts: 3, successes: 1 })), TODAY).status).toBe('FAIL');
    expect(judge(check(), obs(p('chk', 'timeout', 'block', { attempts: 3, successes: 1 })), TODAY).status).toBe('FAIL');
  });
  test('INCONCLUSIVE when the control probe failed', () => {
    const o = obs(p('chk', 'timeout', 'block'), { probes: [p('control', 'timeout', 'block'), p('chk', 'timeout', 'block')] });
    expect(judge(check(), o, TODAY).status).toBe('INCONCLUSIVE');
  });
  test('blocked by the wrong mechanism is FAIL when the suite names the mechanism', () => {
    const v = judge(check({ expect: { result: 'blocked', by: ['nxdomain', 'refused'] } }), obs(p('chk', 'timeout', 'block')), TODAY);
    expect(v.status).toBe('FAIL');
    // Plain words, not outcome keywords strung together.
    expect(v.sentence).toMatch(/was silently dropped \(the attempt timed out\), but the suite expects it to be unresolvable \(the name does not exist\) or refused \(the destination answered with a reset\)\. Something other than the declared control stops it/);
    expect(v.sentence).not.toMatch(/blocked by timeout|control in place/);
  });
  test('an HTTP 403 counts as a block only when the suite says http-403', () => {
    const https = { ...p('chk', 'http', 'success', { status: 403 }), probe: 'https-request' };
    expect(judge(check({ probe: 'https-request', expect: { result: 'blocked', by: ['http-403'] } }), obs(https), TODAY).status).toBe('PASS');
    expect(judge(check({ probe: 'https-request' }), obs(https), TODAY).status).toBe('FAIL');
  });
});

describe('the integrity rule: a check that could not look is never PASS', () => {
  const couldNotLook: [string, TargetObservation][] = [
    ['tool missing', obs(p('chk', 'tool-missing', 'error', { tool: 'bash' }))],
    ['probe crashed', obs(p('chk', 'probe-crashed', 'error'))],
    ['probe timed out', obs(p('chk', 'probe-timeout', 'error'))],
    ['probe gave no output', obs(undefined)],
    ['output truncated', obs(p('chk', 'timeout', 'block'), { truncated: true })],
    ['SSM undeliverable', obs(p('chk', 'timeout', 'block'), { invocation: inv({ status: 'Failed', statusDetails: 'Undeliverable', responseCode: -1 }) })],
    ['SSM execution timed out', obs(p('chk', 'timeout', 'block'), { invocation: inv({ status: 'TimedOut', statusDetails: 'ExecutionTimedOut' }) })],
    ['harness stopped waiting', obs(undefined, { invocation: inv({ status: 'InProgress', waitFault: 'command cmd-1 on i-x still InProgress after 120 s' }) })],
    ['harness fault', obs(undefined, { invocation: undefined, fault: { code: 'SSM_ACCESS_DENIED', message: 'denied' } })],
  ];
  const expectations: ProbeCheck['expect'][] = [{ result: 'blocked' }, { result: 'allowed' }, { result: 'resolves-within', cidrs: ['10.1.1.0/24'] }, { result: 'stays-private', cidrs: ['10.1.1.0/24'] }, { result: 'blocked', by: ['timeout'] }];
  test.each(couldNotLook)('%s → ERROR for every kind of expectation', (_, o) => {
    for (const expect_ of expectations) {
      const v = judge(check({ expect: expect_ }), o, TODAY);
      expect(v.status, v.sentence).toBe('ERROR');
      expect(v.sentence).toMatch(/^Could not look/);
    }
  });
  test('truncated SSM output parsed from a real batch line set has no end line → ERROR', () => {
    const batch: Batch = { id: 'test', zone: 'test', account: 'a', region: 'r', targets: [localTarget], script: '', executionTimeoutSeconds: 10,
      probes: [{ index: 0, key: 'control', probe: 'tcp-connect', params: {}, timeoutSeconds: 5 }, { index: 1, key: 'chk', probe: 'tcp-connect', params: {}, timeoutSeconds: 5 }] };
    const full = ['{"pathproof-begin":"test","n":2}', '{"i":0,"rc":0,"o":{"r":"connected","attempts":1,"successes":1}}', '{"i":1,"rc":0,"o":{"r":"timeout","attempts":1,"successes":0}}', '{"pathproof-end":"test","n":2}'].join('\n');
    const whole = parseBatchOutput(batch, localTarget, inv({ stdout: full }), probeDefs);
    expect(judge(check(), whole, TODAY).status).toBe('PASS');
    const cut = parseBatchOutput(batch, localTarget, inv({ stdout: full.slice(0, full.length - 20) }), probeDefs);
    expect(cut.truncated).toBe(true);
    expect(judge(check(), cut, TODAY).status).toBe('ERROR');
    const garbled = parseBatchOutput(batch, localTarget, inv({ stdout: full.replace('"r":"timeout"', '"r":"teimout"') }), probeDefs);
    expect(judge(check(), garbled, TODAY).status).toBe('ERROR');
  });
});

describe('allow and resolve checks', () => {
  test('allowed: success PASS, block FAIL, wrong status or missing request id FAIL', () => {
    const allowed = check({ expect: { result: 'allowed', status: [200], awsRequestId: true }, policies: ['NET-002'] });
    expect(judge(allowed, obs(p('chk', 'http', 'success', { status: 200, requestId: 'r' })), TODAY).status).toBe('PASS');
    expect(judge(allowed, obs(p('chk', 'http', 'success', { status: 500, requestId: 'r' })), TODAY).status).toBe('FAIL');
    expect(judge(allowed, obs(p('chk', 'http', 'success', { status: 200, requestId: '' })), TODAY).status).toBe('FAIL');
    expect(judge(allowed, obs(p('chk', 'timeout', 'block')), TODAY).status).toBe('FAIL');
  });
  test('deniedBy endpoint-policy: only a refusal AWS attributes to the VPC endpoint policy PASSes; another policy, or no reason, is INCONCLUSIVE', () => {
    const denied = check({ probe: 'bedrock-call', expect: { result: 'allowed', status: [403], error: 'AccessDeniedException', deniedBy: 'endpoint-policy', awsRequestId: true }, policies: ['NET-002'] });
    const refused = (reason: string, error = 'AccessDeniedException') => judge(denied, obs(p('chk', 'aws-error', 'success', { status: 403, error, requestId: 'r', reason })), TODAY);
    expect(refused('because no VPC endpoint policy allows').status).toBe('PASS');
    expect(refused('with an explicit deny in a VPC endpoint policy').status).toBe('PASS');
    const identity = refused('because no identity-based policy allows');
    expect(identity.status).toBe('INCONCLUSIVE');
    expect(identity.sentence).toMatch(/by another policy \(because no identity-based policy allows\), so the endpoint policy was not reached/);
    expect(refused('').status).toBe('INCONCLUSIVE');
    // The wrong error is still a FAIL, and an answer where a refusal was required too.
    expect(refused('because no VPC endpoint policy allows', 'ThrottlingException').status).toBe('FAIL');
    expect(judge(denied, obs(p('chk', 'answered', 'success', { status: 200, requestId: 'r' })), TODAY).status).toBe('FAIL');
  });
  test('resolves-within: every answer inside the endpoint ranges', () => {
    const c = check({ probe: 'dns-resolve', expect: { result: 'resolves-within', cidrs: ['10.1.1.0/24'] } });
    expect(judge(c, obs(p('chk', 'resolved', 'success', { addresses: ['10.1.1.10', '10.1.1.11'] })), TODAY).status).toBe('PASS');
    const leak = judge(c, obs(p('chk', 'resolved', 'success', { addresses: ['10.1.1.10', '203.0.113.10'] })), TODAY);
    expect(leak.status).toBe('FAIL');
    expect(leak.sentence).toMatch(/203\.0\.113\.10, outside the endpoint ranges 10\.1\.1\.0\/24/);
    expect(judge(c, obs(p('chk', 'nxdomain', 'block')), TODAY).status).toBe('FAIL');
  });
  test('stays-private: absent (NXDOMAIN, no address) or inside the ranges PASS; a public answer FAIL; a silent resolver ERROR', () => {
    const c = check({ probe: 'dns-resolve', expect: { result: 'stays-private', cidrs: ['10.1.1.0/24'] } });
    expect(judge(c, obs(p('chk', 'nxdomain', 'block')), TODAY).status).toBe('PASS');
    expect(judge(c, obs(p('chk', 'no-answer', 'block')), TODAY).status).toBe('PASS');
    expect(judge(c, obs(p('chk', 'resolved', 'success', { addresses: ['10.1.1.10'] })), TODAY).status).toBe('PASS');
    const leak = judge(c, obs(p('chk', 'resolved', 'success', { addresses: ['203.0.113.12'] })), TODAY);
    expect(leak.status).toBe('FAIL');
    expect(leak.sentence).toMatch(/203\.0\.113\.12, outside the endpoint ranges/);
    for (const silent of ['timeout', 'servfail', 'not-found', 'no-resolver']) {
      const v = judge(c, obs(p('chk', silent, 'block')), TODAY);
      expect(v.status, silent).toBe('ERROR');
    }
    // An absent name with a broken control cannot be told from a broken host.
    expect(judge(c, obs(p('chk', 'nxdomain', 'block'), { probes: [p('control', 'timeout', 'block'), p('chk', 'nxdomain', 'block')] }), TODAY).status).toBe('INCONCLUSIVE');
  });
});

describe('waivers and exit codes', () => {
  const waiver = { justification: 'Migration to the endpoint in progress', expires: '2026-12-31', approvedBy: 'secops' };
  test('a valid waiver yields WAIVED with what was observed; an expired one is FAIL', () => {
    const failing = obs(p('chk', 'connected', 'success', { successes: 1, attempts: 1 }));
    const v = judge(check({ waiver }), failing, TODAY);
    expect(v).toMatchObject({ status: 'WAIVED', underlying: 'FAIL' });
    expect(judge(check({ waiver: { ...waiver, expires: '2026-11-23' } }), failing, TODAY).status).toBe('FAIL');
  });
  test('0 compliant, 1 FAIL, 2 ERROR/INCONCLUSIVE or harness broke, 130 interrupted', () => {
    const s = (...xs: string[]) => xs.map((status) => ({ status }) as never);
    expect(exitCodeFor(s('PASS', 'WAIVED'))).toBe(0);
    expect(exitCodeFor(s('PASS', 'FAIL'))).toBe(1);
    expect(exitCodeFor(s('FAIL', 'ERROR'))).toBe(2);
    expect(exitCodeFor(s('PASS', 'INCONCLUSIVE'))).toBe(2);
    expect(exitCodeFor(s('PASS'), { harnessBroke: true })).toBe(2);
    expect(exitCodeFor(s('FAIL'), { interrupted: true })).toBe(130);
  });
});

describe('canary confirmation', () => {
  const exfil = check({ probe: 'http-exfil', canary: 'http', expect: { result: 'blocked', confirm: 'canary' } });
  const blocked = obs(p('chk', 'timeout', 'block', { attempts: 2, successes: 0 }));
  test('a blocked attempt passes only when the canary recorded nothing for its marker', () => {
    const v = judge(exfil, blocked, TODAY, { marker: 'pp-test-abc123', available: true, hits: [] });
    expect(v.status).toBe('PASS');
    expect(v.sentence).toMatch(/The canary recorded nothing for marker pp-test-abc123\.$/);
  });
  test('a hit at the canary is FAIL even when the probe saw a block', () => {
    const v = judge(exfil, blocked, TODAY, { marker: 'pp-test-abc123', available: true, hits: [{ kind: 'http', from: '192.0.2.100', t: 't' }] });
    expect(v.status).toBe('FAIL');
    expect(v.sentence).toMatch(/recorded marker pp-test-abc123 1 time\(s\), from 192\.0\.2\.100/);
  });
  test('no canary record means ERROR, never PASS', () => {
    expect(judge(exfil, blocked, TODAY, { marker: 'm', available: false, hits: [], error: 'no canary record' }).status).toBe('ERROR');
    expect(judge(exfil, blocked, TODAY).status).toBe('ERROR');
  });
  test('DNS hits count for dns-exfil, HTTP hits for http-exfil', () => {
    const dns = check({ probe: 'dns-exfil', canary: 'dns', expect: { result: 'blocked', confirm: 'canary' } });
    const rec = { marker: 'm', available: true, hits: [{ kind: 'http' as const, from: 'x', t: 't' }] };
    expect(judge(dns, blocked, TODAY, rec).status).toBe('PASS');
    expect(judge(exfil, blocked, TODAY, rec).status).toBe('FAIL');
  });
});

describe('monitoring sees the block', () => {
  const logged = check({ probe: 'http-exfil', expect: { result: 'blocked', logged: 'reject' } });
  const blocked = obs(p('chk', 'timeout', 'block', { attempts: 1, successes: 0 }));
  const rec = { version: 2 as const, accountId: '123456789012', interfaceId: 'eni-1', srcAddr: '10.0.3.10', dstAddr: '198.51.100.80', srcPort: 40000, dstPort: 80, protocol: 6, packets: 1, bytes: 60, start: 1, end: 1, action: 'REJECT' as const, logStatus: 'OK' as const };
  test('PASS needs a REJECT record; none is FAIL; an unreadable flow log is ERROR', () => {
    expect(judge(logged, blocked, TODAY, undefined, { available: true, records: [rec] }).sentence).toMatch(/1 REJECT record\(s\), e\.g\. eni-1 10\.0\.3\.10:40000 → 198\.51\.100\.80:80\.$/);
    expect(judge(logged, blocked, TODAY, undefined, { available: true, records: [] }).status).toBe('FAIL');
    expect(judge(logged, blocked, TODAY, undefined, { available: false, records: [], error: 'AccessDenied' }).status).toBe('ERROR');
    expect(judge(logged, blocked, TODAY).status).toBe('ERROR');
  });  test('an allowed call that must show: PASS needs an ACCEPT record; none is FAIL (the path is not confirmed); unreadable is ERROR; a failed call stays FAIL', () => {
    const call = check({ probe: 'https-request', expect: { result: 'allowed', logged: 'accept' } });
    const answered = obs(p('chk', 'http', 'success', { status: 200, ip: '10.1.1.13' }));
    const accept = { ...rec, srcAddr: '10.0.2.10', dstAddr: '10.1.1.13', dstPort: 443, action: 'ACCEPT' as const };
    expect(judge(call, answered, TODAY, undefined, { available: true, records: [accept] }).sentence).toMatch(/The flow log confirms the path: 1 ACCEPT record\(s\), e\.g\. eni-1 10\.0\.2\.10:40000 → 10\.1\.1\.13:443\.$/);
    expect(judge(call, answered, TODAY, undefined, { available: true, records: [] })).toMatchObject({ status: 'FAIL', sentence: expect.stringMatching(/no ACCEPT record of the call reached the flow logs/) });
    expect(judge(call, answered, TODAY, undefined, { available: false, records: [], error: 'AccessDenied' }).status).toBe('ERROR');
    expect(judge(call, obs(p('chk', 'timeout', 'block', {})), TODAY, undefined, { available: true, records: [accept] }).status).toBe('FAIL');
  });
});

describe('CIDR helpers', () => {
  test('containment is by prefix, and malformed input contains nothing', () => {
    expect(cidrContains('10.1.1.0/24', '10.1.1.255')).toBe(true);
    expect(cidrContains('10.1.1.0/24', '10.1.2.0')).toBe(false);
    expect(cidrContains('0.0.0.0/0', '203.0.113.10')).toBe(true);
    expect(cidrContains('10.1.1.0/33', '10.1.1.1')).toBe(false);
    expect(cidrContains('10.1.1.0/24', '10.1.1.256')).toBe(false);
  });
  test('two blocks overlap when either contains the other', () => {
    expect(cidrOverlaps('10.1.0.0/16', '10.1.1.0/24')).toBe(true);
    expect(cidrOverlaps('10.1.1.0/24', '10.1.0.0/16')).toBe(true);
    expect(cidrOverlaps('10.1.1.0/24', '10.1.2.0/24')).toBe(false);
    expect(cidrOverlaps('10.0.2.0/24', '10.0.2.0/24')).toBe(true);
  });
});
