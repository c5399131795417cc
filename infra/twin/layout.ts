import { cidrContains, intToIpv4, ipv4ToInt } from '../../src/model/cidr.ts';
import type { Host, Inventory, Vpc } from '../../src/model/inventory.ts';
import { sdkHostnames } from '../../src/model/environment.ts';
import { instanceCredentials, type Identity, type InstanceCredentials } from './servers/identities.ts';
import type { Listener } from './servers/serve.ts';
import { IMDS_IP, naclChains, naclRules, securityGroupRules } from './firewall.ts';

/** Addresses of the twin's internet. Documentation ranges (RFC 5737) stand in for public IPs. */
export const INTERNET = {
  dns: '198.51.100.53',
  sink: '198.51.100.80',
  canaryAnswer: '192.0.2.53',
  /** Public Bedrock addresses, one per service in sorted order, from 203.0.113.10. */
  bedrockBase: 203 * 2 ** 24 + 0 * 2 ** 16 + 113 * 2 ** 8 + 10,
  canaryDomain: 'canary.pathproof.test',
  /** An ordinary public website: a name no zone is approved to resolve. */
  web: { name: 'www.example.com', ip: '192.0.2.80' },
} as const;


export interface NamespacePlan {
  readonly name: string;
  /** Lines for `ip -n NAME -batch -`. */
  readonly ip: string[];
  readonly sysctl: string[];
  /** Ruleset for `nft -f -` inside the namespace, if any. */
  nft?: string;
  /** Content of /etc/netns/NAME/resolv.conf, if any. */
  resolvConf?: string;
}

export interface LinkPlan { readonly a: string; readonly aIf: string; readonly b: string; readonly bIf: string }

export type ProcessPlan =
  | { readonly kind: 'dnsmasq'; readonly ns: string; readonly name: string; readonly args: string[] }
  | { readonly kind: 'serve'; readonly ns: string; readonly name: string; readonly listeners: Listener[] };

export interface TwinLayout {
  readonly prefix: string;
  readonly namespaces: NamespacePlan[];
  readonly links: LinkPlan[];
  readonly processes: ProcessPlan[];
  /** instance id -> namespace (what the SSM executor runs commands in). */
  readonly instances: Map<string, { ns: string; ip: string; vpcId: string }>;
  /** What the twin decided not to model, said out loud. */
  readonly notes: string[];
}

export interface LayoutInput {
  readonly model: Inventory;
  /** Short run id (hex) carried by every namespace name. */
  readonly short: string;
  /** PEM paths for the two leaf certificates (Bedrock names; internal service addresses). */
  readonly certs: { readonly bedrock: { key: string; cert: string }; readonly internal: { key: string; cert: string } };
  /** A secret of the run: the instance-profile credentials IMDS hands each host are derived from it. */
  readonly credentialSalt?: string;
  /** Fault: DNS Firewall cannot evaluate queries (an impairment no API call makes); fail-open decides what happens. */
  readonly dnsFirewallUnavailable?: boolean;
}

const cidrBase = (cidr: string) => ipv4ToInt(cidr.split('/')[0]!)!;
const prefixLen = (cidr: string) => Number(cidr.split('/')[1]);
/** AWS reserves base+1 for the VPC router of each subnet and base+2 of the VPC CIDR for Amazon DNS. */
export const gatewayOf = (cidr: string) => intToIpv4(cidrBase(cidr) + 1);
export const resolverOf = (vpcCidr: string) => intToIpv4(cidrBase(vpcCidr) + 2);

/** Where the router's dnsmasq answers, on its loopback, behind the twin's Amazon DNS. */
const RESOLUTION_PORT = 5353;
/** The account the emulator reports for every resource. */
const TWIN_ACCOUNT = '123456789012';

export function publicBedrockAddress(index: number): string {
  return intToIpv4(INTERNET.bedrockBase + index);
}

