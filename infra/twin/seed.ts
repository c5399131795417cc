import {
  AcceptVpcPeeringConnectionCommand, AllocateAddressCommand, AssociateRouteTableCommand, AttachInternetGatewayCommand,
  CreateInternetGatewayCommand, CreateNatGatewayCommand, AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand, CreateFlowLogsCommand, CreateRouteCommand, CreateRouteTableCommand,
  CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, CreateVpcEndpointCommand,
  CreateVpcPeeringConnectionCommand, EC2Client, ModifyVpcAttributeCommand, RevokeSecurityGroupEgressCommand,
  RunInstancesCommand, type IpPermission,
} from '@aws-sdk/client-ec2';
import { ChangeResourceRecordSetsCommand, CreateHostedZoneCommand, Route53Client } from '@aws-sdk/client-route-53';
import {
  AssociateFirewallRuleGroupCommand, AssociateResolverQueryLogConfigCommand, CreateFirewallDomainListCommand, CreateFirewallRuleCommand,
  CreateFirewallRuleGroupCommand, CreateResolverQueryLogConfigCommand, Route53ResolverClient, UpdateFirewallConfigCommand, UpdateFirewallDomainsCommand,
} from '@aws-sdk/client-route53resolver';
import { CloudWatchLogsClient, CreateLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateListenerCommand, CreateLoadBalancerCommand, CreateTargetGroupCommand, ElasticLoadBalancingV2Client, ModifyLoadBalancerAttributesCommand, RegisterTargetsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { AddRoleToInstanceProfileCommand, CreateInstanceProfileCommand, CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import type { Topology, TopologyVpc } from './topology.ts';

export interface SeedResult {
  readonly vpcs: Record<string, { id: string; region: string; subnets: Record<string, string>; routeTables: Record<string, string>; groups: Record<string, string>; instances: Record<string, string>; endpoints: Record<string, string> }>;
  readonly peering?: string;
  readonly hostedZones: Record<string, string>;
}

export interface AwsEndpoint { readonly endpoint: string; readonly credentials: { accessKeyId: string; secretAccessKey: string } }

/** Creates the topology in the emulator through the AWS SDK, exactly as a user would in AWS. */
export async function seedTopology(topo: Topology, aws: AwsEndpoint): Promise<SeedResult> {
  const ec2 = new Map<string, EC2Client>();
  const ec2For = (region: string) => {
    let c = ec2.get(region);
    if (!c) ec2.set(region, (c = new EC2Client({ region, endpoint: aws.endpoint, credentials: aws.credentials })));
    return c;
  };
  const result: SeedResult = { vpcs: {}, hostedZones: {} };
  const iam = new IAMClient({ region: 'us-east-1', endpoint: aws.endpoint, credentials: aws.credentials });
  try {
    // Roles and instance profiles first (an instance is launched with its profile); their policies
    // last, once the endpoints they name exist.
    await Promise.all(Object.keys(topo.roles ?? {}).map((name) => seedRole(iam, name)));
    for (const [key, vpc] of Object.entries(topo.vpcs)) result.vpcs[key] = await seedVpc(ec2For(vpc.region), key, vpc, aws);
    // Peering connections: requester side creates, accepter side accepts (cross-region works the same).
    const pcxFor = new Map<string, string>();
    for (const p of [...(topo.peering ? [topo.peering] : []), ...topo.extraPeerings]) {
      const req = topo.vpcs[p.requester]!;
      const acc = topo.vpcs[p.accepter]!;
      const pcx = await ec2For(req.region).send(new CreateVpcPeeringConnectionCommand({
        VpcId: result.vpcs[p.requester]!.id, PeerVpcId: result.vpcs[p.accepter]!.id, PeerRegion: acc.region,
        TagSpecifications: [{ ResourceType: 'vpc-peering-connection', Tags: [{ Key: 'Name', Value: `${req.name}-to-${acc.name}` }] }],
      }));
      const id = pcx.VpcPeeringConnection!.VpcPeeringConnectionId!;
      await ec2For(acc.region).send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: id }));
      if (p === topo.peering) (result as { peering?: string }).peering = id;
      pcxFor.set(`${p.requester}|${p.accepter}`, id);
      pcxFor.set(`${p.accepter}|${p.requester}`, id);
    }
    for (const [key, vpc] of Object.entries(topo.vpcs)) {
      for (const [name, subnet] of Object.entries(vpc.subnets)) {
        for (const r of subnet.routes.filter((x) => x.via === 'peering')) {
          const peers = [...pcxFor.keys()].filter((k) => k.startsWith(`${key}|`));
          const id = pcxFor.get(r.peer ? `${key}|${r.peer}` : peers[0] ?? '');
          if (!id) throw new Error(`topology: ${key}/${name} routes ${r.cidr} over peering, but ${key} has no peering${r.peer ? ` with ${r.peer}` : ''}`);
          await ec2For(vpc.region).send(new CreateRouteCommand({ RouteTableId: result.vpcs[key]!.routeTables[name], DestinationCidrBlock: r.cidr, VpcPeeringConnectionId: id }));
        }
      }
    }
    for (const [key, vpc] of Object.entries(topo.vpcs)) await seedEgress(ec2For(vpc.region), vpc, result.vpcs[key]!);
    for (const z of topo.hostedZones ?? []) {
      const r53 = new Route53Client({ region: 'us-east-1', endpoint: aws.endpoint, credentials: aws.credentials });
      const vpc = topo.vpcs[z.vpc]!;
      const zone = await r53.send(new CreateHostedZoneCommand({ Name: z.name, CallerReference: `pathproof-${z.name}-${Date.now()}`, VPC: { VPCRegion: vpc.region as never, VPCId: result.vpcs[z.vpc]!.id }, HostedZoneConfig: { PrivateZone: true } }));
      const zoneId = zone.HostedZone!.Id!.replace('/hostedzone/', '');
      await r53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: Object.entries(z.records).map(([name, ip]) => ({ Action: 'UPSERT', ResourceRecordSet: { Name: name, Type: 'A', TTL: 60, ResourceRecords: [{ Value: ip }] } })) } }));
      result.hostedZones[z.name] = zoneId;
      r53.destroy();
    }
    if (topo.privateHostedZones) {
      const { vpc: assocKey, endpointsOf } = topo.privateHostedZones;
      const assoc = topo.vpcs[assocKey]!;
      const epVpc = topo.vpcs[endpointsOf]!;
      const r53 = new Route53Client({ region: 'us-east-1', endpoint: aws.endpoint, credentials: aws.credentials });
      const { DescribeVpcEndpointsCommand } = await import('@aws-sdk/client-ec2');
      const eps = await ec2For(epVpc.region).send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: Object.values(result.vpcs[endpointsOf]!.endpoints) }));
      for (const ep of eps.VpcEndpoints ?? []) {
        const service = ep.ServiceName!.split('.').pop()!;
        const hostname = `${service}.${epVpc.region}.amazonaws.com`;
        const zone = await r53.send(new CreateHostedZoneCommand({
          Name: hostname, CallerReference: `pathproof-${hostname}-${Date.now()}`,
          VPC: { VPCRegion: assoc.region as never, VPCId: result.vpcs[assocKey]!.id },
          HostedZoneConfig: { PrivateZone: true, Comment: `Bedrock ${service} over peering (pathproof reference)` },
        }));
        const zoneId = zone.HostedZone!.Id!.replace('/hostedzone/', '');
        const dns = ep.DnsEntries?.[0];
        await r53.send(new ChangeResourceRecordSetsCommand({
          HostedZoneId: zoneId,
          ChangeBatch: { Changes: [{ Action: 'UPSERT', ResourceRecordSet: { Name: hostname, Type: 'A', AliasTarget: { HostedZoneId: dns?.HostedZoneId ?? 'Z0000000000000', DNSName: dns?.DnsName ?? '', EvaluateTargetHealth: false } } }] },
        }));
        result.hostedZones[hostname] = zoneId;
      }
      r53.destroy();
    }
    for (const fw of topo.dnsFirewall ?? []) await seedDnsDefences(fw, topo.vpcs[fw.vpc]!.region, result.vpcs[fw.vpc]!.id, aws);
    for (const [name, role] of Object.entries(topo.roles ?? {})) {
      for (const [policy, doc] of Object.entries(role.policies)) {
        await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: policy, PolicyDocument: JSON.stringify(substitute(doc, result)) }));
      }
    }
  } finally {
    iam.destroy();
    for (const c of ec2.values()) c.destroy();
  }
  return result;
}

