import {
  DescribeFlowLogsCommand, DescribeInstancesCommand, DescribeNetworkAclsCommand, DescribeNetworkInterfacesCommand, DescribeRouteTablesCommand, DescribeSecurityGroupsCommand, DescribeSubnetsCommand, DescribeVpcAttributeCommand, DescribeVpcEndpointsCommand, DescribeVpcPeeringConnectionsCommand, DescribeVpcsCommand, EC2Client, type IpPermission, type DescribeVpcsCommandOutput, type DescribeSubnetsCommandOutput, type DescribeRouteTablesCommandOutput, type DescribeNetworkAclsCommandOutput, type DescribeFlowLogsCommandOutput, type DescribeNetworkInterfacesCommandOutput, type DescribeVpcEndpointsCommandOutput, type DescribeInstancesCommandOutput,
} from '@aws-sdk/client-ec2';
import { GetHostedZoneCommand, ListHostedZonesCommand, ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import {
  ListFirewallConfigsCommand, ListFirewallDomainListsCommand, ListFirewallDomainsCommand, ListFirewallRuleGroupAssociationsCommand, ListFirewallRuleGroupsCommand,
  ListFirewallRulesCommand, ListResolverQueryLogConfigAssociationsCommand, ListResolverQueryLogConfigsCommand, Route53ResolverClient,
} from '@aws-sdk/client-route53resolver';
import { GetInstanceProfileCommand, GetPolicyCommand, GetPolicyVersionCommand, GetRoleCommand, GetRolePolicyCommand, IAMClient, ListAttachedRolePoliciesCommand, ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import { DescribeListenersCommand, DescribeLoadBalancerAttributesCommand, DescribeLoadBalancersCommand, DescribeTagsCommand, DescribeTargetGroupsCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { cidrContains, intToIpv4, ipv4ToInt } from '../model/cidr.ts';
import type { BlockResponse, DnsDefences, FirewallAction } from '../model/dns-firewall.ts';
import type { Endpoint, Eni, Host, HostedZone, IamRole, LoadBalancer, NaclEntry, Peering, Route, RouteTarget, SecurityGroup, SgRule, Subnet, Inventory, Vpc } from '../model/inventory.ts';

const tagsOf = (tags?: { Key?: string; Value?: string }[]) => Object.fromEntries((tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));

/** Where the inventory reads from: one EC2 client per region, and Route 53 (global, in the account that owns the zones). */
export interface InventorySource {
  ec2(region: string): EC2Client;
  route53(): Route53Client;
  route53resolver(region: string): Route53ResolverClient;
  /** IAM (global) of the account whose zones' roles are read. */
  iam(): IAMClient;
  elbv2(region: string): ElasticLoadBalancingV2Client;
}

/** A source over one endpoint and one set of credentials (the emulator, or a single account). */
export function endpointSource(aws: { endpoint?: string; credentials: { accessKeyId: string; secretAccessKey: string } }): InventorySource & { destroy(): void } {
  const made: { destroy(): void }[] = [];
  const cfg = { ...(aws.endpoint ? { endpoint: aws.endpoint } : {}), credentials: aws.credentials };
  return {
    ec2: (region) => { const c = new EC2Client({ region, ...cfg }); made.push(c); return c; },
    route53: () => { const c = new Route53Client({ region: 'us-east-1', ...cfg }); made.push(c); return c; },
    route53resolver: (region) => { const c = new Route53ResolverClient({ region, ...cfg }); made.push(c); return c; },
    iam: () => { const c = new IAMClient({ region: 'us-east-1', ...cfg }); made.push(c); return c; },
    elbv2: (region) => { const c = new ElasticLoadBalancingV2Client({ region, ...cfg }); made.push(c); return c; },
    destroy: () => { for (const c of made) c.destroy(); },
  };
}

/**
 * Reads the AWS resources that decide network paths in the given regions: VPCs and their DNS
 * attributes, subnets, route tables, security groups, network ACLs, instances, interface
 * endpoints and their ENIs, peering, flow logs, and Route 53 hosted zones with their records.
 * Where the API says something AWS never would, `corrections` says what was used instead.
 */
export async function readState(source: InventorySource, regions: readonly string[], log: (line: string) => void, wanted: { readonly roles?: readonly string[] } = {}): Promise<Inventory> {
  const corrections: string[] = [];
  const correct = (msg: string) => { corrections.push(msg); log(`twin: corrected: ${msg}`); };
  const vpcs: Vpc[] = [];
  const groups = new Map<string, SecurityGroup>();
  const hosts: Host[] = [];
  const endpoints: Endpoint[] = [];
  const peerings = new Map<string, Peering>();
  const publicCount = { n: 0 };
  /** instance id → instance profile ARN */
  const instanceProfiles = new Map<string, string>();
  /** A load balancer's network interfaces, by their description "ELB app/NAME/ID" → addresses. */
  const balancerEnis = new Map<string, string[]>();

  for (const region of regions) {
    const ec2 = source.ec2(region);
    const [vpcOut, subnetOut, rtOut, sgOut, aclOut, eniOut, instOut, epOut, pcxOut, flOut] = await Promise.all([
      ec2.send(new DescribeVpcsCommand({})), ec2.send(new DescribeSubnetsCommand({})), ec2.send(new DescribeRouteTablesCommand({})),
      ec2.send(new DescribeSecurityGroupsCommand({})), ec2.send(new DescribeNetworkAclsCommand({})), ec2.send(new DescribeNetworkInterfacesCommand({})),
      ec2.send(new DescribeInstancesCommand({})), ec2.send(new DescribeVpcEndpointsCommand({})), ec2.send(new DescribeVpcPeeringConnectionsCommand({})),
      ec2.send(new DescribeFlowLogsCommand({})),
    ]);
    for (const g of sgOut.SecurityGroups ?? []) {
      groups.set(g.GroupId!, { id: g.GroupId!, vpcId: g.VpcId ?? '', name: g.GroupName ?? '', ingress: (g.IpPermissions ?? []).map(rule), egress: (g.IpPermissionsEgress ?? []).map(rule) });
    }
    vpcs.push(...await readVpcs(ec2, region, { vpcOut, subnetOut, rtOut, aclOut, flOut }));
    const instances = readInstances(instOut, (id, ip) => publicAddress(id, ip, publicCount, correct));
    for (const r of instOut.Reservations ?? []) for (const i of r.Instances ?? []) if (i.IamInstanceProfile?.Arn) instanceProfiles.set(i.InstanceId!, i.IamInstanceProfile.Arn);
    hosts.push(...instances);
    for (const n of eniOut.NetworkInterfaces ?? []) {
      if (n.Description?.startsWith('ELB ') && n.PrivateIpAddress) (balancerEnis.get(n.Description) ?? balancerEnis.set(n.Description, []).get(n.Description)!).push(n.PrivateIpAddress);
    }
    const eps = readEndpoints(region, { epOut, eniOut, subnetOut }, new Set(instances.flatMap((h) => h.enis.map((e) => e.ip))), correct, log);
    endpoints.push(...eps.endpoints);
    hosts.push(...eps.hosts);
    for (const p of pcxOut.VpcPeeringConnections ?? []) {
      peerings.set(p.VpcPeeringConnectionId!, { id: p.VpcPeeringConnectionId!, requesterVpc: p.RequesterVpcInfo?.VpcId ?? '', accepterVpc: p.AccepterVpcInfo?.VpcId ?? '', status: p.Status?.Code ?? '' });
    }
  }
  const vpcIds = new Set(vpcs.map((v) => v.id));
  const [hostedZones, dns, iam, lbs] = await Promise.all([
    readHostedZones(source.route53()),
    Promise.all(regions.map((r) => readDnsDefences(source.route53resolver(r), vpcIds))).then(mergeDefences, (e: unknown) => new Error(`Route 53 Resolver: ${(e as Error).message}`)),
    readRoles(source.iam(), instanceProfiles, wanted.roles ?? []).catch((e: unknown) => new Error(`IAM: ${(e as Error).message}`)),
    Promise.all(regions.map((r) => readLoadBalancers(source.elbv2(r), correct))).then((x) => placeBalancers(x.flat(), balancerEnis, vpcs, correct), (e: unknown) => new Error(`Elastic Load Balancing: ${(e as Error).message}`)),
  ]);
  const unread = { ...(dns instanceof Error ? { dns: dns.message } : {}), ...(iam instanceof Error ? { iam: iam.message } : {}), ...(lbs instanceof Error ? { elbv2: lbs.message } : {}) };
  const withRoles = iam instanceof Error ? hosts : hosts.map((h) => (instanceProfiles.has(h.id) ? { ...h, ...(iam.byProfile.get(instanceProfiles.get(h.id)!) ? { role: iam.byProfile.get(instanceProfiles.get(h.id)!)! } : {}) } : h));
  return {
    vpcs, groups, hosts: withRoles, endpoints, peerings: [...peerings.values()], hostedZones, corrections,
    ...(dns instanceof Error ? {} : { dns }),
    ...(iam instanceof Error ? {} : { roles: iam.roles }),
    ...(lbs instanceof Error ? {} : { loadBalancers: lbs }),
    ...(Object.keys(unread).length ? { unread } : {}),
  };
}

type Described = {
  vpcOut: DescribeVpcsCommandOutput; subnetOut: DescribeSubnetsCommandOutput; rtOut: DescribeRouteTablesCommandOutput;
  aclOut: DescribeNetworkAclsCommandOutput; flOut: DescribeFlowLogsCommandOutput; eniOut: DescribeNetworkInterfacesCommandOutput;
  epOut: DescribeVpcEndpointsCommandOutput; instOut: DescribeInstancesCommandOutput;
};

/** The VPCs of a region with their DNS attributes, subnets (route table and NACL each) and flow logs. */
async function readVpcs(ec2: EC2Client, region: string, { vpcOut, subnetOut, rtOut, aclOut, flOut }: Pick<Described, 'vpcOut' | 'subnetOut' | 'rtOut' | 'aclOut' | 'flOut'>): Promise<Vpc[]> {
  const vpcs: Vpc[] = [];
  const rts = rtOut.RouteTables ?? [];
  const mainRt = (vpcId: string) => rts.find((t) => t.VpcId === vpcId && t.Associations?.some((a) => a.Main));
  for (const v of vpcOut.Vpcs ?? []) {
    const [sup, host] = await Promise.all([
      ec2.send(new DescribeVpcAttributeCommand({ VpcId: v.VpcId!, Attribute: 'enableDnsSupport' })),
      ec2.send(new DescribeVpcAttributeCommand({ VpcId: v.VpcId!, Attribute: 'enableDnsHostnames' })),
    ]);
    const subnets: Subnet[] = (subnetOut.Subnets ?? []).filter((s) => s.VpcId === v.VpcId).map((s) => {
      const rt = rts.find((t) => t.Associations?.some((a) => a.SubnetId === s.SubnetId)) ?? mainRt(v.VpcId!);
      const acl = (aclOut.NetworkAcls ?? []).find((a) => a.Associations?.some((x) => x.SubnetId === s.SubnetId)) ?? (aclOut.NetworkAcls ?? []).find((a) => a.VpcId === v.VpcId && a.IsDefault);
      const t = tagsOf(s.Tags);
      return {
        id: s.SubnetId!, vpcId: v.VpcId!, cidr: s.CidrBlock!, name: t.Name ?? s.SubnetId!, ...(t['pathproof:zone'] ? { zone: t['pathproof:zone'] } : {}),
        routeTableId: rt?.RouteTableId ?? '', routes: (rt?.Routes ?? []).filter((r) => r.DestinationCidrBlock).map((r): Route => ({
          destination: r.DestinationCidrBlock!, state: r.State ?? 'active', ...routeTarget(r),
        })),
        ...(acl?.NetworkAclId ? { naclId: acl.NetworkAclId } : {}),
        nacl: (acl?.Entries ?? []).map((e): NaclEntry => ({
          ruleNumber: e.RuleNumber ?? 32767, egress: !!e.Egress, protocol: e.Protocol ?? '-1', action: e.RuleAction === 'allow' ? 'allow' : 'deny',
          cidr: e.CidrBlock ?? '0.0.0.0/0', ...(e.PortRange ? { fromPort: e.PortRange.From!, toPort: e.PortRange.To! } : {}),
        })).sort((a, b) => a.ruleNumber - b.ruleNumber),
      };
    });
    vpcs.push({
      id: v.VpcId!, name: tagsOf(v.Tags).Name ?? v.VpcId!, region, cidr: v.CidrBlock!,
      dnsSupport: sup.EnableDnsSupport?.Value ?? true, dnsHostnames: host.EnableDnsHostnames?.Value ?? false,
      subnets, flowLogs: (flOut.FlowLogs ?? []).filter((f) => f.ResourceId === v.VpcId).map((f) => ({ id: f.FlowLogId!, trafficType: f.TrafficType ?? '' })),
    });
  }
  return vpcs;
}

/** Emulators hand out real-looking public addresses; the twin's internet uses documentation ranges only. */
function publicAddress(id: string, ip: string | undefined, count: { n: number }, correct: (msg: string) => void): { publicIp?: string } {
  if (!ip) return {};
  if (['192.0.2.', '198.51.100.', '203.0.113.'].some((p) => ip.startsWith(p))) return { publicIp: ip };
  const fixed = `192.0.2.${200 + (count.n++ % 50)}`;
  correct(`${id} has public address ${ip}; the twin's internet uses documentation ranges, so it stands in as ${fixed}`);
  return { publicIp: fixed };
}

/** Running instances, each with its primary ENI's address and groups. */
function readInstances(instOut: DescribeInstancesCommandOutput, publicIp: (id: string, ip?: string) => { publicIp?: string }): Host[] {
  const hosts: Host[] = [];
  for (const r of instOut.Reservations ?? []) {
    for (const i of r.Instances ?? []) {
      if (i.State?.Name !== 'running' || !i.SubnetId || !i.PrivateIpAddress) continue;
      hosts.push({
        id: i.InstanceId!, kind: 'instance', vpcId: i.VpcId!, subnetId: i.SubnetId, tags: tagsOf(i.Tags),
        imds: i.MetadataOptions?.HttpEndpoint !== 'disabled',
        // Security groups belong to the ENI: read them there (an instance-level list may be empty).
        enis: [{ id: i.NetworkInterfaces?.[0]?.NetworkInterfaceId ?? i.InstanceId!, subnetId: i.SubnetId, ip: i.PrivateIpAddress, groups: [...new Set([...(i.NetworkInterfaces?.[0]?.Groups ?? []), ...(i.SecurityGroups ?? [])].map((g) => g.GroupId!))], ...publicIp(i.InstanceId!, i.PublicIpAddress) }],
      });
    }
  }
  return hosts;
}

/** Interface endpoints (available ones), and their ENIs as one host per subnet; addresses corrected where the emulator strays. */
function readEndpoints(region: string, { epOut, eniOut, subnetOut }: Pick<Described, 'epOut' | 'eniOut' | 'subnetOut'>, used: Set<string>, correct: (msg: string) => void, log: (line: string) => void): { endpoints: Endpoint[]; hosts: Host[] } {
  const endpoints: Endpoint[] = [];
  const hosts: Host[] = [];
  const subnetCidr = new Map((subnetOut.Subnets ?? []).map((s) => [s.SubnetId!, s.CidrBlock!]));
  // Interface endpoints: their ENIs live in one namespace per subnet; each ENI keeps its endpoint's groups.
  const enis = new Map((eniOut.NetworkInterfaces ?? []).map((n) => [n.NetworkInterfaceId!, n]));
  const bySubnet = new Map<string, Eni[]>();
  for (const ep of [...(epOut.VpcEndpoints ?? [])].sort((a, b) => (a.ServiceName ?? '').localeCompare(b.ServiceName ?? ''))) {
    if (ep.VpcEndpointType !== 'Interface') continue;
    // Deleted and failed endpoints stay listed for a while (in AWS too); they carry no traffic.
    if ((ep.State ?? 'available').toLowerCase() !== 'available') {
      log(`twin: endpoint ${ep.VpcEndpointId} (${ep.ServiceName}) is ${ep.State}: not built`);
      continue;
    }
    const service = (ep.ServiceName ?? '').split('.').slice(3).join('.');
    const groupsOfEp = (ep.Groups ?? []).map((g) => g.GroupId!);
    for (const id of ep.NetworkInterfaceIds ?? []) {
      const n = enis.get(id);
      const subnetId = n?.SubnetId ?? ep.SubnetIds?.[0] ?? '';
      const cidr = subnetCidr.get(subnetId) ?? '';
      let ip = n?.PrivateIpAddress ?? '';
      if (!ip || !cidrContains(cidr, ip) || used.has(ip)) {
        const fixed = nextFree(cidr, used);
        correct(`${id} of ${ep.VpcEndpointId} (${service}) has address ${ip || 'none'}, outside its subnet ${subnetId} ${cidr}; AWS always allocates from the subnet, so the twin uses ${fixed}`);
        ip = fixed;
      }
      used.add(ip);
      const list = bySubnet.get(subnetId) ?? [];
      list.push({ id, subnetId, ip, groups: groupsOfEp });
      bySubnet.set(subnetId, list);
    }
    let policy: unknown = null;
    try { policy = ep.PolicyDocument ? JSON.parse(ep.PolicyDocument) : null; } catch { policy = null; }
    endpoints.push({
      id: ep.VpcEndpointId!, vpcId: ep.VpcId!, service, serviceName: ep.ServiceName ?? '', region, privateDns: !!ep.PrivateDnsEnabled, policy,
      eniIds: ep.NetworkInterfaceIds ?? [], groups: groupsOfEp, dnsNames: (ep.DnsEntries ?? []).map((d) => d.DnsName ?? '').filter(Boolean),
    });
  }
  for (const [subnetId, list] of bySubnet) {
    const s = (subnetOut.Subnets ?? []).find((x) => x.SubnetId === subnetId);
    hosts.push({ id: `vpce-${subnetId}`, kind: 'endpoints', vpcId: s?.VpcId ?? '', subnetId, enis: list, imds: false, tags: {} });
  }
  return { endpoints, hosts };
}

function rule(p: IpPermission): SgRule {
  const proto = p.IpProtocol ?? '-1';
  return {
    protocol: proto === '6' ? 'tcp' : proto === '17' ? 'udp' : proto,
    ...(p.FromPort !== undefined && p.FromPort !== -1 ? { fromPort: p.FromPort } : {}),
    ...(p.ToPort !== undefined && p.ToPort !== -1 ? { toPort: p.ToPort } : {}),
    cidrs: (p.IpRanges ?? []).map((r) => r.CidrIp!).filter(Boolean),
    groups: (p.UserIdGroupPairs ?? []).map((g) => g.GroupId!).filter(Boolean),
  };
}

function routeTarget(r: { GatewayId?: string; NatGatewayId?: string; VpcPeeringConnectionId?: string; TransitGatewayId?: string; EgressOnlyInternetGatewayId?: string }): { target: RouteTarget; targetId: string } {
  if (r.GatewayId === 'local') return { target: 'local', targetId: 'local' };
  if (r.VpcPeeringConnectionId) return { target: 'peering', targetId: r.VpcPeeringConnectionId };
  if (r.NatGatewayId) return { target: 'nat', targetId: r.NatGatewayId };
  if (r.GatewayId?.startsWith('igw-')) return { target: 'internet', targetId: r.GatewayId };
  return { target: 'other', targetId: r.GatewayId ?? r.TransitGatewayId ?? r.EgressOnlyInternetGatewayId ?? 'unknown' };
}

/** The first address from base+10 that is free: AWS reserves base..base+3 and the broadcast. */
function nextFree(cidr: string, used: Set<string>): string {
  const [base, bits] = cidr.split('/');
  const b = ipv4ToInt(base ?? '0.0.0.0') ?? 0;
  const size = 2 ** (32 - Number(bits));
  for (let off = 10; off < size - 1; off++) {
    const n = b + off;
    const ip = intToIpv4(n);
    if (!used.has(ip)) return ip;
  }
  throw new Error(`no free address left in ${cidr}`);
}

/**
 * DNS Firewall (rule group associations of these VPCs, their rules and domain lists, fail-open per
 * VPC) and Resolver query logging (configurations and the VPCs they cover), in one region.
 */
async function readDnsDefences(r: Route53ResolverClient, vpcIds: ReadonlySet<string>): Promise<DnsDefences> {
  const [assoc, groupsOut, listsOut, configs, qlc, qla] = await Promise.all([
    r.send(new ListFirewallRuleGroupAssociationsCommand({})), r.send(new ListFirewallRuleGroupsCommand({})), r.send(new ListFirewallDomainListsCommand({})),
    r.send(new ListFirewallConfigsCommand({})), r.send(new ListResolverQueryLogConfigsCommand({})), r.send(new ListResolverQueryLogConfigAssociationsCommand({})),
  ]);
  const associations = (assoc.FirewallRuleGroupAssociations ?? []).filter((a) => vpcIds.has(a.VpcId ?? ''))
    .map((a) => ({ id: a.Id!, name: a.Name ?? '', vpcId: a.VpcId!, ruleGroupId: a.FirewallRuleGroupId!, priority: a.Priority ?? 0, status: a.Status ?? '' }));
  const used = new Set(associations.map((a) => a.ruleGroupId));
  const ruleGroups = await Promise.all((groupsOut.FirewallRuleGroups ?? []).filter((g) => used.has(g.Id!)).map(async (g) => {
    const rules = await r.send(new ListFirewallRulesCommand({ FirewallRuleGroupId: g.Id! }));
    return {
      id: g.Id!, name: g.Name ?? '',
      rules: (rules.FirewallRules ?? []).map((x) => ({
        name: x.Name ?? '', priority: x.Priority ?? 0, action: x.Action as FirewallAction, domainListId: x.FirewallDomainListId ?? '',
        ...(x.BlockResponse ? { blockResponse: x.BlockResponse as BlockResponse } : {}),
        ...(x.BlockOverrideDomain ? { blockOverrideDomain: x.BlockOverrideDomain, blockOverrideTtl: x.BlockOverrideTtl ?? 0 } : {}),
      })),
    };
  }));
  const listIds = new Set(ruleGroups.flatMap((g) => g.rules.map((x) => x.domainListId)));
  const domainLists = await Promise.all((listsOut.FirewallDomainLists ?? []).filter((l) => listIds.has(l.Id!)).map(async (l) => {
    const domains: string[] = [];
    for (let token: string | undefined, first = true; first || token; first = false) {
      const page = await r.send(new ListFirewallDomainsCommand({ FirewallDomainListId: l.Id!, ...(token ? { NextToken: token } : {}) }));
      domains.push(...(page.Domains ?? []));
      token = page.NextToken;
    }
    return { id: l.Id!, name: l.Name ?? '', domains };
  }));
  const failOpen = Object.fromEntries((configs.FirewallConfigs ?? []).filter((c) => vpcIds.has(c.ResourceId ?? '')).map((c) => [c.ResourceId!, c.FirewallFailOpen === 'ENABLED']));
  const queryLogs = (qlc.ResolverQueryLogConfigs ?? []).map((c) => ({
    id: c.Id!, name: c.Name ?? '', destinationArn: c.DestinationArn ?? '',
    vpcIds: (qla.ResolverQueryLogConfigAssociations ?? []).filter((a) => a.ResolverQueryLogConfigId === c.Id && a.Status !== 'DELETING' && a.Status !== 'FAILED').map((a) => a.ResourceId!).filter((v) => vpcIds.has(v)),
  }));
  return { domainLists, ruleGroups, associations, failOpen, queryLogs };
}

/**
 * Load balancers with their idle time-out and where their listeners forward (target groups of IP or
 * instance targets). An idle time-out the API leaves out is AWS's documented default, said as a
 * correction: 60 s for an application load balancer, 350 s for a network load balancer.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#connection-idle-timeout
 */
async function readLoadBalancers(elb: ElasticLoadBalancingV2Client, correct: (msg: string) => void): Promise<Omit<LoadBalancer, 'addresses'>[]> {
  const out = await elb.send(new DescribeLoadBalancersCommand({}));
  const arns = (out.LoadBalancers ?? []).map((lb) => lb.LoadBalancerArn!);
  // DescribeTags takes at most 20 ARNs a call.
  const tagged = new Map<string, Record<string, string>>();
  for (let i = 0; i < arns.length; i += 20) {
    const t = await elb.send(new DescribeTagsCommand({ ResourceArns: arns.slice(i, i + 20) }));
    for (const d of t.TagDescriptions ?? []) tagged.set(d.ResourceArn!, tagsOf(d.Tags));
  }
  return Promise.all((out.LoadBalancers ?? []).map(async (lb): Promise<Omit<LoadBalancer, 'addresses'>> => {
    const arn = lb.LoadBalancerArn!;
    const [attrs, listeners, groups] = await Promise.all([
      elb.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: arn })),
      elb.send(new DescribeListenersCommand({ LoadBalancerArn: arn })),
      elb.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: arn })),
    ]);
    const nlb = lb.Type === 'network';
    const key = nlb ? 'tcp.idle_timeout.seconds' : 'idle_timeout.timeout_seconds';
    const given = attrs.Attributes?.find((a) => a.Key === key)?.Value;
    const idle = given !== undefined && /^\d+$/.test(given) ? Number(given) : nlb ? 350 : 60;
    if (given === undefined) correct(`load balancer ${lb.LoadBalancerName}: the API gave no ${key}; AWS's default ${idle} s is used`);
    const targets = new Map(await Promise.all((groups.TargetGroups ?? []).map(async (g) => {
      const health = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: g.TargetGroupArn! }));
      return [g.TargetGroupArn!, (health.TargetHealthDescriptions ?? []).map((t) => ({ ip: t.Target?.Id ?? '', port: t.Target?.Port ?? g.Port ?? 0, protocol: g.Protocol ?? 'HTTP' }))] as const;
    })));
    return {
      arn, name: lb.LoadBalancerName ?? '', type: lb.Type ?? 'application', scheme: lb.Scheme ?? '', vpcId: lb.VpcId ?? '', dnsName: lb.DNSName ?? '',
      subnetIds: (lb.AvailabilityZones ?? []).map((z) => z.SubnetId!).filter(Boolean), groups: lb.SecurityGroups ?? [],
      idleTimeoutSeconds: idle, idleTimeoutDefaulted: given === undefined, tags: tagged.get(arn) ?? {},
      listeners: (listeners.Listeners ?? []).map((l) => ({
        port: l.Port ?? 0, protocol: l.Protocol ?? '',
        targets: (l.DefaultActions ?? []).flatMap((a) => [a.TargetGroupArn, ...(a.ForwardConfig?.TargetGroups ?? []).map((t) => t.TargetGroupArn)]).filter((x): x is string => !!x).flatMap((t) => targets.get(t) ?? []),
      })),
    };
  }));
}