/** Turns the model into namespaces, links, routes, nftables rulesets, resolvers and services. Pure. */
export function planLayout({ model, short, certs, dnsFirewallUnavailable, credentialSalt = short }: LayoutInput): TwinLayout {
  const prefix = `pp-${short}-`;
  const notes: string[] = [];
  const namespaces: NamespacePlan[] = [];
  const links: LinkPlan[] = [];
  const processes: ProcessPlan[] = [];
  const instances = new Map<string, { ns: string; ip: string; vpcId: string }>();

  const activePeerings = model.peerings.filter((p) => p.status === 'active');
  // Only VPCs that hold something or are peered become routers (emulators add default VPCs).
  const vpcs = model.vpcs.filter((v) => model.hosts.some((h) => h.vpcId === v.id) || activePeerings.some((p) => p.requesterVpc === v.id || p.accepterVpc === v.id));
  const routerName = (i: number) => `${prefix}rt${i}`;
  const vpcIndex = new Map(vpcs.map((v, i) => [v.id, i]));
  const routers = vpcs.map((v, i): NamespacePlan => ({
    name: routerName(i), sysctl: ['net.ipv4.ip_forward=1', 'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0'],
    ip: ['link set lo up', `address add ${resolverOf(v.cidr)}/32 dev lo`, `address add ${IMDS_IP}/32 dev lo`],
  }));
  namespaces.push(...routers);
  const inet: NamespacePlan = { name: `${prefix}inet`, sysctl: ['net.ipv4.ip_forward=1'], ip: ['link set lo up'] };
  namespaces.push(inet);

  // Group members: every ENI address that carries a security group (for group references).
  const members = new Map<string, string[]>();
  const balancers = placeLoadBalancers(model);
  for (const h of [...model.hosts, ...balancers.map((b) => b.host)]) for (const e of h.enis) for (const g of e.groups) members.set(g, [...(members.get(g) ?? []), e.ip]);

  // Instance-profile credentials: IMDS hands them to each host with a role; every Bedrock listener
  // knows them, to verify a signature and evaluate the role's identity policies.
  const identities: Record<string, Identity> = {};
  const hostCredentials = new Map<string, InstanceCredentials>();
  for (const h of model.hosts.filter((x) => x.kind === 'instance' && x.role)) {
    const role = model.roles?.find((r) => r.name === h.role);
    const c = instanceCredentials(credentialSalt, h.id, h.role!);
    hostCredentials.set(h.id, c);
    identities[c.AccessKeyId] = { secret: c.SecretAccessKey, token: c.Token, role: h.role!, instance: h.id, policies: (role?.policies ?? []).map((p) => p.document) };
  }
  if (model.hosts.some((h) => h.role) && !model.roles) notes.push('IAM could not be read: hosts get instance-profile credentials, but their identity policies are not evaluated');
  const ctx: LayoutContext = { model, certs, prefix, notes, namespaces, links, processes, instances, activePeerings, vpcs, vpcIndex, routers, routerName, inet, members, dnsFirewallUnavailable: !!dnsFirewallUnavailable, identities, hostCredentials };
  planInternet(ctx);
  vpcs.forEach((vpc, i) => planRouter(ctx, vpc, i));
  // Hosts: instances and endpoint ENIs, each a namespace behind its subnet's bridge.
  model.hosts.forEach((h, j) => planHost(ctx, h, j));
  // Load balancers: a namespace each in their subnet, its groups enforced, proxying with the idle time-out.
  balancers.forEach((b, i) => planHost(ctx, b.host, `lb${i}`, b.listeners));
  return { prefix, namespaces, links, processes, instances, notes };
}

/** What the parts of a layout share while it is planned. */
interface LayoutContext {
  readonly identities: Readonly<Record<string, Identity>>;
  readonly hostCredentials: ReadonlyMap<string, InstanceCredentials>;
  readonly model: Inventory;
  readonly dnsFirewallUnavailable: boolean;
  readonly certs: LayoutInput['certs'];
  readonly prefix: string;
  readonly notes: string[];
  readonly namespaces: NamespacePlan[];
  readonly links: LinkPlan[];
  readonly processes: ProcessPlan[];
  readonly instances: Map<string, { ns: string; ip: string; vpcId: string }>;
  readonly activePeerings: Inventory['peerings'];
  readonly vpcs: readonly Vpc[];
  readonly vpcIndex: ReadonlyMap<string, number>;
  readonly routers: readonly NamespacePlan[];
  routerName(i: number): string;
  readonly inet: NamespacePlan;
  /** Group id → the addresses of every ENI carrying it (for group references). */
  readonly members: ReadonlyMap<string, string[]>;
}

