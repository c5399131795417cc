import {
  AllocateAddressCommand, AssociateAddressCommand, AuthorizeSecurityGroupEgressCommand, AuthorizeSecurityGroupIngressCommand,
  CreateInternetGatewayCommand, AttachInternetGatewayCommand, CreateNatGatewayCommand, CreateRouteCommand, DeleteVpcEndpointsCommand,
  DeleteFlowLogsCommand, DescribeFlowLogsCommand, DescribeInstancesCommand, DescribeRouteTablesCommand, DescribeSecurityGroupsCommand, DescribeVpcEndpointsCommand, DescribeVpcsCommand,
  EC2Client, ModifyInstanceMetadataOptionsCommand, ModifyVpcAttributeCommand, ModifyVpcEndpointCommand,
} from '@aws-sdk/client-ec2';
import { ChangeResourceRecordSetsCommand, DeleteHostedZoneCommand, ListHostedZonesCommand, ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { DisassociateFirewallRuleGroupCommand, ListFirewallDomainListsCommand, ListFirewallRuleGroupAssociationsCommand, Route53ResolverClient, UpdateFirewallDomainsCommand } from '@aws-sdk/client-route53resolver';
import { DeleteRolePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { DescribeLoadBalancersCommand, ElasticLoadBalancingV2Client, ModifyLoadBalancerAttributesCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AwsEndpoint } from './seed.ts';

/**
 * Fault scenarios: the common mistakes of DESIGN.md, applied to the emulator through the AWS API
 * exactly as a person would make them. The twin is rebuilt from the API afterwards, so a scenario
 * proves that the suite notices the mistake (mutation testing for a network).
 */
export interface FaultScenario {
  readonly id: string;
  /** The mistake, in words. */
  readonly mistake: string;
  readonly category: string;
  /** Policies that must show a FAIL. */
  readonly policies: readonly string[];
  /** Checks that must FAIL (at least these). */
  readonly checks: readonly string[];
  /** A change the catalog allows: the suite must stay green (no FAIL at all). */
  readonly green?: boolean;
  /** The zones whose own traffic the change touches (a focused run of a conformant change checks them). */
  readonly zones?: readonly string[];
  apply(api: FaultApi): Promise<void>;
}

/** Lookups by the names the reference topology gives its resources. */
export class FaultApi {
  readonly nz: EC2Client;
  readonly syd: EC2Client;
  readonly r53: Route53Client;
  /** Route 53 Resolver (DNS Firewall) of the NZ region. */
  readonly resolver: Route53ResolverClient;
  readonly iam: IAMClient;
  readonly elb: ElasticLoadBalancingV2Client;
  constructor(aws: AwsEndpoint) {
    this.elb = new ElasticLoadBalancingV2Client({ region: 'ap-southeast-6', endpoint: aws.endpoint, credentials: aws.credentials });
    this.iam = new IAMClient({ region: 'us-east-1', endpoint: aws.endpoint, credentials: aws.credentials });
    this.resolver = new Route53ResolverClient({ region: 'ap-southeast-6', endpoint: aws.endpoint, credentials: aws.credentials });
    this.nz = new EC2Client({ region: 'ap-southeast-6', endpoint: aws.endpoint, credentials: aws.credentials });
    this.syd = new EC2Client({ region: 'ap-southeast-2', endpoint: aws.endpoint, credentials: aws.credentials });
    this.r53 = new Route53Client({ region: 'us-east-1', endpoint: aws.endpoint, credentials: aws.credentials });
  }
  async group(ec2: EC2Client, name: string): Promise<string> {
    const r = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: [name] }] }));
    return need(r.SecurityGroups?.[0]?.GroupId, `security group ${name}`);
  }
  async routeTable(ec2: EC2Client, name: string): Promise<string> {
    const r = await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'tag:Name', Values: [name] }] }));
    return need(r.RouteTables?.[0]?.RouteTableId, `route table ${name}`);
  }
  async instance(ec2: EC2Client, name: string): Promise<{ id: string; subnet: string }> {
    const r = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:Name', Values: [name] }] }));
    const i = r.Reservations?.[0]?.Instances?.[0];
    return { id: need(i?.InstanceId, `instance ${name}`), subnet: need(i?.SubnetId, `subnet of ${name}`) };
  }
  /** The NZ DNS Firewall's list of approved names. */
  async approvedDomainList(): Promise<string> {
    const lists = await this.resolver.send(new ListFirewallDomainListsCommand({}));
    return need(lists.FirewallDomainLists?.find((l) => l.Name?.endsWith('-approved'))?.Id, 'the approved domain list');
  }
  async vpc(ec2: EC2Client, name: string): Promise<string> {
    const r = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'tag:Name', Values: [name] }] }));
    return need(r.Vpcs?.[0]?.VpcId, `VPC ${name}`);
  }
  async endpoint(service: string): Promise<string> {
    const r = await this.syd.send(new DescribeVpcEndpointsCommand({}));
    return need(r.VpcEndpoints?.find((e) => e.ServiceName?.endsWith(`.${service}`))?.VpcEndpointId, `endpoint ${service}`);
  }
  /** A NAT gateway (with an internet gateway) in the NZ VPC, and a default route to it from these route tables. */
  async natRoute(tables: string[]): Promise<void> {
    const vpc = await this.vpc(this.nz, 'pathproof-nz');
    const igw = await this.nz.send(new CreateInternetGatewayCommand({}));
    await this.nz.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw.InternetGateway!.InternetGatewayId!, VpcId: vpc }));
    const { subnet } = await this.instance(this.nz, 'probe-management');
    const eip = await this.nz.send(new AllocateAddressCommand({ Domain: 'vpc' }));
    const nat = await this.nz.send(new CreateNatGatewayCommand({ SubnetId: subnet, AllocationId: eip.AllocationId }));
    for (const t of tables) await this.nz.send(new CreateRouteCommand({ RouteTableId: await this.routeTable(this.nz, t), DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: nat.NatGateway!.NatGatewayId! }));
  }
  async allEgress(groupName: string): Promise<void> {
    await this.nz.send(new AuthorizeSecurityGroupEgressCommand({ GroupId: await this.group(this.nz, groupName), IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }));
  }
  async deleteZone(name: string): Promise<void> {
    const zones = await this.r53.send(new ListHostedZonesCommand({}));
    const zone = need(zones.HostedZones?.find((z) => z.Name?.replace(/\.$/, '') === name)?.Id, `hosted zone ${name}`).replace('/hostedzone/', '');
    const records = await this.r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zone }));
    const changes = (records.ResourceRecordSets ?? []).filter((r) => r.Type !== 'NS' && r.Type !== 'SOA').map((r) => ({ Action: 'DELETE' as const, ResourceRecordSet: r }));
    if (changes.length) await this.r53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zone, ChangeBatch: { Changes: changes } }));
    await this.r53.send(new DeleteHostedZoneCommand({ Id: zone }));
  }
  destroy(): void {
    this.nz.destroy();
    this.syd.destroy();
    this.r53.destroy();
    this.resolver.destroy();
    this.iam.destroy();
    this.elb.destroy();
  }
}