/**
 * Each load balancer's addresses: those of its network interfaces, which AWS describes as
 * "ELB app/NAME/ID" (the tail of its ARN). An emulator that creates none gets one address in the
 * balancer's first subnet, at the subnet's base + 200 + its index there, said as a correction.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#load-balancer-ip-addresses
 */
function placeBalancers(lbs: readonly Omit<LoadBalancer, 'addresses'>[], enis: ReadonlyMap<string, string[]>, vpcs: readonly Vpc[], correct: (msg: string) => void): LoadBalancer[] {
  const perSubnet = new Map<string, number>();
  return lbs.map((lb) => {
    const given = enis.get(`ELB ${lb.arn.split(':loadbalancer/')[1] ?? ''}`) ?? [];
    if (given.length > 0) return { ...lb, addresses: [...given].sort() };
    const subnet = vpcs.flatMap((v) => v.subnets).find((s) => s.id === lb.subnetIds[0]);
    if (!subnet) return { ...lb, addresses: [] };
    const k = perSubnet.get(subnet.id) ?? 0;
    perSubnet.set(subnet.id, k + 1);
    const ip = intToIpv4(ipv4ToInt(subnet.cidr.split('/')[0]!)! + 200 + k);
    correct(`load balancer ${lb.name}: the API reports no network interface; the twin places it at ${ip} in ${subnet.name}`);
    return { ...lb, addresses: [ip] };
  });
}