/**
 * Route 53 Resolver DNS Firewall for one VPC, as the Terraform module makes it: the approved names
 * allowed (priority 100), every other name blocked (priority 200, `*`), the rule group associated
 * fail-closed; and Resolver query logging of the VPC to a CloudWatch Logs group.
 */
async function seedDnsDefences(fw: NonNullable<Topology['dnsFirewall']>[number], region: string, vpcId: string, aws: AwsEndpoint): Promise<void> {
  const r = new Route53ResolverClient({ region, endpoint: aws.endpoint, credentials: aws.credentials });
  const logs = new CloudWatchLogsClient({ region, endpoint: aws.endpoint, credentials: aws.credentials });
  try {
    const ref = (what: string) => `pathproof-${what}-${vpcId}`;
    const list = async (name: string, domains: string[]) => {
      const l = await r.send(new CreateFirewallDomainListCommand({ CreatorRequestId: ref(name), Name: name }));
      await r.send(new UpdateFirewallDomainsCommand({ FirewallDomainListId: l.FirewallDomainList!.Id!, Operation: 'ADD', Domains: domains }));
      return l.FirewallDomainList!.Id!;
    };
    const approved = await list(`${fw.name}-approved`, fw.approved);
    const everything = await list(`${fw.name}-everything`, ['*']);
    const group = await r.send(new CreateFirewallRuleGroupCommand({ CreatorRequestId: ref('rules'), Name: fw.name }));
    const FirewallRuleGroupId = group.FirewallRuleGroup!.Id!;
    await r.send(new CreateFirewallRuleCommand({ CreatorRequestId: ref('allow'), FirewallRuleGroupId, FirewallDomainListId: approved, Priority: 100, Action: 'ALLOW', Name: 'allow-approved' }));
    await r.send(new CreateFirewallRuleCommand({
      CreatorRequestId: ref('block'), FirewallRuleGroupId, FirewallDomainListId: everything, Priority: 200, Action: 'BLOCK', Name: 'block-everything-else', BlockResponse: fw.blockResponse,
      ...(fw.blockResponse === 'OVERRIDE' ? { BlockOverrideDomain: 'blocked.invalid', BlockOverrideDnsType: 'CNAME', BlockOverrideTtl: 60 } : {}),
    }));
    await r.send(new AssociateFirewallRuleGroupCommand({ CreatorRequestId: ref('assoc'), FirewallRuleGroupId, VpcId: vpcId, Priority: 101, Name: fw.name, MutationProtection: 'DISABLED' }));
    await r.send(new UpdateFirewallConfigCommand({ ResourceId: vpcId, FirewallFailOpen: fw.failOpen ? 'ENABLED' : 'DISABLED' }));
    await logs.send(new CreateLogGroupCommand({ logGroupName: fw.queryLogGroup }));
    const qlc = await r.send(new CreateResolverQueryLogConfigCommand({ CreatorRequestId: ref('qlog'), Name: `${fw.name}-queries`, DestinationArn: `arn:aws:logs:${region}:123456789012:log-group:${fw.queryLogGroup}` }));
    await r.send(new AssociateResolverQueryLogConfigCommand({ ResolverQueryLogConfigId: qlc.ResolverQueryLogConfig!.Id!, ResourceId: vpcId }));
  } finally {
    r.destroy();
    logs.destroy();
  }
}