/** The twin's internet: public Bedrock addresses, the exfiltration sink, public DNS with the canary zone. */
function planInternet(ctx: LayoutContext): void {
  const { model, certs, inet, processes } = ctx;
  // Public services of the twin's internet.
  const services = [...new Set(model.endpoints.map((e) => `${e.service}|${e.region}`))].sort();
  const publicNames = services.map((s, i) => { const [service, region] = s.split('|') as [string, string]; return { service, region, host: `${service}.${region}.amazonaws.com`, ip: publicBedrockAddress(i) }; });
  // The internet also answers the names an SDK can be configured into (FIPS, dual-stack, bedrock-mantle),
  // with the service's public address: no endpoint's private DNS covers them.
  const sdkNames = publicNames.flatMap((p) => sdkHostnames([p.service], p.region).map((n) => ({ host: n.host, ip: p.ip })));
  // The AWS service names every instance needs (the SSM agent's among them) resolve publicly too.
  const regions = [...new Set(model.vpcs.map((v) => v.region))].sort();
  const awsNames = regions.flatMap((r, ri) => ['ssm', 'ssmmessages', 'ec2messages', 'sts', 'secretsmanager', 'logs'].map((svc, si) => ({ host: `${svc}.${r}.amazonaws.com`, ip: intToIpv4(ipv4ToInt('203.0.113.100')! + ri * 8 + si) })));
  for (const ip of [INTERNET.dns, INTERNET.sink, ...publicNames.map((p) => p.ip)]) inet.ip.push(`address add ${ip}/32 dev lo`);
  processes.push({
    kind: 'dnsmasq', ns: inet.name, name: 'public-dns',
    args: [`--listen-address=${INTERNET.dns}`, ...[...publicNames, ...sdkNames, ...awsNames].map((p) => `--host-record=${p.host},${p.ip}`), `--address=/${INTERNET.canaryDomain}/${INTERNET.canaryAnswer}`, `--host-record=${INTERNET.web.name},${INTERNET.web.ip}`, '--log-queries=extra'],
  });
  processes.push({
    kind: 'serve', ns: inet.name, name: 'internet',
    listeners: [
      { kind: 'sink', host: INTERNET.sink, port: 80, name: 'exfil-sink' },
      ...publicNames.map((p): Listener => ({ kind: 'bedrock', host: p.ip, port: 443, name: `public-${p.service}`, ...certs.bedrock, service: p.service, region: p.region, policy: null, public: true, identities: ctx.identities })),
    ],
  });

}

