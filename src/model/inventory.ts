import type { DnsDefences } from './dns-firewall.ts';

/** The inventory of an AWS environment, as its API describes it: what config checks judge and the twin is built from. Pure data. */

export interface SgRule {
  /** 'tcp' | 'udp' | 'icmp' | '-1' (all). */
  readonly protocol: string;
  readonly fromPort?: number;
  readonly toPort?: number;
  readonly cidrs: readonly string[];
  /** Referenced security group ids: their members' addresses. */
  readonly groups: readonly string[];
}

export interface SecurityGroup { readonly id: string; readonly vpcId: string; readonly name: string; readonly ingress: readonly SgRule[]; readonly egress: readonly SgRule[] }

export type RouteTarget = 'local' | 'peering' | 'internet' | 'nat' | 'other';
export interface Route { readonly destination: string; readonly target: RouteTarget; readonly targetId: string; readonly state: string }

export interface NaclEntry { readonly ruleNumber: number; readonly egress: boolean; readonly protocol: string; readonly action: 'allow' | 'deny'; readonly cidr: string; readonly fromPort?: number; readonly toPort?: number }

export interface Subnet {
  readonly id: string;
  readonly vpcId: string;
  readonly cidr: string;
  readonly name: string;
  readonly zone?: string;
  readonly routeTableId: string;
  readonly routes: readonly Route[];
  readonly naclId?: string;
  readonly nacl: readonly NaclEntry[];
}

export interface Vpc {
  readonly id: string;
  readonly name: string;
  readonly region: string;
  readonly cidr: string;
  readonly dnsSupport: boolean;
  readonly dnsHostnames: boolean;
  readonly subnets: readonly Subnet[];
  readonly flowLogs: readonly { readonly id: string; readonly trafficType: string }[];
}

/** One network interface: an instance's primary ENI, or an interface endpoint's ENI. */
export interface Eni { readonly id: string; readonly subnetId: string; readonly ip: string; readonly groups: readonly string[]; readonly publicIp?: string }

export interface Host {
  /** Instance id, or the endpoint subnet for endpoint ENIs. */
  readonly id: string;
  readonly kind: 'instance' | 'endpoints';
  readonly vpcId: string;
  readonly subnetId: string;
  readonly enis: readonly Eni[];
  readonly imds: boolean;
  readonly tags: Readonly<Record<string, string>>;
  /** The IAM role of the instance profile, by name (the credentials IMDS hands the host). */
  readonly role?: string;
}

/** An Elastic Load Balancing v2 load balancer, its idle time-out and where its listeners forward. */
export interface LoadBalancer {
  readonly arn: string;
  readonly name: string;
  readonly type: string;
  readonly scheme: string;
  readonly vpcId: string;
  readonly subnetIds: readonly string[];
  readonly groups: readonly string[];
  readonly dnsName: string;
  /** `idle_timeout.timeout_seconds` (application load balancers) or `tcp.idle_timeout.seconds` (network). */
  readonly idleTimeoutSeconds: number;
  /** True when the API did not say and AWS's documented default was used (60 s for an ALB, 350 s for an NLB). */
  readonly idleTimeoutDefaulted: boolean;
  readonly listeners: readonly { readonly port: number; readonly protocol: string; readonly targets: readonly { readonly ip: string; readonly port: number; readonly protocol: string }[] }[];
  /** Its private addresses: those of its network interfaces (one per subnet), described "ELB app/NAME/ID". */
  readonly addresses: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
}

/** An IAM role and the identity policies that apply to it (inline and attached managed). */
export interface IamRole {
  readonly name: string;
  readonly arn: string;
  readonly policies: readonly { readonly name: string; readonly kind: 'inline' | 'managed'; readonly document: unknown }[];
}

export interface Endpoint {
  readonly id: string;
  readonly vpcId: string;
  readonly service: string;
  readonly serviceName: string;
  readonly region: string;
  readonly privateDns: boolean;
  readonly policy: unknown;
  readonly eniIds: readonly string[];
  readonly groups: readonly string[];
  readonly dnsNames: readonly string[];
}

export interface Peering { readonly id: string; readonly requesterVpc: string; readonly accepterVpc: string; readonly status: string }

export interface HostedZone {
  readonly id: string;
  readonly name: string;
  readonly private: boolean;
  readonly vpcIds: readonly string[];
  readonly records: readonly { readonly name: string; readonly type: string; readonly values: readonly string[]; readonly aliasDnsName?: string }[];
}

export interface Inventory {
  readonly vpcs: readonly Vpc[];
  readonly groups: ReadonlyMap<string, SecurityGroup>;
  readonly hosts: readonly Host[];
  readonly endpoints: readonly Endpoint[];
  readonly peerings: readonly Peering[];
  readonly hostedZones: readonly HostedZone[];
  /** Route 53 Resolver DNS Firewall and query logging; undefined when they could not be read (the reason in `unread`). */
  readonly dns?: DnsDefences;
  /** Load balancers (ELBv2) in the regions read; undefined when they could not be read. */
  readonly loadBalancers?: readonly LoadBalancer[];
  /** IAM roles of the hosts' instance profiles and of the roles the environment names; undefined when IAM could not be read. */
  readonly roles?: readonly IamRole[];
  /** What could not be read, and why (an assertion over it is ERROR, never PASS). */
  readonly unread?: Readonly<Record<string, string>>;
  /** Where the emulator said something AWS never would, and what the twin used instead. */
  readonly corrections: readonly string[];
}

/** The VPC an environment names by id or by `tag:Name=…`. */
export function findVpc(inv: Pick<Inventory, 'vpcs'>, ref: string): Vpc | undefined {
  const byName = /^tag:Name=(.+)$/.exec(ref)?.[1];
  return inv.vpcs.find((v) => (byName ? v.name === byName : v.id === ref));
}