/** Internal application load balancers: an HTTP listener forwarding to a target group of IP targets, the idle time-out set. */
async function seedLoadBalancers(aws: AwsEndpoint, vpcId: string, vpc: TopologyVpc, ids: SeedResult['vpcs'][string]): Promise<void> {
  const elb = new ElasticLoadBalancingV2Client({ region: vpc.region, endpoint: aws.endpoint, credentials: aws.credentials });
  try {
    for (const [name, lb] of Object.entries(vpc.loadBalancers)) {
      const created = await elb.send(new CreateLoadBalancerCommand({
        Name: `${vpc.name}-${name}`, Type: 'application', Scheme: 'internal', Subnets: lb.subnets.map((s) => ids.subnets[s]!), SecurityGroups: lb.groups.map((g) => ids.groups[g]!),
        Tags: Object.entries({ Name: `${vpc.name}-${name}`, ...lb.tags }).map(([Key, Value]) => ({ Key, Value })),
      }));
      const arn = created.LoadBalancers![0]!.LoadBalancerArn!;
      const tg = await elb.send(new CreateTargetGroupCommand({ Name: `${vpc.name}-${name}`.slice(0, 32), Protocol: lb.targets.protocol, Port: lb.targets.port, VpcId: vpcId, TargetType: 'ip' }));
      const tgArn = tg.TargetGroups![0]!.TargetGroupArn!;
      await elb.send(new RegisterTargetsCommand({ TargetGroupArn: tgArn, Targets: lb.targets.ips.map((Id) => ({ Id, Port: lb.targets.port })) }));
      await elb.send(new CreateListenerCommand({ LoadBalancerArn: arn, Port: lb.listener.port, Protocol: lb.listener.protocol, DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }] }));
      if (lb.idleTimeoutSeconds !== undefined) await elb.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: arn, Attributes: [{ Key: 'idle_timeout.timeout_seconds', Value: String(lb.idleTimeoutSeconds) }] }));
    }
  } finally {
    elb.destroy();
  }
}