/** One VPC's router: subnets as bridges, peering links, one routing table per subnet, NACLs, NAT, Amazon DNS, IMDS. */
function planRouter(ctx: LayoutContext, vpc: Vpc, i: number): void {
  const { model, links, inet, notes, activePeerings, vpcIndex, routerName, routers } = ctx;
  const rt = routers[i]!;
  const nft: string[] = [];
  const nat: string[] = [];
  // Link to the internet namespace: used by Amazon DNS always, by subnets only through IGW/NAT routes.
  const rIp = intToIpv4(ipv4ToInt('169.254.254.0')! + 4 * i + 1);
  const natIp = intToIpv4(ipv4ToInt('192.0.2.100')! + i);
  const iIp = intToIpv4(ipv4ToInt('169.254.254.0')! + 4 * i + 2);
  links.push({ a: rt.name, aIf: 'inet', b: inet.name, bIf: `r${i}` });
  rt.ip.push(`address add ${rIp}/30 dev inet`, 'link set inet up', `route add ${INTERNET.dns}/32 via ${iIp} dev inet`);
  inet.ip.push(`address add ${iIp}/30 dev r${i}`, `link set r${i} up`);

  vpc.subnets.forEach((s, k) => {
    rt.ip.push(`link add br${k} type bridge`, `address add ${gatewayOf(s.cidr)}/${prefixLen(s.cidr)} dev br${k}`, `link set br${k} up`);
  });
  const localRoutes = (table: number) => vpc.subnets.map((s, k) => `route add ${s.cidr} dev br${k} table ${table}`);

  // Peering links, one per active peering this VPC is part of.
  activePeerings.forEach((p, pi) => {
    const side = p.requesterVpc === vpc.id ? 1 : p.accepterVpc === vpc.id ? 2 : 0;
    if (!side) return;
    const peerVpc = model.vpcs.find((v) => v.id === (side === 1 ? p.accepterVpc : p.requesterVpc));
    if (!peerVpc || !vpcIndex.has(peerVpc.id)) return;
    const mine = intToIpv4(ipv4ToInt('169.254.255.0')! + 4 * pi + side);
    if (side === 1) links.push({ a: rt.name, aIf: `p${pi}`, b: routerName(vpcIndex.get(peerVpc.id)!), bIf: `p${pi}` });
    rt.ip.push(`address add ${mine}/30 dev p${pi}`, `link set p${pi} up`);
    // Traffic from a peer is delivered only inside this VPC: peering is not transitive.
    const table = 200 + pi;
    rt.ip.push(...localRoutes(table), `route add blackhole default table ${table}`, `rule add iif p${pi} lookup ${table} pref ${table}`);
    nft.push(`    iifname "p${pi}" ip saddr != ${peerVpc.cidr} drop`, `    iifname "p${pi}" ip daddr != ${vpc.cidr} drop`);
  });
  const peerGateway = (pcxId: string) => {
    const pi = activePeerings.findIndex((p) => p.id === pcxId);
    if (pi < 0) return undefined;
    const p = activePeerings[pi]!;
    const other = p.requesterVpc === vpc.id ? 2 : 1;
    return { via: intToIpv4(ipv4ToInt('169.254.255.0')! + 4 * pi + other), dev: `p${pi}` };
  };

  // One routing table per subnet: AWS evaluates each subnet's route table at its router.
  vpc.subnets.forEach((s, k) => {
    const table = 100 + k;
    rt.ip.push(...localRoutes(table), `rule add iif br${k} lookup ${table} pref ${table}`);
    let hasDefault = false;
    for (const r of s.routes) {
      if (r.target === 'local' || r.state !== 'active') continue;
      if (r.destination === '0.0.0.0/0') hasDefault = true;
      if (r.target === 'peering') {
        const gw = peerGateway(r.targetId);
        if (gw) rt.ip.push(`route add ${r.destination} via ${gw.via} dev ${gw.dev} table ${table}`);
        else notes.push(`${s.name}: route ${r.destination} -> ${r.targetId} is ignored: the peering is not active`);
      } else if (r.target === 'internet' || r.target === 'nat') {
        rt.ip.push(`route add ${r.destination} via ${iIp} dev inet table ${table}`);
        // A NAT gateway translates the subnet to its elastic IP (a documentation address here).
        if (r.target === 'nat') nat.push(`    oifname "inet" ip saddr ${s.cidr} snat to ${natIp}`);
      } else {
        notes.push(`${s.name}: route ${r.destination} -> ${r.targetId} (${r.target}) is not modelled; traffic to it is dropped`);
      }
    }
    if (!hasDefault) rt.ip.push(`route add blackhole default table ${table}`);
    nft.push(...naclRules(s, k));
  });
  // Replies from the internet come back to the subnets; new connections from it never reach private addresses.
  rt.ip.push(...localRoutes(300), `route add blackhole default table 300`, `rule add iif inet lookup 300 pref 300`);
  // An internet gateway gives egress only to instances with a public address (it does not NAT private ones).
  const publicMapped = model.hosts.filter((h) => h.vpcId === vpc.id).flatMap((h) => h.enis.filter((e) => e.publicIp));
  for (const e of publicMapped) {
    nat.push(`    oifname "inet" ip saddr ${e.ip} snat to ${e.publicIp}`);
    inet.ip.push(`route add ${e.publicIp}/32 via ${rIp} dev r${i}`);
  }
  const natSubnets = vpc.subnets.filter((s) => s.routes.some((r) => r.target === 'nat' && r.state === 'active')).map((s) => s.cidr);
  const egressOk = [...publicMapped.map((e) => e.ip), ...natSubnets];
  nft.push(`    oifname "inet" ip saddr != ${egressOk.length ? `{ ${egressOk.join(', ')} }` : '0.0.0.0/32'} drop`);
  if (natSubnets.length) {
    inet.ip.push(`route add ${natIp}/32 via ${rIp} dev r${i}`);
    // A NAT gateway drops a connection idle for 350 s (a fixed value): conntrack forgets it then,
    // and a later packet of it is invalid, not a new connection.
    // https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-troubleshooting.html#nat-gateway-troubleshooting-timeout
    rt.sysctl.push('net.netfilter.nf_conntrack_tcp_timeout_established=350', 'net.netfilter.nf_conntrack_tcp_loose=0');
    nft.push('    oifname "inet" ct state invalid drop', '    iifname "inet" ct state invalid drop');
  }
  rt.nft = [
    'table inet pathproof {',
    '  chain forward {',
    '    type filter hook forward priority 0; policy accept;',
    ...nft,
    '  }',
    ...naclChains(vpc),
    '}',
    ...(nat.length ? ['table ip pathproof_nat {', '  chain post {', '    type nat hook postrouting priority 100;', ...nat, '  }', '}'] : []),
  ].join('\n');

  planResolverAndImds(ctx, vpc, rt);
}

