/**
 * The twin's AWS semantics, checked directly with real packets in real namespaces
 * (test/fixtures/topologies/semantics.yaml). Needs root; run with `npm run test:twin`.
 */
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startLab, type StartedLab } from '../../infra/twin/lab.ts';
import { ROOT } from '../helpers/paths.ts';
import { inInstance, newTestRunId, ownLeftovers } from '../helpers/lab.ts';
import { INTERNET } from '../../infra/twin/layout.ts';

let lab: StartedLab;
let runId = '';
const logs: string[] = [];

beforeAll(async () => {
  lab = await startLab({ root: ROOT, runId: (runId = newTestRunId('sem')), log: (l) => logs.push(l), topology: path.join(ROOT, 'test/fixtures/topologies/semantics.yaml') });
});

afterAll(async () => {
  await lab?.[Symbol.asyncDispose]();
  // Every test that starts infrastructure asserts nothing leaked.
  expect(await ownLeftovers([runId])).toEqual({ namespaces: [], processes: [] });
});

describe('security groups', () => {
  test('are stateful: a reply to an allowed connection passes, a new inbound connection is blocked', async () => {
    const a1 = inInstance(lab, 'a1');
    const b1 = inInstance(lab, 'b1');
    // a1 has no ingress rule at all, yet its connection to b1 completes (the reply is tracked).
    expect(await a1.tcp('10.11.1.10', 8080)).toBe('connected');
    // b1 -> a1:9000 is new inbound traffic to a1: dropped, so it times out as in AWS.
    expect(await b1.tcp('10.10.1.10', 9000)).toBe('timeout');
  });

  test('group references admit members of the referenced group only', async () => {
    expect(await inInstance(lab, 'a1').tcp('10.10.2.10', 8080)).toBe('connected');
    expect(await inInstance(lab, 'a3').tcp('10.10.2.10', 8080)).toBe('timeout');
  });
});

describe('peering', () => {
  test('is not transitive: a reaches b, b reaches c, a never reaches c through b', async () => {
    const a1 = inInstance(lab, 'a1');
    expect(await a1.tcp('10.11.1.10', 8080)).toBe('connected');
    expect(await inInstance(lab, 'b1').tcp('10.12.1.10', 8080)).toBe('connected');
    // a's route table sends 10.12/16 to the a-b peering, and c admits a's CIDR: only transitivity is missing.
    expect(await a1.tcp('10.12.1.10', 8080)).toBe('timeout');
    expect(await inInstance(lab, 'c1').tcp('10.10.1.10', 9000)).toBe('timeout');
  });
});

describe('DNS', () => {
  test('a private hosted zone answers only in its associated VPC', async () => {
    expect(await inInstance(lab, 'a1').dig('svc.internal.example')).toEqual({ status: 'NOERROR', answers: ['10.10.2.10'] });
    const fromB = await inInstance(lab, 'b1').dig('svc.internal.example');
    expect(fromB.answers).toEqual([]);
    expect(fromB.status).not.toBe('NOERROR');
  });

  test('endpoint private DNS answers only in the endpoint\'s own VPC; across peering without a PHZ the name is public', async () => {
    const name = 'bedrock-runtime.ap-southeast-6.amazonaws.com';
    const eni = lab.model.hosts.find((h) => h.kind === 'endpoints')!.enis[0]!.ip;
    expect(await inInstance(lab, 'b1').dig(name)).toEqual({ status: 'NOERROR', answers: [eni] });
    const fromA = await inInstance(lab, 'a1').dig(name);
    expect(fromA.status).toBe('NOERROR');
    expect(fromA.answers).toHaveLength(1);
    expect(fromA.answers[0]).toMatch(/^203\.0\.113\./);
  });

  test('names leave the VPC through Amazon DNS even without internet egress (DNS exfiltration is possible)', async () => {
    const marker = `m${Date.now()}`;
    const r = await inInstance(lab, 'a1').dig(`${marker}.${INTERNET.canaryDomain}`);
    expect(r.answers).toEqual([INTERNET.canaryAnswer]);
    expect(readFileSync(lab.applied.records['public-dns']!, 'utf8')).toContain(marker);
  });
});

describe('egress', () => {
  test('leaves only where a NAT or internet-gateway route exists, and an IGW does not carry private addresses', async () => {
    const url = `http://${INTERNET.sink}/exfil/x`;
    // c: 0.0.0.0/0 via a NAT gateway.
    expect((await inInstance(lab, 'c1').curl(['-o', '/dev/null', '-w', '%{http_code}', url])).stdout).toBe('200');
    // b: 0.0.0.0/0 via an internet gateway, but b1 has no public address.
    expect((await inInstance(lab, 'b1').curl(['-o', '/dev/null', '-w', '%{http_code}', url])).exitCode).toBe(28);
    // a: no default route at all.
    expect((await inInstance(lab, 'a1').curl(['-o', '/dev/null', '-w', '%{http_code}', url])).exitCode).toBe(28);
    const sink = readFileSync(lab.applied.records.internet!, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { from: string });
    expect(sink.map((e) => e.from)).toEqual(['192.0.2.102']);
  });
});

describe('instance metadata', () => {
  test('answers where enabled and is off where the instance says so', async () => {
    const token = await inInstance(lab, 'a1').curl(['-X', 'PUT', '-H', 'X-aws-ec2-metadata-token-ttl-seconds: 60', 'http://169.254.169.254/latest/api/token']);
    const id = await inInstance(lab, 'a1').curl(['-H', `X-aws-ec2-metadata-token: ${token.stdout}`, 'http://169.254.169.254/latest/meta-data/instance-id']);
    expect(id.stdout).toBe(lab.model.hosts.find((h) => h.tags.Name === 'a1')!.id);
    const off = await inInstance(lab, 'a3').curl(['http://169.254.169.254/latest/meta-data/instance-id']);
    expect(off.exitCode).toBe(7);
  });
});

describe('corrections', () => {
  test('an emulator answer AWS would never give is corrected with a visible line', () => {
    expect(logs.some((l) => /corrected: eni-.* outside its subnet/.test(l))).toBe(true);
  });
});
