import { mkdtempSync, writeFileSync } from 'node:fs';
import { localConfig } from '../helpers/reference.ts';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { assertions } from '../../src/verdict/assertions/index.ts';
import { diff, snapshot } from '../../src/verdict/assertions/drift.ts';
import type { Inventory, SecurityGroup } from '../../src/model/inventory.ts';
import type { DnsDefences } from '../../src/model/dns-firewall.ts';
import { loadConfig } from '../../src/load/config.ts';
import { ConfigError } from '../../src/shared/issues.ts';
import { ROOT } from '../helpers/paths.ts';
import { isAssertionCheck } from '../../src/model/check.ts';

const config = localConfig({ marker: 'pp-test' });
const env = config.env;
const policy = { Statement: [{ Effect: 'Allow', Principal: '*', Action: 'bedrock:InvokeModel', Resource: 'arn:aws:bedrock:*::foundation-model/anthropic.claude-*' }] };

const tcp = (from: number, to: number, peer: string) => ({ protocol: 'tcp', fromPort: from, toPort: to, cidrs: peer.startsWith('sg-') ? [] : [peer], groups: peer.startsWith('sg-') ? [peer] : [] });
/** The reference's groups: egress names only what the catalog allows. */
const GROUPS: SecurityGroup[] = [
  { id: 'sg-app', vpcId: 'vpc-nz', name: 'app', ingress: [], egress: [tcp(443, 443, 'sg-proxy')] },
  { id: 'sg-proxy', vpcId: 'vpc-nz', name: 'proxy', ingress: [tcp(443, 443, 'sg-app')], egress: [tcp(443, 443, '10.1.1.0/24'), tcp(6333, 6334, 'sg-vdb'), tcp(443, 443, 'sg-sec')] },
  { id: 'sg-vdb', vpcId: 'vpc-nz', name: 'vectordb', ingress: [tcp(6333, 6334, 'sg-proxy')], egress: [] },
  { id: 'sg-sec', vpcId: 'vpc-nz', name: 'secrets', ingress: [tcp(443, 443, 'sg-proxy')], egress: [] },
  { id: 'sg-box', vpcId: 'vpc-nz', name: 'sandbox', ingress: [], egress: [] },
];
const host = (id: string, zone: string, ip: string, groups: string[]) => ({ id, kind: 'instance' as const, vpcId: 'vpc-nz', subnetId: `subnet-${zone}`, imds: true, tags: { Name: id }, enis: [{ id: `eni-${id}`, subnetId: `subnet-${zone}`, ip, groups }] });

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
      { id: 'vpc-syd', name: 'pathproof-syd', region: 'ap-southeast-2', cidr: '10.1.0.0/16', dnsSupport: true, dnsHostnames: true, flowLogs: [{ id: 'fl-2', trafficType: 'ALL' }], subnets: [subnet('endpoints', '10.1.1.0/24', undefined, [{ destination: '10.0.0.0/16', target: 'peering', targetId: 'pcx-1' }])] },
    ],
    groups: new Map([
      ['sg-ep', { id: 'sg-ep', vpcId: 'vpc-syd', name: 'endpoints', ingress: [{ protocol: 'tcp', fromPort: 443, toPort: 443, cidrs: [o.endpointSgCidr], groups: [] }], egress: [] }],
      ...GROUPS.map((g) => [g.id, g] as const),
    ]),
    hosts: [
      host('i-app', 'application', '10.0.1.10', ['sg-app']), host('i-proxy', 'inference', '10.0.2.20', ['sg-proxy']), host('i-vdb', 'data', '10.0.3.20', ['sg-vdb']),
      host('i-sec', 'management', '10.0.4.20', ['sg-sec']), host('i-box', 'sandbox', '10.0.5.10', ['sg-box']),
      { id: 'subnet-endpoints', kind: 'endpoints' as const, vpcId: 'vpc-syd', subnetId: 'subnet-endpoints', imds: false, tags: {}, enis: services.map((_, i) => ({ id: `eni-${i}`, subnetId: 'subnet-endpoints', ip: `10.1.1.${10 + i}`, groups: ['sg-ep'] })) },
    ],
    endpoints: services.map((svc, i) => ({ id: `vpce-${i}`, vpcId: 'vpc-syd', service: svc, serviceName: `com.amazonaws.ap-southeast-2.${svc}`, region: 'ap-southeast-2', privateDns: true, policy: svc === 'bedrock-runtime' ? o.policy : null, eniIds: [`eni-${i}`], groups: ['sg-ep'], dnsNames: [`vpce-${i}.${svc}.vpce.amazonaws.com`] })),
    peerings: [{ id: 'pcx-1', requesterVpc: 'vpc-nz', accepterVpc: 'vpc-syd', status: 'active' }],
    hostedZones: services.map((svc, i) => ({ id: `Z${i}`, name: `${svc}.ap-southeast-2.amazonaws.com`, private: true, vpcIds: ['vpc-nz'], records: [{ name: `${svc}.ap-southeast-2.amazonaws.com`, type: 'A', values: [], aliasDnsName: `vpce-${i}.${svc}.vpce.amazonaws.com` }] })),
    dns: dnsDefences(services.map((svc) => `${svc}.ap-southeast-2.amazonaws.com`)),
    loadBalancers: [{ arn: 'arn:lb/1', name: 'front-door', type: 'application', scheme: 'internal', vpcId: 'vpc-nz', subnetIds: ['subnet-application'], groups: [], dnsName: 'fd.elb', idleTimeoutSeconds: 400, idleTimeoutDefaulted: false, addresses: ['10.0.1.200'], tags: {}, listeners: [{ port: 80, protocol: 'HTTP', targets: [{ ip: '10.0.2.20', port: 443, protocol: 'HTTPS' }] }] }],
    roles: [{ name: 'pathproof-inference-probe', arn: 'arn:aws:iam::123456789012:role/pathproof-inference-probe', policies: [{ name: 'bedrock-private-only', kind: 'inline', document: PRIVATE_ONLY }] }],
    corrections: [],
  };
}