/** Amazon DNS at base+2 and the instance metadata service, both answered by the VPC's router namespace. */
function planResolverAndImds(ctx: LayoutContext, vpc: Vpc, rt: NamespacePlan): void {
  const { model, notes, processes } = ctx;
  let resolver: Listener | undefined;
  // Amazon DNS at base+2: private hosted zones associated with this VPC (needs both DNS attributes),
  // endpoint private DNS only for endpoints in this VPC, everything else forwarded to public DNS.
  if (vpc.dnsSupport) {
    const args = ['--listen-address=127.0.0.1', `--port=${RESOLUTION_PORT}`, `--server=${INTERNET.dns}`];
    if (vpc.dnsHostnames) {
      for (const z of model.hostedZones.filter((z) => z.private && z.vpcIds.includes(vpc.id))) {
        args.push(`--local=/${z.name}/`);
        for (const r of z.records.filter((r) => r.type === 'A')) {
          const ips = r.aliasDnsName ? aliasTargets(model, r.aliasDnsName) : r.values;
          if (r.aliasDnsName && ips.length === 0) notes.push(`alias ${r.name} -> ${r.aliasDnsName} points at nothing the twin knows`);
          for (const ip of ips) args.push(`--host-record=${r.name},${ip}`);
        }
      }
    } else if (model.hostedZones.some((z) => z.private && z.vpcIds.includes(vpc.id))) {
      notes.push(`${vpc.name}: enableDnsHostnames is off, so its private hosted zones are not answered (as in AWS)`);
    }
    for (const ep of model.endpoints.filter((e) => e.vpcId === vpc.id && e.privateDns)) {
      for (const ip of endpointIps(model, ep.id)) args.push(`--host-record=${ep.service}.${ep.region}.amazonaws.com,${ip}`);
    }
    processes.push({ kind: 'dnsmasq', ns: rt.name, name: `resolution-${vpc.name}`, args });
    // Amazon DNS itself: DNS Firewall and query logging in front of resolution (servers/resolver.ts).
    const instances = Object.fromEntries(model.hosts.filter((h) => h.vpcId === vpc.id && h.kind === 'instance').map((h) => [h.enis[0]!.ip, h.id]));
    resolver = {
      kind: 'resolver', host: resolverOf(vpc.cidr), port: 53, name: `amazon-dns-${vpc.name}`, upstream: { host: '127.0.0.1', port: RESOLUTION_PORT },
      vpcId: vpc.id, accountId: TWIN_ACCOUNT, region: vpc.region, instances,
      ...(model.dns ? { firewall: model.dns } : {}),
      queryLogging: model.dns?.queryLogs.some((c) => c.vpcIds.includes(vpc.id)) ?? false,
      ...(ctx.dnsFirewallUnavailable ? { unavailable: true } : {}),
    };
    if (!model.dns) notes.push(`${vpc.name}: the Route 53 Resolver firewall could not be read, so the twin filters no query`);
  } else {
    notes.push(`${vpc.name}: enableDnsSupport is off, so nothing answers at ${resolverOf(vpc.cidr)} (as in AWS)`);
  }

  // Instance metadata service, answered by the VPC router namespace on behalf of each instance.
  const imdsHosts = model.hosts.filter((h) => h.vpcId === vpc.id && h.kind === 'instance');
  const listeners: Listener[] = [
    ...(imdsHosts.length > 0 ? [{ kind: 'imds' as const, host: IMDS_IP, port: 80, name: 'imds', instances: Object.fromEntries(imdsHosts.map((h) => [h.enis[0]!.ip, { id: h.id, enabled: h.imds, ...(ctx.hostCredentials.get(h.id) ? { credentials: ctx.hostCredentials.get(h.id)! } : {}) }])) }] : []),
    ...(resolver ? [resolver] : []),
  ];
  if (listeners.length > 0) processes.push({ kind: 'serve', ns: rt.name, name: `vpc-${vpc.name}`, listeners });
}