/** A role EC2 may assume, with an instance profile of the same name. */
async function seedRole(iam: IAMClient, name: string): Promise<void> {
  const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
  await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: JSON.stringify(trust) }));
  await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: name }));
  await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: name, RoleName: name }));
}

/** "${endpoints.KEY}" → the ids of VPC KEY's endpoints; "${vpc.KEY}" → its id; anywhere in a policy. */
function substitute(doc: unknown, seeded: SeedResult): unknown {
  if (typeof doc === 'string') {
    const m = /^\$\{(endpoints|vpc)\.([\w-]+)\}$/.exec(doc);
    const v = m && seeded.vpcs[m[2]!];
    if (!m) return doc;
    if (!v) throw new Error(`topology: ${doc} names no VPC`);
    return m[1] === 'vpc' ? v.id : Object.values(v.endpoints);
  }
  if (Array.isArray(doc)) return doc.flatMap((d) => { const x = substitute(d, seeded); return Array.isArray(x) && typeof d === 'string' ? x : [x]; });
  if (doc && typeof doc === 'object') return Object.fromEntries(Object.entries(doc).map(([k, v]) => [k, substitute(v, seeded)]));
  return doc;
}

/** Internet gateway and NAT gateway routes, created only where the topology asks for them. */
async function seedEgress(ec2: EC2Client, vpc: TopologyVpc, ids: SeedResult['vpcs'][string]): Promise<void> {
  const wants = (via: string) => Object.entries(vpc.subnets).filter(([, s]) => s.routes.some((r) => r.via === via));
  if (wants('internet').length === 0 && wants('nat').length === 0) return;
  const igw = await ec2.send(new CreateInternetGatewayCommand({}));
  const igwId = igw.InternetGateway!.InternetGatewayId!;
  await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: ids.id }));
  let natId: string | undefined;
  for (const [name, subnet] of Object.entries(vpc.subnets)) {
    for (const r of subnet.routes) {
      if (r.via === 'internet') await ec2.send(new CreateRouteCommand({ RouteTableId: ids.routeTables[name], DestinationCidrBlock: r.cidr, GatewayId: igwId }));
      if (r.via === 'nat') {
        if (!natId) {
          const eip = await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
          const nat = await ec2.send(new CreateNatGatewayCommand({ SubnetId: ids.subnets[name], AllocationId: eip.AllocationId }));
          natId = nat.NatGateway!.NatGatewayId!;
        }
        await ec2.send(new CreateRouteCommand({ RouteTableId: ids.routeTables[name], DestinationCidrBlock: r.cidr, NatGatewayId: natId }));
      }
    }
  }
}