/** The reference's identity deny: bedrock:* unless through the endpoints or their VPC. */
const PRIVATE_ONLY = { Version: '2012-10-17', Statement: [
  { Sid: 'DenyOffPath', Effect: 'Deny', Action: 'bedrock:*', Resource: '*', Condition: { StringNotEquals: { 'aws:SourceVpce': ['vpce-0', 'vpce-1', 'vpce-2', 'vpce-3'], 'aws:SourceVpc': 'vpc-syd' } } },
  { Effect: 'Allow', Action: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'], Resource: '*' },
] };

/** The reference's DNS Firewall: the approved names allowed (priority 100), everything else NXDOMAIN (200), fail-closed, query logging on. */
function dnsDefences(bedrock: string[]): DnsDefences {
  return {
    domainLists: [{ id: 'fdl-ok', name: 'approved', domains: [...bedrock, ...Object.values(env.dns?.approved ?? {})] }, { id: 'fdl-all', name: 'everything', domains: ['*'] }],
    ruleGroups: [{ id: 'frg-1', name: 'nz', rules: [{ name: 'allow', priority: 100, action: 'ALLOW', domainListId: 'fdl-ok' }, { name: 'block', priority: 200, action: 'BLOCK', domainListId: 'fdl-all', blockResponse: 'NXDOMAIN' }] }],
    associations: [{ id: 'assoc-1', name: 'nz', vpcId: 'vpc-nz', ruleGroupId: 'frg-1', priority: 101, status: 'COMPLETE' }],
    failOpen: { 'vpc-nz': false },
    queryLogs: [{ id: 'qlc-1', name: 'nz-queries', destinationArn: 'arn:aws:logs:ap-southeast-6:123456789012:log-group:/q', vpcIds: ['vpc-nz'] }],
  };
}
const run = (name: keyof typeof assertions, inv: Inventory, params: Record<string, string> = {}) =>
  assertions[name]({ inventory: inv, env, catalog: config.catalog, params });

describe('config assertions', () => {
  test('every assertion passes on a correct inventory', () => {
    const inv = inventory();
    for (const name of Object.keys(assertions) as (keyof typeof assertions)[]) {
      const params: Record<string, string> = name === 'endpoint-sg-scoped' ? { sources: '10.0.2.0/24' } : name === 'catalog-conformance' ? { zone: 'inference' } : name.startsWith('dns-') ? { zone: 'data' } : {};
      const f = run(name, inv, params);
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
  test('drift names where the configuration changed, and tracks two instances that share a Name', () => {
    const inv = inventory();
    expect(diff(snapshot(inv, env), snapshot(inventory((m) => { m.endpointSgCidr = '0.0.0.0/0'; }), env))).toEqual(['securityGroups.endpoints.ingress: ["tcp:443-443 from inference"] → ["tcp:443-443 from 0.0.0.0/0"]']);
    const twin = host('i-app', 'application', '10.0.1.11', ['sg-app']);
    const two: Inventory = { ...inv, hosts: [...inv.hosts, { ...twin, id: 'i-app2' }] };
    const instances = snapshot(two, env).instances as Record<string, unknown>;
    expect(Object.keys(instances).filter((k) => k.startsWith('i-app '))).toEqual(['i-app application+10', 'i-app application+11']);
    expect(diff(snapshot(inv, env), snapshot(two, env))).toEqual([expect.stringMatching(/^instances\.i-app application\+11: absent → /)]);
  });
  test('drift names addresses by where they lie: the same network re-addressed is no change, a moved or widened range is', () => {
    // Every private address moved to other ranges, as when the reference is re-based (10.0/16 → 172.20/16, 10.1/16 → 172.21/16).
    const moved = (inv: Inventory, map: (s: string) => string): Inventory => {
      const walk = (v: unknown): unknown => (typeof v === 'string' ? map(v) : Array.isArray(v) ? v.map(walk) : v instanceof Map ? new Map([...v].map(([k, x]) => [k, walk(x)])) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)])) : v);
      return walk(inv) as Inventory;
    };
    const rebased = moved(inventory(), (x) => x.replace(/^10\.0\./, '172.20.').replace(/^10\.1\./, '172.21.'));
    expect(rebased.vpcs[0]!.cidr).toMatch(/^172\.2[01]\./);
    expect(diff(snapshot(inventory(), env), snapshot(rebased, env))).toEqual([]);
    // A subnet moved inside its VPC, or an address outside every VPC, still shows.
    const shifted = moved(inventory(), (x) => x.replace(/^10\.0\.2\.0\/24$/, '10.0.9.0/24'));
    expect(diff(snapshot(inventory(), env), snapshot(shifted, env)).join('\n')).toMatch(/cidr: "[a-z-]+\+512\/24" → "[a-z-]+\+2304\/24"/);
  });
});

