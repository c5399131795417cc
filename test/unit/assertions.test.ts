import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { assertions } from '../../src/verdict/assertions/index.ts';
import { diff, snapshot } from '../../src/verdict/assertions/drift.ts';
import type { Inventory } from '../../src/model/inventory.ts';
import { loadConfig } from '../../src/load/config.ts';
import { ConfigError } from '../../src/shared/issues.ts';
import { ROOT } from '../helpers/paths.ts';
import { isAssertionCheck } from '../../src/model/check.ts';

const config = loadConfig({ root: ROOT, env: 'local', marker: 'pp-test' });
const env = config.env;
const policy = { Statement: [{ Effect: 'Allow', Principal: '*', Action: 'bedrock:InvokeModel', Resource: 'arn:aws:bedrock:*::foundation-model/anthropic.claude-*' }] };

/** A small inventory shaped like the reference: one NZ VPC, one Sydney VPC, four endpoints. */
function inventory(mut: (m: { endpointSgCidr: string; inferenceDefault?: string; dnsHostnames: boolean; policy: unknown; flowLogs: boolean }) => void = () => {}): Inventory {
  const o = { endpointSgCidr: '10.0.2.0/24', dnsHostnames: true, policy: policy as unknown, flowLogs: true } as { endpointSgCidr: string; inferenceDefault?: string; dnsHostnames: boolean; policy: unknown; flowLogs: boolean };
  mut(o);
  const subnet = (name: string, cidr: string, zone: string | undefined, routes: { destination: string; target: 'local' | 'peering' | 'nat' | 'internet'; targetId: string }[]) => ({ id: `subnet-${name}`, vpcId: zone ? 'vpc-nz' : 'vpc-syd', cidr, name, ...(zone ? { zone } : {}), routeTableId: `rtb-${name}`, routes: routes.map((r) => ({ ...r, state: 'active' })), nacl: [] });
  const services = ['bedrock', 'bedrock-runtime', 'bedrock-agent', 'bedrock-agent-runtime'];
  return {
    vpcs: [
      { id: 'vpc-nz', name: 'pathproof-nz', region: 'ap-southeast-6', cidr: '10.0.0.0/16', dnsSupport: true, dnsHostnames: o.dnsHostnames, flowLogs: o.flowLogs ? [{ id: 'fl-1', trafficType: 'ALL' }] : [],
        subnets: [
          subnet('application', '10.0.1.0/24', 'application', [{ destination: '10.1.1.0/24', target: 'peering', targetId: 'pcx-1' }]),
          subnet('inference', '10.0.2.0/24', 'inference', [{ destination: '10.1.1.0/24', target: 'peering', targetId: 'pcx-1' }, ...(o.inferenceDefault ? [{ destination: '0.0.0.0/0', target: 'nat' as const, targetId: o.inferenceDefault }] : [])]),
          subnet('data', '10.0.3.0/24', 'data', []), subnet('management', '10.0.4.0/24', 'management', []), subnet('sandbox', '10.0.5.0/24', 'sandbox', []),
        ] },
      { id: 'vpc-syd', name: 'pathproof-syd', region: 'ap-southeast-2', cidr: '10.1.0.0/16', dnsSupport: true, dnsHostnames: true, flowLogs: [{ id: 'fl-2', trafficType: 'ALL' }], subnets: [subnet('endpoints', '10.1.1.0/24', undefined, [])] },
    ],
    groups: new Map([['sg-ep', { id: 'sg-ep', vpcId: 'vpc-syd', name: 'endpoints', ingress: [{ protocol: 'tcp', fromPort: 443, toPort: 443, cidrs: [o.endpointSgCidr], groups: [] }], egress: [] }]]),
    hosts: [],
    endpoints: services.map((svc, i) => ({ id: `vpce-${i}`, vpcId: 'vpc-syd', service: svc, serviceName: `com.amazonaws.ap-southeast-2.${svc}`, region: 'ap-southeast-2', privateDns: true, policy: svc === 'bedrock-runtime' ? o.policy : null, eniIds: [`eni-${i}`], groups: ['sg-ep'], dnsNames: [`vpce-${i}.${svc}.vpce.amazonaws.com`] })),
    peerings: [{ id: 'pcx-1', requesterVpc: 'vpc-nz', accepterVpc: 'vpc-syd', status: 'active' }],
    hostedZones: services.map((svc, i) => ({ id: `Z${i}`, name: `${svc}.ap-southeast-2.amazonaws.com`, private: true, vpcIds: ['vpc-nz'], records: [{ name: `${svc}.ap-southeast-2.amazonaws.com`, type: 'A', values: [], aliasDnsName: `vpce-${i}.${svc}.vpce.amazonaws.com` }] })),
    corrections: [],
  };
}
const run = (name: keyof typeof assertions, inv: Inventory, params: Record<string, string> = {}, baseline?: unknown) =>
  assertions[name]({ inventory: inv, env, params, ...(baseline !== undefined ? { baseline } : {}) });