function need<T>(v: T | undefined, what: string): T {
  if (v === undefined || v === null || v === '') throw new Error(`fault scenario: ${what} not found in the emulator`);
  return v;
}

export const SCENARIOS: readonly FaultScenario[] = [
  {
    id: 'endpoint-sg-whole-vpc', category: 'negative', mistake: 'The endpoint security group admits 443 from the whole NZ VPC CIDR instead of the inference subnet, and the application group keeps AWS\'s default egress (all)',
    policies: ['NET-010'], checks: ['net010-app-to-bedrock-runtime-endpoint', 'net010-app-to-bedrock-endpoint', 'net010-app-to-bedrock-agent-endpoint', 'net010-app-to-bedrock-agent-runtime-endpoint', 'gen-application-to-external-ai-443', 'cfg-endpoint-sg-scoped', 'cfg-catalog-application', 'sdk-converse-application'],
    async apply(api) {
      await api.allEgress('pathproof-nz-app');
      await api.syd.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: await api.group(api.syd, 'pathproof-syd-endpoints'), IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '10.0.0.0/16' }] }] }));
    },
  },
  {
    id: 'phz-deleted', category: 'dns-leak', mistake: 'The private hosted zone for bedrock-runtime was forgotten: the NZ VPC resolves Bedrock to its public address',
    policies: ['NET-002'], checks: ['dns-bedrock-runtime-private', 'net002-bedrock-runtime-invoke', 'net002-bedrock-runtime-tls', 'cfg-phz-per-hostname'],
    async apply(api) { await api.deleteZone('bedrock-runtime.ap-southeast-2.amazonaws.com'); },
  },
  {
    id: 'vpc-dns-hostnames-off', category: 'dns-leak', mistake: 'enableDnsHostnames is off on the NZ VPC, so its private hosted zones are not answered',
    policies: ['NET-002'], checks: ['dns-bedrock-runtime-private', 'dns-bedrock-private', 'dns-bedrock-agent-private', 'dns-bedrock-agent-runtime-private', 'cfg-vpc-dns-attributes'],
    async apply(api) { await api.nz.send(new ModifyVpcAttributeCommand({ VpcId: await api.vpc(api.nz, 'pathproof-nz'), EnableDnsHostnames: { Value: false } })); },
  },
  {
    id: 'nat-route-inference', category: 'exfiltration', mistake: 'A NAT route was added to the inference route table, whose group allows all egress',
    policies: ['NET-012'], checks: ['exfil-inference-http-sink', 'failover-inference-no-public-bedrock', 'gen-inference-to-internet-443', 'cfg-no-default-route', 'cfg-catalog-inference'],
    // A new security group allows all egress (AWS's default): the route is what opens the path.
    async apply(api) {
      await api.allEgress('pathproof-nz-inference');
      await api.natRoute(['pathproof-nz-inference']);
    },
  },
  {
    id: 'endpoint-policy-allows-all', category: 'positive', mistake: 'The endpoint policy allows every model (the default full-access policy)',
    policies: ['NET-002'], checks: ['net002-endpoint-policy-denies-unapproved-model', 'cfg-endpoint-policy-restricts-models', 'sdk-converse-denied-model-inference'],
    async apply(api) {
      const full = JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] });
      await api.syd.send(new ModifyVpcEndpointCommand({ VpcEndpointId: await api.endpoint('bedrock-runtime'), PolicyDocument: full }));
    },
  },
  {
    id: 'sandbox-egress', category: 'agent-sandbox', mistake: 'The agent sandbox was given egress (security group and a NAT route)',
    policies: ['default-deny'], checks: ['sandbox-no-internet', 'gen-sandbox-to-internet-443', 'cfg-no-default-route', 'cfg-catalog-sandbox'],
    async apply(api) {
      await api.allEgress('pathproof-nz-sandbox');
      await api.natRoute(['pathproof-nz-sandbox']);
    },
  },
  {
    id: 'imds-on-sandbox', category: 'agent-sandbox', mistake: 'IMDS was enabled on the sandbox probe host',
    policies: ['default-deny'], checks: ['sandbox-no-imds'],
    async apply(api) {
      const { id } = await api.instance(api.nz, 'probe-sandbox');
      await api.nz.send(new ModifyInstanceMetadataOptionsCommand({ InstanceId: id, HttpEndpoint: 'enabled' }));
    },
  },
  {
    id: 'data-open-to-application', category: 'lateral-movement', mistake: 'The vector DB security group admits the application group, whose egress is the AWS default (all)',
    policies: ['default-deny'], checks: ['lateral-app-to-vector-db', 'gen-application-to-data-6333', 'cfg-catalog-application'],
    async apply(api) {
      await api.allEgress('pathproof-nz-app');
      await api.nz.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: await api.group(api.nz, 'pathproof-nz-vectordb'), IpPermissions: [{ IpProtocol: 'tcp', FromPort: 6333, ToPort: 6334, UserIdGroupPairs: [{ GroupId: await api.group(api.nz, 'pathproof-nz-app') }] }] }));
    },
  },
  {
    id: 'sydney-open-to-nz', category: 'lateral-movement', mistake: 'A Sydney security group admits the whole NZ VPC ("the peering is private anyway"): NZ can open connections into Sydney',
    // The inference zone's egress reaches Sydney on 443 (for the endpoints): that flow is carried; the
    // application's and management's egress do not name the probe host, so theirs stay latent.
    policies: ['default-deny'], checks: ['gen-inference-to-sydney-443', 'cfg-catalog-inference', 'cfg-catalog-application', 'cfg-catalog-management'],
    async apply(api) {
      await api.syd.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: await api.group(api.syd, 'pathproof-syd-probe'), IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '10.0.0.0/16' }] }] }));
    },
  },
  {
    id: 'data-egress', category: 'exfiltration', mistake: 'The data zone was given egress to the internet',
    policies: ['NET-011'], checks: ['exfil-data-http-sink', 'gen-data-to-internet-443', 'cfg-no-default-route', 'cfg-catalog-data'],
    async apply(api) {
      await api.allEgress('pathproof-nz-data');
      await api.natRoute(['pathproof-nz-data']);

    },
  },
  {
    id: 'management-public', category: 'negative', mistake: 'The management plane was left public: an internet gateway route, a public address and all egress',
    policies: ['default-deny'], checks: ['gen-management-to-internet-443', 'cfg-catalog-management'],
    async apply(api) {
      await api.allEgress('pathproof-nz-management');
      const vpc = await api.vpc(api.nz, 'pathproof-nz');
      const igw = await api.nz.send(new CreateInternetGatewayCommand({}));
      await api.nz.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw.InternetGateway!.InternetGatewayId!, VpcId: vpc }));
      await api.nz.send(new CreateRouteCommand({ RouteTableId: await api.routeTable(api.nz, 'pathproof-nz-management'), DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw.InternetGateway!.InternetGatewayId! }));
      const eip = await api.nz.send(new AllocateAddressCommand({ Domain: 'vpc' }));
      await api.nz.send(new AssociateAddressCommand({ AllocationId: eip.AllocationId, InstanceId: (await api.instance(api.nz, 'probe-management')).id }));
    },
  },
  {
    id: 'app-public-fallback', category: 'failover', mistake: 'The private endpoint exists but public access was never closed: the application has a NAT route to public Bedrock and all egress',
    policies: ['NET-010'], checks: ['net010-app-to-bedrock-public', 'gen-application-to-internet-443', 'cfg-catalog-application'],
    async apply(api) {
      await api.allEgress('pathproof-nz-app');
      await api.natRoute(['pathproof-nz-application']);
    },
  },
  {
    id: 'endpoint-deleted', category: 'failover', mistake: 'The bedrock-runtime endpoint is gone: calls must fail loudly, never fall back to the public endpoint',
    policies: ['NET-002'], checks: ['net002-bedrock-runtime-invoke', 'net002-bedrock-runtime-tls', 'dns-bedrock-runtime-private', 'cfg-endpoints-exist', 'sdk-converse-inference', 'sdk-converse-stream-inference'],
    async apply(api) { await api.syd.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [await api.endpoint('bedrock-runtime')] })); },
  },
  {
    id: 'flow-logs-deleted', category: 'config', mistake: 'The flow log of the NZ VPC was deleted: a blocked exfiltration would leave no record',
    policies: ['NET-002', 'NET-011', 'NET-012'], checks: ['cfg-flow-logs-all', 'exfil-data-http-sink', 'sandbox-no-internet', 'net002-bedrock-runtime-invoke'],
    async apply(api) {
      const vpc = await api.vpc(api.nz, 'pathproof-nz');
      const logs = await api.nz.send(new DescribeFlowLogsCommand({ Filter: [{ Name: 'resource-id', Values: [vpc] }] }));
      await api.nz.send(new DeleteFlowLogsCommand({ FlowLogIds: (logs.FlowLogs ?? []).map((f) => f.FlowLogId!) }));
    },
  },
  {
    id: 'latent-data-admits-sydney', category: 'lateral-movement', mistake: 'The vector DB group admits the Sydney VPC on 6333 ("for a future replica"); no route uses it yet, so only the catalog check can see it',
    policies: ['default-deny'], checks: ['cfg-catalog-sydney'],
    async apply(api) {
      await api.nz.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: await api.group(api.nz, 'pathproof-nz-vectordb'), IpPermissions: [{ IpProtocol: 'tcp', FromPort: 6333, ToPort: 6333, IpRanges: [{ CidrIp: '10.1.0.0/16' }] }] }));
    },
  },
  {
    id: 'dns-firewall-disassociated', category: 'exfiltration', mistake: 'The DNS Firewall rule group was disassociated from the NZ VPC ("it broke a lookup"): Amazon DNS forwards any name again',
    policies: ['NET-011', 'NET-012'], checks: ['cfg-dns-firewall', 'exfil-inference-dns-canary', 'exfil-data-dns-canary', 'dns-unapproved-blocked-inference', 'dns-unapproved-blocked-data', 'dns-unapproved-blocked-sandbox'],
    async apply(api) {
      const vpc = await api.vpc(api.nz, 'pathproof-nz');
      const assoc = await api.resolver.send(new ListFirewallRuleGroupAssociationsCommand({ VpcId: vpc }));
      for (const a of assoc.FirewallRuleGroupAssociations ?? []) await api.resolver.send(new DisassociateFirewallRuleGroupCommand({ FirewallRuleGroupAssociationId: a.Id! }));
    },
  },
  {
    id: 'dns-firewall-allow-all', category: 'exfiltration', mistake: 'An allow-all domain (*) was added to the approved list, so the final BLOCK rule is never reached',
    policies: ['NET-011', 'NET-012'], checks: ['cfg-dns-firewall', 'exfil-inference-dns-canary', 'exfil-data-dns-canary', 'dns-unapproved-blocked-inference', 'dns-unapproved-blocked-data', 'dns-unapproved-blocked-sandbox'],
    async apply(api) {
      const approved = await api.approvedDomainList();
      await api.resolver.send(new UpdateFirewallDomainsCommand({ FirewallDomainListId: approved, Operation: 'ADD', Domains: ['*'] }));
    },
  },
  {
    id: 'dualstack-public-nat', category: 'dns-leak', mistake: 'The dual-stack name of bedrock-runtime was approved in DNS Firewall ("an SDK with useDualstackEndpoint needs it") and the application route table has a NAT route: that name answers publicly, and there is a path to it',
    policies: ['NET-002', 'NET-010'], checks: ['sdk-name-application-bedrock-runtime-dualstack', 'sdk-name-inference-bedrock-runtime-dualstack'],
    async apply(api) {
      const approved = await api.approvedDomainList();
      await api.resolver.send(new UpdateFirewallDomainsCommand({ FirewallDomainListId: approved, Operation: 'ADD', Domains: ['bedrock-runtime.ap-southeast-2.api.aws'] }));
      await api.natRoute(['pathproof-nz-application']);
    },
  },
  {
    id: 'public-access-open', category: 'config', mistake: 'The inference role lost its deny of Bedrock off the private path ("the endpoint policy is enough"): its credentials would be honoured by the public endpoint',
    policies: ['NET-002'], checks: ['cfg-bedrock-public-access-closed'],
    async apply(api) { await api.iam.send(new DeleteRolePolicyCommand({ RoleName: 'pathproof-inference-probe', PolicyName: 'bedrock-private-only' })); },
  },
  {
    id: 'front-door-idle-short', category: 'positive', mistake: 'The front-door load balancer\'s idle time-out was lowered to 2 s ("connections pile up"): a stream that pauses is cut',
    policies: ['NET-001'], checks: ['cfg-stream-idle-timeouts', 'net001-stream-through-front-door'],
    async apply(api) {
      const lbs = await api.elb.send(new DescribeLoadBalancersCommand({ Names: ['pathproof-nz-front-door'] }));
      await api.elb.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: need(lbs.LoadBalancers?.[0]?.LoadBalancerArn, 'the front-door load balancer'), Attributes: [{ Key: 'idle_timeout.timeout_seconds', Value: '2' }] }));
    },
  },
  {
    id: 'conformant-app-egress-subnet', category: 'config', green: true, zones: ['application'], mistake: 'Not a mistake: the application egress names the inference subnet instead of the proxy group; the catalog allows it, so the gate must stay green',
    policies: [], checks: [],
    async apply(api) {
      await api.nz.send(new AuthorizeSecurityGroupEgressCommand({ GroupId: await api.group(api.nz, 'pathproof-nz-app'), IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '10.0.2.0/24' }] }] }));
    },
  },
];