describe('config assertions on an empty inventory (nothing to look at is never PASS)', () => {
  const empty: Inventory = { vpcs: [], groups: new Map(), hosts: [], endpoints: [], peerings: [], hostedZones: [], corrections: [] };
  const paramsOf: Partial<Record<keyof typeof assertions, Record<string, string>>> = { 'endpoint-sg-scoped': { sources: '10.0.2.0/24' }, 'no-default-route': { zones: 'data,inference,sandbox' }, 'catalog-conformance': { zone: 'inference' }, 'dns-firewall': { zone: 'data' }, 'dns-query-logging': { zone: 'data' }, 'bedrock-identity-deny': { zone: 'inference' } };
  for (const name of Object.keys(assertions) as (keyof typeof assertions)[]) {
    test(`${name} is ERROR and says it found nothing`, () => {
      const f = run(name, empty, paramsOf[name] ?? {});
      expect(f.status, f.sentence).toBe('ERROR');
      expect(f.sentence).toMatch(/^Could not look: .* is not in the inventory/);
      expect(f.examined).toBe('nothing');
    });
  }
  test('every PASS and FAIL names what it examined, with counts', () => {
    const inv = inventory();
    for (const name of Object.keys(assertions) as (keyof typeof assertions)[]) {
      const f = run(name, inv, paramsOf[name] ?? {});
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
    const v = judgeAssertion(check, config, empty, '', '2026-11-24');
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
    try { localConfig({ marker: 'm', suitesDir: dir }); } catch (e) { issues = (e as ConfigError).issues; }
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

describe('static reachability judged by the catalog (catalog-conformance)', () => {
  const withGroup = (inv: Inventory, id: string, edit: (g: SecurityGroup) => SecurityGroup): Inventory => ({ ...inv, groups: new Map([...inv.groups].map(([k, g]) => [k, k === id ? edit(g) : g])) });
  const conform = (inv: Inventory, zone: string) => run('catalog-conformance', inv, { zone });

  test('the reference shape passes from every zone: every opened flow is allowed and NET-001 … NET-004 are carried', () => {
    for (const zone of ['application', 'inference', 'data', 'management', 'sandbox']) {
      const f = conform(inventory(), zone);
      expect(f.status, `${zone}: ${f.sentence}`).toBe('PASS');
      expect(f.examined).toMatch(/\d+ network interface\(s\) in /);
    }
    const carried = (conform(inventory(), 'inference').facts.carried as { to: string; protocol: string; ports: string; dst: string[] }[]).map((c) => `${c.to} ${c.protocol} ${c.ports} ${c.dst.join(',')}`);
    expect(carried).toEqual(expect.arrayContaining(['data tcp 6333-6334 10.0.3.20', 'external-ai tcp 443 10.1.1.10,10.1.1.11,10.1.1.12,10.1.1.13', 'management tcp 443 10.0.4.20']));
  });

  test('a latent opening is FAIL: the data group admits the Sydney VPC on 6333 though no route uses it yet; the verdict names the rule, the policy and what blocks it', () => {
    const syd = { id: 'i-syd', kind: 'instance' as const, vpcId: 'vpc-syd', subnetId: 'subnet-endpoints', imds: true, tags: {}, enis: [{ id: 'eni-syd', subnetId: 'subnet-endpoints', ip: '10.1.1.50', groups: ['sg-sydprobe'] }] };
    const base = inventory();
    const inv: Inventory = withGroup({ ...base, hosts: [...base.hosts, syd], groups: new Map([...base.groups, ['sg-sydprobe', { id: 'sg-sydprobe', vpcId: 'vpc-syd', name: 'probe', ingress: [], egress: [{ protocol: '-1', cidrs: ['10.0.0.0/16'], groups: [] }] }]]) },
      'sg-vdb', (g) => ({ ...g, ingress: [...g.ingress, tcp(6333, 6333, '10.1.0.0/16')] }));
    const f = conform(inv, 'sydney');
    expect(f.status).toBe('FAIL');
    expect(f.sentence).toContain('latent: sg-vdb (vectordb) ingress tcp 6333 from 10.1.0.0/16');
    expect(f.sentence).toContain('opens sydney → data tcp 6333, which default-deny denies');
    expect(f.sentence).toMatch(/blocked today only by: no return path: no route to 10\.1\.1\.50 in rtb-data/);
    // Without the rule the same inventory passes: the test can fail.
    expect(conform(withGroup(inv, 'sg-vdb', (g) => ({ ...g, ingress: g.ingress.slice(0, 1) })), 'sydney').status).toBe('PASS');
  });

  test('an ingress rule that admits a forbidden source is judged on its own: latent while the source\'s egress does not name it, carried once it does', () => {
    const open = withGroup(inventory(), 'sg-vdb', (g) => ({ ...g, ingress: [...g.ingress, tcp(6333, 6334, 'sg-app')] }));
    const latent = conform(open, 'application');
    expect(latent.status).toBe('FAIL');
    expect(latent.sentence).toMatch(/latent: sg-vdb \(vectordb\) ingress tcp 6333-6334 from sg-app \(app\) opens application → data tcp 6333-6334, which default-deny denies; blocked today only by: no egress rule of sg-app \(app\) allows tcp 6333-6334 to 10\.0\.3\.20/);
    const carried = conform(withGroup(open, 'sg-app', (g) => ({ ...g, egress: [{ protocol: '-1', cidrs: ['10.0.0.0/16'], groups: [] }] })), 'application');
    expect(carried.status).toBe('FAIL');
    expect(carried.sentence).toMatch(/(^|: )sg-vdb \(vectordb\) ingress tcp 6333-6334 from sg-app \(app\) \(with sg-app \(app\) egress all all to 10\.0\.0\.0\/16\) opens application → data tcp 6333-6334/);
  });

  test('a conformant change stays green: application egress 443 to the inference subnet instead of the proxy group', () => {
    const inv = withGroup(inventory(), 'sg-app', (g) => ({ ...g, egress: [tcp(443, 443, '10.0.2.0/24')] }));
    expect(conform(inv, 'application').status).toBe('PASS');
  });

  test('a carried denied flow is FAIL without "latent": all egress from inference plus a NAT route (NET-012)', () => {
    const inv = withGroup(inventory((m) => { m.inferenceDefault = 'nat-1'; }), 'sg-proxy', (g) => ({ ...g, egress: [...g.egress, { protocol: '-1', cidrs: ['0.0.0.0/0'], groups: [] }] }));
    const f = conform(inv, 'inference');
    expect(f.status).toBe('FAIL');
    expect(f.sentence).toMatch(/(^|: )sg-proxy \(proxy\) egress all all to 0\.0\.0\.0\/0 opens inference → internet tcp all, udp all, which NET-012 denies/);
    expect(f.sentence).not.toMatch(/latent: sg-proxy \(proxy\) egress all all to 0\.0\.0\.0\/0 opens inference → internet/);
    // All egress opens inference → data on every port, which the data group still refuses: no finding there.
    expect(f.sentence).not.toMatch(/inference → data/);
  });

  test('an allowed flow the configuration cannot carry is FAIL: NET-002 with the endpoint group closed, NET-003 with a NACL that denies it', () => {
    const closed = conform(inventory((m) => { m.endpointSgCidr = '10.9.0.0/16'; }), 'inference');
    expect(closed.status).toBe('FAIL');
    expect(closed.sentence).toContain('NET-002 allows inference → external-ai tcp 443, but the configuration cannot carry it: no security-group rule pair opens it');
    const base = inventory();
    const nacl: Inventory = { ...base, vpcs: base.vpcs.map((v) => ({ ...v, subnets: v.subnets.map((s) => (s.name !== 'data' ? s : { ...s, naclId: 'acl-data', nacl: [
      { ruleNumber: 100, egress: false, protocol: '6', action: 'deny' as const, cidr: '10.0.2.0/24', fromPort: 6333, toPort: 6334 },
      { ruleNumber: 200, egress: false, protocol: '-1', action: 'allow' as const, cidr: '0.0.0.0/0' },
      { ruleNumber: 100, egress: true, protocol: '-1', action: 'allow' as const, cidr: '0.0.0.0/0' },
    ] })) })) };
    const f = conform(nacl, 'inference');
    expect(f.status).toBe('FAIL');
    expect(f.sentence).toMatch(/NET-003 allows inference → data tcp 6333, but the configuration cannot carry it: opened by sg-proxy .* but request: NACL acl-data of data inbound rule 100 deny/);
  });

  test('peering is not transitive and a route to the wrong peering connection carries nothing', () => {
    const base = inventory();
    const wrong: Inventory = { ...base, vpcs: base.vpcs.map((v) => ({ ...v, subnets: v.subnets.map((s) => (s.name !== 'inference' ? s : { ...s, routes: [{ destination: '10.1.1.0/24', target: 'peering' as const, targetId: 'pcx-other', state: 'active' }] })) })), peerings: [...base.peerings, { id: 'pcx-other', requesterVpc: 'vpc-nz', accepterVpc: 'vpc-third', status: 'active' }] };
    const f = conform(wrong, 'inference');
    expect(f.status).toBe('FAIL');
    expect(f.sentence).toMatch(/NET-002 .*peering connection pcx-other does not join vpc-nz and vpc-syd \(peering is not transitive\)/);
  });
});

describe('public access closed (bedrock-identity-deny), judged by evaluating the identity policies as IAM does', () => {
  const withPolicy = (document: unknown) => ({ ...inventory(), roles: [{ name: 'pathproof-inference-probe', arn: 'arn:aws:iam::1:role/x', policies: [{ name: 'p', kind: 'inline' as const, document }] }] });
  test('the reference deny PASSes', () => {
    expect(run('bedrock-identity-deny', inventory(), { zone: 'inference' }).status).toBe('PASS');
  });
  test('no deny, a deny of InvokeModel only, or a deny that also blocks the endpoints is FAIL', () => {
    const none = run('bedrock-identity-deny', withPolicy({ Statement: [PRIVATE_ONLY.Statement[1]] }), { zone: 'inference' });
    expect(none.status).toBe('FAIL');
    expect(none.sentence).toMatch(/not denied bedrock:InvokeModel, .*off the private path/);
    const narrow = run('bedrock-identity-deny', withPolicy({ Statement: [{ ...PRIVATE_ONLY.Statement[0], Action: 'bedrock:InvokeModel' }] }), { zone: 'inference' });
    expect(narrow.status).toBe('FAIL');
    expect(narrow.sentence).toMatch(/bedrock:InvokeModelWithResponseStream/);
    const wrongVpce = run('bedrock-identity-deny', withPolicy({ Statement: [{ ...PRIVATE_ONLY.Statement[0], Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-other' } } }] }), { zone: 'inference' });
    expect(wrongVpce.status).toBe('FAIL');
    expect(wrongVpce.sentence).toMatch(/denied even on the private path/);
  });
  test('IAM unread, no role named, or a named role missing is ERROR, never PASS', () => {
    const { roles: _, ...noIam } = inventory();
    expect(run('bedrock-identity-deny', { ...noIam, unread: { iam: 'AccessDenied' } }, { zone: 'inference' }).sentence).toMatch(/^Could not look: IAM could not be read \(AccessDenied\)/);
    expect(run('bedrock-identity-deny', inventory(), { zone: 'data' }).status).toBe('ERROR');
    expect(run('bedrock-identity-deny', { ...inventory(), roles: [] }, { zone: 'inference' }).sentence).toMatch(/IAM role pathproof-inference-probe is not in the inventory/);
  });
});

describe('streaming survives idle gaps (stream-idle-timeouts)', () => {
  const lb = (idle: number, defaulted = false) => ({ arn: 'arn:lb/1', name: 'front-door', type: 'application', scheme: 'internal', vpcId: 'vpc-nz', subnetIds: ['subnet-application'], groups: ['sg-fd'], dnsName: 'internal-fd.elb', idleTimeoutSeconds: idle, idleTimeoutDefaulted: defaulted, addresses: ['10.0.1.200'], tags: {}, listeners: [{ port: 80, protocol: 'HTTP', targets: [{ ip: '10.0.2.20', port: 443, protocol: 'HTTPS' }] }] });
  test('a load balancer on a streaming flow at or above streaming.idleSeconds PASSes; below it FAILs, naming AWS\'s default when unset', () => {
    expect(run('stream-idle-timeouts', { ...inventory(), loadBalancers: [lb(400)] }).status).toBe('PASS');
    const short = run('stream-idle-timeouts', { ...inventory(), loadBalancers: [lb(60, true)] });
    expect(short.status).toBe('FAIL');
    expect(short.sentence).toMatch(/front-door closes idle connections after 60 s \(AWS's default: the attribute was never set\) on NET-001/);
  });
  test('a NAT gateway on a streaming flow is judged by its fixed 350 s', () => {
    const f = run('stream-idle-timeouts', { ...inventory((m) => { m.inferenceDefault = 'nat-1'; }), loadBalancers: [] });
    expect(f.status).toBe('PASS');
    expect(f.examined).toMatch(/1 NAT gateway/);
    const strict = assertions['stream-idle-timeouts']({ inventory: { ...inventory((m) => { m.inferenceDefault = 'nat-1'; }), loadBalancers: [] }, env: { ...env, streaming: { idleSeconds: 400, gapSeconds: 430 } }, catalog: config.catalog, params: {} });
    expect(strict.status).toBe('FAIL');
    expect(strict.sentence).toMatch(/NAT gateway nat-1 drops idle connections after its fixed 350 s/);
  });
  test('nothing on a streaming flow, or load balancers unread, is ERROR, never PASS', () => {
    expect(run('stream-idle-timeouts', { ...inventory(), loadBalancers: [] }).status).toBe('ERROR');
    const { loadBalancers: _, ...noLbs } = { ...inventory(), loadBalancers: [] };
    expect(run('stream-idle-timeouts', { ...noLbs, unread: { elbv2: 'AccessDenied' } }).sentence).toMatch(/^Could not look: the load balancers could not be read \(AccessDenied\)/);
  });
});

describe('DNS Firewall and query logging, judged by the decision procedure the resolver applies', () => {
  const withDns = (change: (d: DnsDefences) => DnsDefences) => { const inv = inventory(); return { ...inv, dns: change(inv.dns!) }; };
  test('the rule group disassociated is FAIL', () => {
    const f = run('dns-firewall', withDns((d) => ({ ...d, associations: [] })), { zone: 'data' });
    expect(f.status).toBe('FAIL');
    expect(f.sentence).toMatch(/No DNS Firewall rule group is associated with pathproof-nz/);
  });
  test('an allow-all (*) domain added to the approved list is FAIL: the final block is never reached', () => {
    const f = run('dns-firewall', withDns((d) => ({ ...d, domainLists: d.domainLists.map((l) => (l.id === 'fdl-ok' ? { ...l, domains: [...l.domains, '*'] } : l)) })), { zone: 'data' });
    expect(f.status).toBe('FAIL');
    expect(f.sentence).toMatch(/www\.example\.com\) is let through by allow \(ALLOW, domain list fdl-ok\)/);
  });
  test('fail-open on is FAIL', () => {
    expect(run('dns-firewall', withDns((d) => ({ ...d, failOpen: { 'vpc-nz': true } })), { zone: 'data' }).sentence).toMatch(/fail-open is on/);
  });
  test('an approved name blocked is FAIL (the zones need it)', () => {
    const f = run('dns-firewall', withDns((d) => ({ ...d, domainLists: d.domainLists.map((l) => (l.id === 'fdl-ok' ? { ...l, domains: l.domains.filter((x) => !x.startsWith('ssm.')) } : l)) })), { zone: 'data' });
    expect(f.status).toBe('FAIL');
    expect(f.sentence).toMatch(/approved name\(s\) the zones need are blocked: ssm\.ap-southeast-6\.amazonaws\.com/);
  });
  test('query logging not associated with the VPC is FAIL; an unreadable Resolver is ERROR for both', () => {
    expect(run('dns-query-logging', withDns((d) => ({ ...d, queryLogs: d.queryLogs.map((c) => ({ ...c, vpcIds: [] })) })), { zone: 'data' }).status).toBe('FAIL');
    const { dns: _, ...rest } = inventory();
    const unread: Inventory = { ...rest, unread: { dns: 'AccessDenied' } };
    for (const name of ['dns-firewall', 'dns-query-logging'] as const) {
      const f = run(name, unread, { zone: 'data' });
      expect(f.status).toBe('ERROR');
      expect(f.sentence).toMatch(/Route 53 Resolver could not be read \(AccessDenied\)/);
    }
  });
});