/**
 * The roles of the hosts' instance profiles and the roles named by the environment, each with its
 * inline policies and the default version of each attached managed policy.
 */
async function readRoles(iam: IAMClient, instanceProfiles: ReadonlyMap<string, string>, named: readonly string[]): Promise<{ roles: IamRole[]; byProfile: Map<string, string> }> {
  const byProfile = new Map<string, string>();
  await Promise.all([...new Set(instanceProfiles.values())].map(async (arn) => {
    const p = await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: arn.split('/').pop()! }));
    const role = p.InstanceProfile?.Roles?.[0]?.RoleName;
    if (role) byProfile.set(arn, role);
  }));
  const names = [...new Set([...byProfile.values(), ...named])].sort();
  const decode = (doc?: string) => { try { return doc ? JSON.parse(decodeURIComponent(doc)) as unknown : null; } catch { return null; } };
  const roles = await Promise.all(names.map(async (name): Promise<IamRole | undefined> => {
    const role = await iam.send(new GetRoleCommand({ RoleName: name })).catch((e: { name?: string }) => { if (e.name === 'NoSuchEntityException' || e.name === 'NoSuchEntity') return undefined; throw e; });
    if (!role?.Role) return undefined;
    const [inlineNames, attached] = await Promise.all([iam.send(new ListRolePoliciesCommand({ RoleName: name })), iam.send(new ListAttachedRolePoliciesCommand({ RoleName: name }))]);
    const inline = await Promise.all((inlineNames.PolicyNames ?? []).map(async (pn) => ({ name: pn, kind: 'inline' as const, document: decode((await iam.send(new GetRolePolicyCommand({ RoleName: name, PolicyName: pn }))).PolicyDocument) })));
    const managed = await Promise.all((attached.AttachedPolicies ?? []).map(async (ap) => {
      const pol = await iam.send(new GetPolicyCommand({ PolicyArn: ap.PolicyArn! }));
      const ver = await iam.send(new GetPolicyVersionCommand({ PolicyArn: ap.PolicyArn!, VersionId: pol.Policy?.DefaultVersionId ?? 'v1' }));
      return { name: ap.PolicyName ?? ap.PolicyArn!, kind: 'managed' as const, document: decode(ver.PolicyVersion?.Document) };
    }));
    return { name, arn: role.Role.Arn ?? '', policies: [...inline, ...managed] };
  }));
  return { roles: roles.filter((r): r is IamRole => !!r), byProfile };
}