/** One host (an instance or an endpoint's ENIs): a namespace behind its subnet's bridge, its security groups, its services. */
function planHost(ctx: LayoutContext, h: Host, j: number | string, own?: Listener[]): void {
  const { model, certs, prefix, notes, namespaces, links, processes, instances, vpcs, vpcIndex, routers, routerName, members } = ctx;
  const vi = vpcIndex.get(h.vpcId);
  const vpc = vpcs[vi ?? -1];
  if (vi === undefined || !vpc) return;
  const k = vpc.subnets.findIndex((s) => s.id === h.subnetId);
  const subnet = vpc.subnets[k];
  if (!subnet) return;
  const ns: NamespacePlan = { name: `${prefix}h${j}`, sysctl: [], ip: ['link set lo up'] };
  links.push({ a: ns.name, aIf: 'eth0', b: routerName(vi), bIf: `h${j}` });
  routers[vi]!.ip.push(`link set h${j} master br${k}`, `link set h${j} up`);
  for (const e of h.enis) {
    if (!cidrContains(subnet.cidr, e.ip)) notes.push(`${h.id}: ${e.ip} is outside ${subnet.cidr}`);
    ns.ip.push(`address add ${e.ip}/${prefixLen(subnet.cidr)} dev eth0`);
  }
  ns.ip.push('link set eth0 up', `route add default via ${gatewayOf(subnet.cidr)} dev eth0`);
  ns.nft = securityGroupRules(h, model, members, resolverOf(vpc.cidr));
  ns.resolvConf = `nameserver ${resolverOf(vpc.cidr)}\noptions timeout:2 attempts:1\n`;
  namespaces.push(ns);
  if (own) {
    processes.push({ kind: 'serve', ns: ns.name, name: h.id, listeners: own });
    return;
  }
  if (h.kind === 'instance') instances.set(h.id, { ns: ns.name, ip: h.enis[0]!.ip, vpcId: h.vpcId });

  const listeners: Listener[] = [];
  if (h.kind === 'endpoints') {
    for (const e of h.enis) {
      const ep = model.endpoints.find((x) => x.eniIds.includes(e.id));
      if (ep) listeners.push({ kind: 'bedrock', host: e.ip, port: 443, name: ep.id, ...certs.bedrock, service: ep.service, region: ep.region, policy: ep.policy, public: false, identities: ctx.identities, vpce: ep.id, vpcId: ep.vpcId });
    }
  } else if (h.tags['pathproof:listen']) {
    const tls = h.tags['pathproof:tls'] === 'true';
    for (const port of h.tags['pathproof:listen'].split(',').map(Number).filter((p) => p > 0 && p < 65536)) {
      listeners.push(tls ? { kind: 'https', host: h.enis[0]!.ip, port, name: h.tags.Name ?? h.id, ...certs.internal } : { kind: 'tcp', host: h.enis[0]!.ip, port, name: h.tags.Name ?? h.id });
    }
  }
  if (listeners.length) processes.push({ kind: 'serve', ns: ns.name, name: h.tags.Name ?? h.id, listeners });
}

/**
 * Where each load balancer lives in the twin: at its address in its first subnet (the inventory
 * reader gives one, said as a correction, when the emulator creates no network interface). Its
 * listeners proxy to their targets and enforce the idle time-out the API reports.
 */
function placeLoadBalancers(model: Inventory): { host: Host; listeners: Listener[] }[] {
  return (model.loadBalancers ?? []).flatMap((lb) => {
    const subnet = model.vpcs.flatMap((v) => v.subnets).find((s) => s.id === lb.subnetIds[0]);
    const ip = lb.addresses.find((a) => subnet && cidrContains(subnet.cidr, a));
    if (!subnet || !ip) return [];
    const host: Host = { id: lb.name, kind: 'instance', vpcId: lb.vpcId, subnetId: subnet.id, imds: false, tags: { Name: lb.name }, enis: [{ id: `eni-${lb.name}`, subnetId: subnet.id, ip, groups: [...lb.groups] }] };
    const listeners: Listener[] = lb.listeners.map((l) => ({ kind: 'alb' as const, host: ip, port: l.port, name: lb.name, idleSeconds: lb.idleTimeoutSeconds, targets: l.targets.map((t) => ({ ...t })) }));
    return [{ host, listeners }];
  });
}

function endpointIps(model: Inventory, endpointId: string): string[] {
  const ep = model.endpoints.find((e) => e.id === endpointId);
  if (!ep) return [];
  return model.hosts.flatMap((h) => h.enis.filter((e) => ep.eniIds.includes(e.id)).map((e) => e.ip));
}

function aliasTargets(model: Inventory, dnsName: string): string[] {
  const ep = model.endpoints.find((e) => e.dnsNames.some((d) => d.replace(/\.$/, '').toLowerCase() === dnsName.toLowerCase()));
  return ep ? endpointIps(model, ep.id) : [];
}