async function seedVpc(ec2: EC2Client, key: string, vpc: TopologyVpc, aws: AwsEndpoint): Promise<SeedResult['vpcs'][string]> {
  const tag = (type: string, name: string, extra: Record<string, string> = {}) => [{ ResourceType: type as never, Tags: [{ Key: 'Name', Value: name }, ...Object.entries(extra).map(([Key, Value]) => ({ Key, Value }))] }];
  const created = await ec2.send(new CreateVpcCommand({ CidrBlock: vpc.cidr, TagSpecifications: tag('vpc', vpc.name) }));
  const id = created.Vpc!.VpcId!;
  await ec2.send(new ModifyVpcAttributeCommand({ VpcId: id, EnableDnsSupport: { Value: vpc.dns.support } }));
  await ec2.send(new ModifyVpcAttributeCommand({ VpcId: id, EnableDnsHostnames: { Value: vpc.dns.hostnames } }));
  const out = { id, region: vpc.region, subnets: {} as Record<string, string>, routeTables: {} as Record<string, string>, groups: {} as Record<string, string>, instances: {} as Record<string, string>, endpoints: {} as Record<string, string> };
  for (const [name, s] of Object.entries(vpc.subnets)) {
    const sub = await ec2.send(new CreateSubnetCommand({ VpcId: id, CidrBlock: s.cidr, AvailabilityZone: `${vpc.region}a`, TagSpecifications: tag('subnet', `${vpc.name}-${name}`, s.zone ? { 'pathproof:zone': s.zone } : {}) }));
    out.subnets[name] = sub.Subnet!.SubnetId!;
    const rt = await ec2.send(new CreateRouteTableCommand({ VpcId: id, TagSpecifications: tag('route-table', `${vpc.name}-${name}`) }));
    out.routeTables[name] = rt.RouteTable!.RouteTableId!;
    await ec2.send(new AssociateRouteTableCommand({ RouteTableId: out.routeTables[name], SubnetId: out.subnets[name] }));
  }
  for (const [name, g] of Object.entries(vpc.securityGroups)) {
    const sg = await ec2.send(new CreateSecurityGroupCommand({ VpcId: id, GroupName: `${vpc.name}-${name}`, Description: g.description, TagSpecifications: tag('security-group', `${vpc.name}-${name}`) }));
    out.groups[name] = sg.GroupId!;
  }
  const perm = (r: TopologyVpc['securityGroups'][string]['ingress'][number]): IpPermission => ({
    IpProtocol: r.protocol,
    ...(r.ports ? { FromPort: r.ports[0], ToPort: r.ports[1] } : {}),
    ...(r.cidr ? { IpRanges: [{ CidrIp: r.cidr }] } : {}),
    ...(r.group ? { UserIdGroupPairs: [{ GroupId: out.groups[r.group] }] } : {}),
  });
  for (const [name, g] of Object.entries(vpc.securityGroups)) {
    const GroupId = out.groups[name]!;
    // New groups allow all egress by default; the topology states egress explicitly.
    await ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId, IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }));
    if (g.egress.length > 0) await ec2.send(new AuthorizeSecurityGroupEgressCommand({ GroupId, IpPermissions: g.egress.map(perm) }));
    if (g.ingress.length > 0) await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId, IpPermissions: g.ingress.map(perm) }));
  }
  for (const [name, inst] of Object.entries(vpc.instances)) {
    const r = await ec2.send(new RunInstancesCommand({
      ImageId: 'ami-0a1b2c3d4e5f60789', InstanceType: 't3.micro', MinCount: 1, MaxCount: 1,
      SubnetId: out.subnets[inst.subnet], PrivateIpAddress: inst.ip, SecurityGroupIds: inst.groups.map((g) => out.groups[g]!),
      MetadataOptions: { HttpEndpoint: inst.imds, HttpTokens: 'required' },
      ...(inst.role ? { IamInstanceProfile: { Name: inst.role } } : {}),
      TagSpecifications: tag('instance', name, inst.tags),
    }));
    out.instances[name] = r.Instances![0]!.InstanceId!;
  }
  if (Object.keys(vpc.loadBalancers).length) await seedLoadBalancers(aws, id, vpc, out);
  if (vpc.endpoints) {
    for (const service of vpc.endpoints.services) {
      const ep = await ec2.send(new CreateVpcEndpointCommand({
        VpcId: id, VpcEndpointType: 'Interface', ServiceName: `com.amazonaws.${vpc.region}.${service}`,
        SubnetIds: [out.subnets[vpc.endpoints.subnet]!], SecurityGroupIds: vpc.endpoints.groups.map((g) => out.groups[g]!),
        PrivateDnsEnabled: vpc.endpoints.privateDns, PolicyDocument: JSON.stringify(vpc.endpoints.policy),
        TagSpecifications: tag('vpc-endpoint', `${vpc.name}-${service}`),
      }));
      out.endpoints[service] = ep.VpcEndpoint!.VpcEndpointId!;
    }
  }
  if (vpc.flowLogs) {
    await ec2.send(new CreateFlowLogsCommand({
      ResourceIds: [id], ResourceType: 'VPC', TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs',
      LogGroupName: `/pathproof/flow-logs/${vpc.name}`, DeliverLogsPermissionArn: 'arn:aws:iam::123456789012:role/pathproof-flow-logs',
    }));
  }
  void key;
  return out;
}