function mergeDefences(parts: DnsDefences[]): DnsDefences {
  return {
    domainLists: parts.flatMap((p) => p.domainLists), ruleGroups: parts.flatMap((p) => p.ruleGroups), associations: parts.flatMap((p) => p.associations),
    failOpen: Object.assign({}, ...parts.map((p) => p.failOpen)) as Record<string, boolean>, queryLogs: parts.flatMap((p) => p.queryLogs),
  };
}

async function readHostedZones(r53: Route53Client): Promise<HostedZone[]> {
  {
    const zones: HostedZone[] = [];
    const list = await r53.send(new ListHostedZonesCommand({}));
    for (const z of list.HostedZones ?? []) {
      const id = z.Id!.replace('/hostedzone/', '');
      const [detail, records] = await Promise.all([r53.send(new GetHostedZoneCommand({ Id: id })), r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: id }))]);
      zones.push({
        id, name: z.Name!.replace(/\.$/, ''), private: !!z.Config?.PrivateZone,
        vpcIds: (detail.VPCs ?? []).map((v) => v.VPCId!).filter(Boolean),
        records: (records.ResourceRecordSets ?? []).map((r) => ({
          name: r.Name!.replace(/\.$/, ''), type: r.Type!, values: (r.ResourceRecords ?? []).map((x) => x.Value!),
          ...(r.AliasTarget?.DNSName ? { aliasDnsName: r.AliasTarget.DNSName.replace(/\.$/, '') } : {}),
        })),
      });
    }
    return zones;
  }
}