describe('config assertions', () => {
  test('every assertion passes on a correct inventory', () => {
    const inv = inventory();
    for (const name of Object.keys(assertions) as (keyof typeof assertions)[]) {
      const params: Record<string, string> = name === 'endpoint-sg-scoped' ? { sources: '10.0.2.0/24' } : {};
      const f = run(name, inv, params, snapshot(inv, env));
      expect(f.status, `${name}: ${f.sentence}`).toBe('PASS');
    }
  });
  test('an endpoint security group open to the VPC CIDR is FAIL', () => {
    const f = run('endpoint-sg-scoped', inventory((m) => { m.endpointSgCidr = '10.0.0.0/16'; }), { sources: '10.0.2.0/24' });
    expect(f.status).toBe('FAIL');
    expect(f.sentence).toMatch(/endpoints admits 10\.0\.0\.0\/16/);
  });
  test('a NAT default route from inference is FAIL', () => {
    expect(run('no-default-route', inventory((m) => { m.inferenceDefault = 'nat-1'; }), { zones: 'data,inference,sandbox' }).sentence).toMatch(/inference \(rtb-inference\) 0\.0\.0\.0\/0 → nat-1/);
  });
  test('DNS hostnames off, an allow-all endpoint policy and missing flow logs are each FAIL', () => {
    expect(run('vpc-dns-attributes', inventory((m) => { m.dnsHostnames = false; })).status).toBe('FAIL');
    expect(run('endpoint-policy-restricts-models', inventory((m) => { m.policy = { Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] }; })).status).toBe('FAIL');
    expect(run('flow-logs-all', inventory((m) => { m.flowLogs = false; })).status).toBe('FAIL');
  });
  test('drift: no baseline is ERROR (never PASS); a change is FAIL naming where', () => {
    const inv = inventory();
    expect(run('no-drift', inv).status).toBe('ERROR');
    const changed = run('no-drift', inventory((m) => { m.endpointSgCidr = '0.0.0.0/0'; }), {}, snapshot(inv, env));
    expect(changed.status).toBe('FAIL');
    expect(diff(snapshot(inv, env), snapshot(inventory((m) => { m.endpointSgCidr = '0.0.0.0/0'; }), env))).toEqual(['securityGroups.endpoints.ingress: ["tcp:443-443 from 10.0.2.0/24"] → ["tcp:443-443 from 0.0.0.0/0"]']);
  });
});

describe('config assertions on an empty inventory (nothing to look at is never PASS)', () => {
  const empty: Inventory = { vpcs: [], groups: new Map(), hosts: [], endpoints: [], peerings: [], hostedZones: [], corrections: [] };
  const paramsOf: Partial<Record<keyof typeof assertions, Record<string, string>>> = { 'endpoint-sg-scoped': { sources: '10.0.2.0/24' }, 'no-default-route': { zones: 'data,inference,sandbox' } };
  for (const name of Object.keys(assertions) as (keyof typeof assertions)[]) {
    test(`${name} is ERROR and says it found nothing`, () => {
      const f = run(name, empty, paramsOf[name] ?? {}, snapshot(inventory(), env));
      expect(f.status, f.sentence).toBe('ERROR');
      expect(f.sentence).toMatch(/^Could not look: .* is not in the inventory/);
      expect(f.examined).toBe('nothing');
    });
  }
  test('every PASS and FAIL names what it examined, with counts', () => {
    const inv = inventory();
    for (const name of Object.keys(assertions) as (keyof typeof assertions)[]) {
      const f = run(name, inv, paramsOf[name] ?? {}, snapshot(inv, env));
      expect(f.examined, name).toMatch(/\d/);
    }
  });
  test('a zone with no subnets is ERROR for no-default-route, not a pass for the others', () => {
    const inv = inventory();
    const noData: Inventory = { ...inv, vpcs: inv.vpcs.map((v) => ({ ...v, subnets: v.subnets.filter((s) => s.zone !== 'data') })) };
    const f = run('no-default-route', noData, { zones: 'data,inference,sandbox' });
    expect(f.status).toBe('ERROR');
    expect(f.sentence).toMatch(/zone\(s\) data/);
  });
  test('no peering route at all is FAIL for peering-routes-scoped (absence is the violation)', () => {
    const inv = inventory();
    const noPeering: Inventory = { ...inv, vpcs: inv.vpcs.map((v) => ({ ...v, subnets: v.subnets.map((s) => ({ ...s, routes: s.routes.filter((r) => r.target !== 'peering') })) })) };
    expect(run('peering-routes-scoped', noPeering).status).toBe('FAIL');
  });
  test('the judge turns a PASS that examined nothing into ERROR', async () => {
    const { judgeAssertion } = await import('../../src/verdict/judge.ts');
    const check = config.checks.filter(isAssertionCheck).find((c) => c.assert === 'flow-logs-all')!;
    const v = judgeAssertion(check, config, empty, '', undefined, '2026-11-24');
    expect(v.status).toBe('ERROR');
  });
});

describe('config check schema', () => {
  test('a config check names an assertion and no probe; a probe check names no assertion', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pp-cfg-'));
    writeFileSync(path.join(dir, 'c.yaml'), `suite: c
description: d
checks:
  - { id: cfg-one, title: t, category: config, policies: [NET-002], from: inference, to: external-ai, probe: tcp-connect, params: { host: x, port: 1 } }
  - { id: cfg-two, title: t, category: negative, policies: [NET-010], from: application, to: external-ai, assert: flow-logs-all }
  - { id: cfg-three, title: t, category: config, policies: [NET-002], from: inference, to: external-ai, assert: no-default-route, params: { zone: data } }
`);
    let issues: readonly { code: string; line: number; message: string }[] = [];
    try { loadConfig({ root: ROOT, env: 'local', marker: 'm', suitesDir: dir }); } catch (e) { issues = (e as ConfigError).issues; }
    expect(issues.map((i) => `${i.line} ${i.code} ${i.message.slice(0, 40)}`)).toEqual([
      '4 invalid-value a config check names an assertion: endpo',
      '4 invalid-value a config check runs no probe: use assert',
      '5 invalid-value a probe check names its probe',
      '5 invalid-value only config checks use assert:',
      '5 invalid-value a probe check states what it expects',
      '6 unknown-parameter is not a parameter of assertion no-defau',
    ]);
  });
});
