import { z } from 'zod';
import { IssueCollector } from '../../src/shared/issues.ts';
import { YamlSource } from '../../src/shared/yaml-source.ts';
import { intToIpv4, ipv4ToInt } from '../../src/model/cidr.ts';
import type { Host, Inventory, LoadBalancer } from '../../src/model/inventory.ts';

const cidr = z.string().regex(/^(?:\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/);
const Rule = z.strictObject({
  protocol: z.enum(['tcp', 'udp', '-1']),
  ports: z.tuple([z.number().int(), z.number().int()]).optional(),
  cidr: cidr.optional(),
  group: z.string().optional(),
});
const Vpc = z.strictObject({
  name: z.string(),
  region: z.string(),
  cidr,
  dns: z.strictObject({ support: z.boolean(), hostnames: z.boolean() }),
  flowLogs: z.boolean(),
  subnets: z.record(z.string(), z.strictObject({
    cidr,
    zone: z.string().optional(),
    routes: z.array(z.strictObject({ cidr, via: z.enum(['peering', 'internet', 'nat']), /** Which peer VPC, when there are several. */ peer: z.string().optional() })),
  })),
  securityGroups: z.record(z.string(), z.strictObject({ description: z.string(), ingress: z.array(Rule), egress: z.array(Rule) })),
  instances: z.record(z.string(), z.strictObject({
    subnet: z.string(), ip: z.string(), groups: z.array(z.string()).min(1),
    imds: z.enum(['enabled', 'disabled']).default('enabled'),
    publicIp: z.string().optional(),
    /** An IAM role of `roles`, given to the instance through an instance profile of the same name. */
    role: z.string().optional(),
    tags: z.record(z.string(), z.string()),
  })).default({}),
  /** Application load balancers: one HTTP listener forwarding to IP targets (in this VPC), with the idle time-out set. */
  loadBalancers: z.record(z.string(), z.strictObject({
    subnets: z.array(z.string()).min(1),
    groups: z.array(z.string()).min(1),
    listener: z.strictObject({ port: z.number().int(), protocol: z.enum(['HTTP']) }),
    targets: z.strictObject({ protocol: z.enum(['HTTP', 'HTTPS']), port: z.number().int(), ips: z.array(z.string()).min(1) }),
    /** idle_timeout.timeout_seconds; AWS's default is 60. */
    idleTimeoutSeconds: z.number().int().min(1).max(4000).optional(),
    tags: z.record(z.string(), z.string()).default({}),
  })).default({}),
  endpoints: z.strictObject({
    services: z.array(z.string()).min(1),
    subnet: z.string(),
    groups: z.array(z.string()),
    privateDns: z.boolean(),
    policy: z.record(z.string(), z.unknown()),
  }).optional(),
});

/** A reference topology: the AWS resources the seeder creates in the emulator. */
export const TopologyFile = z.strictObject({
  name: z.string(),
  vpcs: z.record(z.string(), Vpc),
  peering: z.strictObject({ requester: z.string(), accepter: z.string() }).optional(),
  privateHostedZones: z.strictObject({ vpc: z.string(), endpointsOf: z.string() }).optional(),
  /** Additional peerings (a chain of them shows that peering is not transitive). */
  extraPeerings: z.array(z.strictObject({ requester: z.string(), accepter: z.string() })).default([]),
  /** Plain private hosted zones: name, associated VPC and A records. */
  hostedZones: z.array(z.strictObject({ name: z.string(), vpc: z.string(), records: z.record(z.string(), z.string()) })).default([]),
  /**
   * IAM roles (trusted by EC2, each with an instance profile of its name) and their inline policies.
   * In a policy, "${endpoints.KEY}" stands for the ids of VPC KEY's interface endpoints and
   * "${vpc.KEY}" for VPC KEY's id.
   */
  roles: z.record(z.string().regex(/^[\w+=,.@-]{1,64}$/), z.strictObject({ policies: z.record(z.string(), z.record(z.string(), z.unknown())) })).default({}),
  /** Route 53 Resolver DNS Firewall and query logging, one entry per VPC: approved names allowed, everything else blocked. */
  dnsFirewall: z.array(z.strictObject({
    vpc: z.string(),
    name: z.string(),
    approved: z.array(z.string()).min(1),
    blockResponse: z.enum(['NODATA', 'NXDOMAIN', 'OVERRIDE']).default('NXDOMAIN'),
    failOpen: z.boolean().default(false),
    queryLogGroup: z.string(),
  })).optional(),
});

export type Topology = z.infer<typeof TopologyFile>;
export type TopologyVpc = z.infer<typeof Vpc>;

export function loadTopology(file: string): Topology {
  const issues = new IssueCollector();
  const src = YamlSource.read(file, issues);
  const topo = src?.validate(TopologyFile, issues);
  issues.throwIfAny();
  return topo!;
}

/**
 * A topology's tagged resources as the twin would be built from them, without an emulator: the
 * VPCs and subnets (pathproof:zone), instances and load balancers (pathproof:service), and the
 * endpoints' network interfaces, at the addresses the inventory reader gives what the emulator
 * leaves out (endpoint ENIs from the subnet's base + 10, a load balancer at base + 200). For the
 * commands that need a twin environment's discovered addresses while no twin runs (audit); a run
 * discovers from the emulator's real state.
 */
export function topologyInventory(topo: Topology): Inventory {
  const base = (cidr: string) => ipv4ToInt(cidr.split('/')[0]!)!;
  const vpcs = Object.entries(topo.vpcs).map(([key, v]) => ({
    id: `vpc-${key}`, name: v.name, region: v.region, cidr: v.cidr, dnsSupport: v.dns.support, dnsHostnames: v.dns.hostnames, flowLogs: [],
    subnets: Object.entries(v.subnets).map(([n, s]) => ({ id: `subnet-${key}-${n}`, vpcId: `vpc-${key}`, cidr: s.cidr, name: `${v.name}-${n}`, ...(s.zone ? { zone: s.zone } : {}), routeTableId: `rtb-${key}-${n}`, routes: [], nacl: [] })),
  }));
  const hosts: Host[] = Object.entries(topo.vpcs).flatMap(([key, v]) => [
    ...Object.entries(v.instances).map(([n, i]): Host => ({ id: `i-${n}`, kind: 'instance', vpcId: `vpc-${key}`, subnetId: `subnet-${key}-${i.subnet}`, imds: i.imds === 'enabled', tags: { Name: n, ...i.tags }, enis: [{ id: `eni-${n}`, subnetId: `subnet-${key}-${i.subnet}`, ip: i.ip, groups: [] }] })),
    ...(v.endpoints ? [{ id: `vpce-subnet-${key}`, kind: 'endpoints' as const, vpcId: `vpc-${key}`, subnetId: `subnet-${key}-${v.endpoints.subnet}`, imds: false, tags: {}, enis: v.endpoints.services.map((s, i) => ({ id: `eni-${s}`, subnetId: `subnet-${key}-${v.endpoints!.subnet}`, ip: intToIpv4(base(v.subnets[v.endpoints!.subnet]!.cidr) + 10 + i), groups: [] })) }] : []),
  ]);
  const loadBalancers: LoadBalancer[] = Object.entries(topo.vpcs).flatMap(([key, v]) => Object.entries(v.loadBalancers).map(([n, lb]) => ({
    arn: `arn:lb/${n}`, name: `${v.name}-${n}`, type: 'application', scheme: 'internal', vpcId: `vpc-${key}`, subnetIds: lb.subnets.map((s) => `subnet-${key}-${s}`), groups: [], dnsName: `${n}.elb`,
    idleTimeoutSeconds: lb.idleTimeoutSeconds ?? 60, idleTimeoutDefaulted: lb.idleTimeoutSeconds === undefined, listeners: [],
    addresses: [intToIpv4(base(v.subnets[lb.subnets[0]!]!.cidr) + 200)], tags: lb.tags,
  })));
  const endpoints = Object.entries(topo.vpcs).flatMap(([key, v]) => (v.endpoints?.services ?? []).map((s) => ({
    id: `vpce-${s}`, vpcId: `vpc-${key}`, service: s, serviceName: `com.amazonaws.${v.region}.${s}`, region: v.region, privateDns: v.endpoints!.privateDns, policy: v.endpoints!.policy, eniIds: [`eni-${s}`], groups: [], dnsNames: [],
  })));
  return { vpcs, groups: new Map(), hosts, endpoints, peerings: [], hostedZones: [], loadBalancers, corrections: [] };
}
