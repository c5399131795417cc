/**
 * Static reachability: which zone → zone (and zone → internet) flows the configuration opens, on
 * which ports, through which security-group rules, and what (routes, peering, NACLs) carries or
 * blocks each one today. A pure function of the inventory, so that one written down by hand in a
 * test is judged exactly as one read from two AWS accounts. This is what Reachability Analyzer
 * does within one region; here it spans the peering between NZ and Sydney.
 *
 * AWS semantics modelled (EC2 User Guide, "Security group rules" and "Network ACLs"; VPC Peering
 * Guide, "Unsupported VPC peering configurations"):
 * - a flow needs an egress rule of a source ENI's group that names the destination (CIDR or group)
 *   and an ingress rule of a destination ENI's group that names the source; groups are stateful,
 *   so the reply needs no rule;
 * - NACLs are stateless and evaluated in rule-number order, the first match deciding, with an
 *   implicit deny: the request needs the source subnet's outbound and the destination subnet's
 *   inbound entry, the reply (ephemeral ports 1024-65535) the reverse;
 * - routing is longest prefix: `local` within the VPC, a peering connection only between the two
 *   VPCs it joins (never transitive) and only if the peer routes the reply back; a public address
 *   needs a route to an internet gateway (with a public IP on the ENI) or a NAT gateway.
 */
import { cidrContains, ipv4ToInt } from './cidr.ts';
import type { Eni, Inventory, NaclEntry, Route, SecurityGroup, SgRule, Subnet } from './inventory.ts';

export interface ZoneRef { readonly name: string; readonly vpcId: string; readonly cidr: string }

export interface ReachabilityInput {
  readonly inventory: Inventory;
  /** The environment's internal zones, their VPCs resolved to ids. */
  readonly zones: readonly ZoneRef[];
  /** ENIs that are the external AI service (the Bedrock interface endpoints' ENIs): zone `external-ai`. */
  readonly endpointEnis: ReadonlySet<string>;
  /**
   * ENIs of interface endpoints for other AWS services (SSM, logs, …): the management plane's
   * declared exception, left out of the zone model (the assertion says how many).
   */
  readonly serviceEnis?: ReadonlySet<string>;
}

export const INTERNET = 'internet';
export const EXTERNAL_AI = 'external-ai';

/** A security-group rule, as a person finds it in the console. */
export interface RuleRef {
  readonly groupId: string;
  readonly groupName: string;
  readonly direction: 'ingress' | 'egress';
  readonly protocol: string;
  readonly ports: string;
  /** The CIDR or group the rule names. */
  readonly peer: string;
}

export interface OpenFlow {
  readonly from: string;
  readonly to: string;
  readonly protocol: 'tcp' | 'udp';
  readonly low: number;
  readonly high: number;
  readonly src: { readonly eni: string; readonly ip: string };
  readonly dst: { readonly eni: string; readonly ip: string };
  /** Absent when no egress rule of the source names the flow (then a blocker says so). */
  readonly egress?: RuleRef;
  /** Absent for the internet (nothing there filters). */
  readonly ingress?: RuleRef;
  /** What stops the flow today, in words; empty when the network carries it. */
  readonly blockers: readonly string[];
}

interface Endpoint { readonly eni: Eni; readonly zone: string; readonly subnet: Subnet; readonly vpcId: string }

const PRIVATE = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16', '127.0.0.0/8'];
/** Stands for "a public address" when a rule or route names all of them (RFC 5737 documentation range). */
const PUBLIC_EXAMPLE = '198.51.100.1';
const EPHEMERAL = 1024;

const isPrivate = (ip: string) => PRIVATE.some((c) => cidrContains(c, ip));
const prefix = (cidr: string) => Number(cidr.split('/')[1]);

/** A public address inside the CIDR, if the CIDR holds any (checked at its base and a documentation address). */
function publicIn(cidr: string): string | undefined {
  if (cidrContains(cidr, PUBLIC_EXAMPLE)) return PUBLIC_EXAMPLE;
  const base = cidr.split('/')[0]!;
  return ipv4ToInt(base) !== undefined && !isPrivate(base) && prefix(cidr) > 0 ? base : undefined;
}

function portsOf(r: { protocol: string; fromPort?: number; toPort?: number }): [number, number] {
  if (r.protocol === '-1' || r.fromPort === undefined || r.fromPort < 0) return [0, 65535];
  return [r.fromPort, r.toPort ?? r.fromPort];
}

const protocolsOf = (p: string): ('tcp' | 'udp')[] => (p === '-1' ? ['tcp', 'udp'] : p === 'tcp' || p === '6' ? ['tcp'] : p === 'udp' || p === '17' ? ['udp'] : []);

function ruleRef(g: SecurityGroup, direction: RuleRef['direction'], r: SgRule, peer: string, groups: Inventory['groups']): RuleRef {
  const [lo, hi] = portsOf(r);
  return {
    groupId: g.id, groupName: g.name, direction, protocol: r.protocol === '-1' ? 'all' : r.protocol,
    ports: lo === 0 && hi === 65535 ? 'all' : lo === hi ? String(lo) : `${lo}-${hi}`,
    peer: peer.startsWith('sg-') ? `${peer} (${groups.get(peer)?.name ?? 'unknown group'})` : peer,
  };
}

/** The rules of `groups` in one direction that name `peer` (its address, or one of its groups). */
function rulesNaming(inv: Inventory, groups: readonly string[], direction: 'ingress' | 'egress', peer: { ip: string; groups: readonly string[] }) {
  const out: { rule: SgRule; ref: RuleRef }[] = [];
  for (const id of groups) {
    const g = inv.groups.get(id);
    if (!g) continue;
    for (const rule of g[direction]) {
      const cidr = rule.cidrs.find((c) => cidrContains(c, peer.ip));
      const group = rule.groups.find((x) => peer.groups.includes(x));
      const named = cidr ?? group;
      if (named) out.push({ rule, ref: ruleRef(g, direction, rule, named, inv.groups) });
    }
  }
  return out;
}

/** First matching entry decides; no entries read means the default NACL (allows everything). */
export function naclDecision(entries: readonly NaclEntry[], egress: boolean, peerIp: string, protocol: 'tcp' | 'udp', port: number): { allowed: boolean; rule: string } {
  const own = entries.filter((e) => e.egress === egress);
  if (own.length === 0) return { allowed: true, rule: 'no entries (default NACL)' };
  for (const e of own) {
    if (!cidrContains(e.cidr, peerIp) || !protocolsOf(e.protocol).includes(protocol)) continue;
    const [lo, hi] = portsOf(e);
    if (port < lo || port > hi) continue;
    return { allowed: e.action === 'allow', rule: `rule ${e.ruleNumber} ${e.action}` };
  }
  return { allowed: false, rule: 'the implicit deny (*)' };
}

/** Longest-prefix route of a subnet for an address. */
export function routeFor(routes: readonly Route[], ip: string): Route | undefined {
  return routes.filter((r) => r.state !== 'blackhole' && cidrContains(r.destination, ip)).sort((a, b) => prefix(b.destination) - prefix(a.destination))[0];
}

/** Why the network would not carry src → dst today, in words; empty when it would. */
function routeBlockers(inv: Inventory, src: Endpoint, dstIp: string, dst?: Endpoint): string[] {
  const out: string[] = [];
  const there = routeFor(src.subnet.routes, dstIp);
  if (!dst) {
    if (!there) return [`no route to the internet in ${src.subnet.routeTableId} (${src.subnet.name})`];
    if (there.target === 'nat') return [];
    if (there.target === 'internet') return src.eni.publicIp ? [] : [`${src.eni.id} has no public address for the internet gateway route ${there.destination} → ${there.targetId}`];
    if (there.target === 'peering') return [`the route ${there.destination} → ${there.targetId} is a peering connection, which never carries traffic to the internet`];
    return there.target === 'other' ? [] : [`no route to the internet in ${src.subnet.routeTableId} (${src.subnet.name})`];
  }
  if (src.vpcId === dst.vpcId) {
    // Within a VPC the local route always wins for the VPC's own addresses.
    return out;
  }
  const peering = (r: Route | undefined, from: Endpoint, to: Endpoint) => {
    if (!r) return `no route to ${to.eni.ip} in ${from.subnet.routeTableId} (${from.subnet.name})`;
    if (r.target !== 'peering') return `the route to ${to.eni.ip} in ${from.subnet.routeTableId} goes to ${r.targetId}, not a peering connection`;
    const p = inv.peerings.find((x) => x.id === r.targetId);
    if (!p || p.status !== 'active') return `peering connection ${r.targetId} is ${p ? p.status : 'not found'}`;
    const joins = new Set([p.requesterVpc, p.accepterVpc]);
    return joins.has(from.vpcId) && joins.has(to.vpcId) ? undefined : `peering connection ${r.targetId} does not join ${from.vpcId} and ${to.vpcId} (peering is not transitive)`;
  };
  const forward = peering(there, src, dst);
  if (forward) out.push(forward);
  const back = peering(routeFor(dst.subnet.routes, src.eni.ip), dst, src);
  if (back) out.push(`no return path: ${back}`);
  return out;
}

function naclBlockers(src: Endpoint, dstIp: string, dst: Endpoint | undefined, protocol: 'tcp' | 'udp', port: number): string[] {
  const out: string[] = [];
  const check = (s: Subnet, egress: boolean, peer: string, p: number, what: string) => {
    const d = naclDecision(s.nacl, egress, peer, protocol, p);
    if (!d.allowed) out.push(`${what}: NACL ${s.naclId ?? ''} of ${s.name} ${egress ? 'outbound' : 'inbound'} ${d.rule} (${protocol} ${p}, ${peer})`);
  };
  check(src.subnet, true, dstIp, port, 'request');
  // A reply leaves from the service port towards an ephemeral port: one allowed ephemeral port suffices.
  const replyIn = [EPHEMERAL, 32768, 49152, 65535].some((p) => naclDecision(src.subnet.nacl, false, dstIp, protocol, p).allowed);
  if (!replyIn) out.push(`reply: NACL ${src.subnet.naclId ?? ''} of ${src.subnet.name} inbound admits no ephemeral port from ${dstIp}`);
  if (dst) {
    check(dst.subnet, false, src.eni.ip, port, 'request');
    const replyOut = [EPHEMERAL, 32768, 49152, 65535].some((p) => naclDecision(dst.subnet.nacl, true, src.eni.ip, protocol, p).allowed);
    if (!replyOut) out.push(`reply: NACL ${dst.subnet.naclId ?? ''} of ${dst.subnet.name} outbound admits no ephemeral port to ${src.eni.ip}`);
  }
  return out;
}

function endpointsOf(input: ReachabilityInput): Endpoint[] {
  const subnets = new Map(input.inventory.vpcs.flatMap((v) => v.subnets.map((s) => [s.id, s] as const)));
  const out: Endpoint[] = [];
  for (const h of input.inventory.hosts) {
    for (const eni of h.enis) {
      const subnet = subnets.get(eni.subnetId);
      if (!subnet || input.serviceEnis?.has(eni.id)) continue;
      const zone = input.endpointEnis.has(eni.id)
        ? EXTERNAL_AI
        : input.zones.find((z) => z.vpcId === h.vpcId && cidrContains(z.cidr, eni.ip))?.name;
      if (zone) out.push({ eni, zone, subnet, vpcId: h.vpcId });
    }
  }
  return out;
}

/** Port boundaries at which a verdict can change: the catalog's, the NACLs', the rules' own. */
function segments(lo: number, hi: number, cuts: readonly number[]): [number, number][] {
  const points = [...new Set([lo, ...cuts.filter((c) => c > lo && c <= hi), hi + 1])].sort((a, b) => a - b);
  return points.slice(0, -1).map((p, i) => [p, points[i + 1]! - 1]);
}

const naclCuts = (nacl: readonly NaclEntry[]) => nacl.flatMap((e) => (e.fromPort === undefined ? [] : [e.fromPort, (e.toPort ?? e.fromPort) + 1]));

/**
 * Every flow the security groups open between zones (and to the internet), one entry per rule
 * pair, protocol and port segment, with what blocks it today. `cuts` are extra port boundaries
 * (the catalog's), so that each segment gets one catalog decision.
 */
export function openFlows(input: ReachabilityInput, cuts: readonly number[] = []): OpenFlow[] {
  const inv = input.inventory;
  const eps = endpointsOf(input);
  const flows: OpenFlow[] = [];
  // Endpoint ENIs answer; they do not open connections.
  for (const src of eps.filter((e) => e.zone !== EXTERNAL_AI)) {
    const srcPeer = { ip: src.eni.ip, groups: src.eni.groups };
    for (const dst of eps) {
      if (dst.zone === src.zone) continue;
      // A destination's ingress rule says who may connect: it is judged on its own, and a source
      // egress rule that does not name the flow is one more layer that blocks it today.
      const ingress = rulesNaming(inv, dst.eni.groups, 'ingress', srcPeer);
      if (ingress.length === 0) continue;
      const egress = rulesNaming(inv, src.eni.groups, 'egress', { ip: dst.eni.ip, groups: dst.eni.groups });
      const routes = routeBlockers(inv, src, dst.eni.ip, dst);
      for (const i of ingress) {
        const [ilo, ihi] = portsOf(i.rule);
        for (const protocol of protocolsOf(i.rule.protocol)) {
          const eCuts = egress.flatMap((e) => { const [a, b] = portsOf(e.rule); return [a, b + 1]; });
          for (const [a, b] of segments(ilo, ihi, [...cuts, ...eCuts, ...naclCuts(src.subnet.nacl), ...naclCuts(dst.subnet.nacl)])) {
            const e = egress.find((x) => protocolsOf(x.rule.protocol).includes(protocol) && portsOf(x.rule)[0] <= a && b <= portsOf(x.rule)[1]);
            const noEgress = e ? [] : [`no egress rule of ${src.eni.groups.map((g) => `${g} (${inv.groups.get(g)?.name ?? '?'})`).join(', ') || 'the source'} allows ${protocol} ${rangeText(a, b)} to ${dst.eni.ip}`];
            flows.push({
              from: src.zone, to: dst.zone, protocol, low: a, high: b,
              src: { eni: src.eni.id, ip: src.eni.ip }, dst: { eni: dst.eni.id, ip: dst.eni.ip },
              ...(e ? { egress: e.ref } : {}), ingress: i.ref, blockers: [...noEgress, ...routes, ...naclBlockers(src, dst.eni.ip, dst, protocol, a)],
            });
          }
        }
      }
    }
    // The internet: any egress rule naming a public address opens it; nothing there filters.
    for (const id of src.eni.groups) {
      const g = inv.groups.get(id);
      for (const rule of g?.egress ?? []) {
        const cidr = rule.cidrs.find((c) => publicIn(c));
        if (!g || !cidr) continue;
        const ip = publicIn(cidr)!;
        const ref = ruleRef(g, 'egress', rule, cidr, inv.groups);
        const [lo, hi] = portsOf(rule);
        const routes = routeBlockers(inv, src, ip);
        for (const protocol of protocolsOf(rule.protocol)) {
          for (const [a, b] of segments(lo, hi, [...cuts, ...naclCuts(src.subnet.nacl)])) {
            flows.push({
              from: src.zone, to: INTERNET, protocol, low: a, high: b, src: { eni: src.eni.id, ip: src.eni.ip }, dst: { eni: '', ip },
              egress: ref, blockers: [...routes, ...naclBlockers(src, ip, undefined, protocol, a)],
            });
          }
        }
      }
    }
  }
  return flows;
}

/** A rule (pair) that opens flows the catalog denies, grouped as a person would fix it. */
export interface Violation {
  readonly from: string;
  readonly to: string;
  /** Denied ports per protocol, as text ("tcp 22", "tcp 0-442", "udp all"). */
  readonly ports: readonly string[];
  /** The source's egress rule that also opens it, when one does. */
  readonly egress?: RuleRef;
  readonly ingress?: RuleRef;
  /** The deny policies, or "default-deny". */
  readonly policies: readonly string[];
  /** Latent: no host pair has it carried today; `blockers` says why. */
  readonly latent: boolean;
  readonly blockers: readonly string[];
}

/** An allow policy's flow that no configuration carries. */
export interface Uncarried { readonly policy: string; readonly from: string; readonly to: string; readonly protocol: 'tcp' | 'udp'; readonly port: number; readonly why: string }

export interface Conformance {
  readonly flows: readonly OpenFlow[];
  readonly violations: readonly Violation[];
  readonly uncarried: readonly Uncarried[];
}

type Decide = (flow: { from: string; to: string; protocol: 'tcp' | 'udp'; port: number }) => { action: 'allow' | 'deny'; policies: readonly string[] };

export interface AllowPolicy { readonly id: string; readonly from: string; readonly to: string; readonly protocol: 'tcp' | 'udp' | 'any'; readonly ports: readonly { low: number; high: number }[] }

const rangeText = (a: number, b: number) => (a === b ? String(a) : a === 0 && b === 65535 ? 'all' : `${a}-${b}`);
const ruleKey = (r?: RuleRef) => (r ? `${r.groupId}|${r.direction}|${r.protocol}|${r.ports}|${r.peer}` : '');

/** Ports an allow policy must be carried on: each port of a small range, the ends of a large one. */
function portsToCarry(p: AllowPolicy): number[] {
  return p.ports.flatMap((r) => (r.high - r.low < 16 ? Array.from({ length: r.high - r.low + 1 }, (_, i) => r.low + i) : [r.low, r.high]));
}

/**
 * Judges open flows by the catalog: each rule pair that opens a denied flow is a violation
 * (latent when nothing carries it today), and each allow policy's port that no flow carries is
 * uncarried. `decide` is the catalog evaluator; `allows` the allow policies to prove carried.
 */
export function judgeFlows(flows: readonly OpenFlow[], decide: Decide, allows: readonly AllowPolicy[]): Conformance {
  const groups = new Map<string, { v: Omit<Violation, 'ports' | 'latent' | 'blockers'>; ranges: Record<string, [number, number][]>; carried: boolean; blockers: Set<string> }>();
  for (const f of flows) {
    const d = decide({ from: f.from, to: f.to, protocol: f.protocol, port: f.low });
    if (d.action === 'allow') continue;
    // One finding per rule a person would change: the ingress rule (or, to the internet, the egress rule).
    const key = [f.from, f.to, ruleKey(f.ingress ?? f.egress), d.policies.join(',')].join('#');
    const g = groups.get(key) ?? { v: { from: f.from, to: f.to, ...(f.egress ? { egress: f.egress } : {}), ...(f.ingress ? { ingress: f.ingress } : {}), policies: d.policies.length ? d.policies : ['default-deny'] }, ranges: {}, carried: false, blockers: new Set<string>() };
    (g.ranges[f.protocol] ??= []).push([f.low, f.high]);
    if (f.blockers.length === 0) g.carried = true;
    for (const b of f.blockers) g.blockers.add(b);
    groups.set(key, g);
  }
  const violations = [...groups.values()].map(({ v, ranges, carried, blockers }): Violation => {
    const ports = Object.entries(ranges).sort(([a], [b]) => a.localeCompare(b)).flatMap(([protocol, list]) => {
      const merged: [number, number][] = [];
      for (const [a, b] of list.sort((x, y) => x[0] - y[0])) {
        const last = merged.at(-1);
        if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
        else merged.push([a, b]);
      }
      return merged.map(([a, b]) => `${protocol} ${rangeText(a, b)}`);
    });
    return { ...v, ports, latent: !carried, blockers: carried ? [] : [...blockers].sort() };
  }).sort((a, b) => `${a.from} ${a.to}`.localeCompare(`${b.from} ${b.to}`));

  const uncarried: Uncarried[] = [];
  for (const p of allows) {
    if (p.to === '*') continue;
    const protocol = p.protocol === 'udp' ? 'udp' : 'tcp';
    for (const port of portsToCarry(p)) {
      const candidates = flows.filter((f) => f.from === p.from && f.to === p.to && f.protocol === protocol && f.low <= port && port <= f.high);
      if (candidates.some((f) => f.blockers.length === 0)) continue;
      const why = candidates.length === 0
        ? 'no security-group rule pair opens it (an egress rule of the source and an ingress rule of the destination)'
        : `opened by ${[candidates[0]!.egress, candidates[0]!.ingress].filter((r) => r !== undefined).map(describeRule).join(' and ')}, but ${[...new Set(candidates.flatMap((f) => f.blockers))].sort().join('; ')}`;
      uncarried.push({ policy: p.id, from: p.from, to: p.to, protocol, port, why });
    }
  }
  return { flows, violations, uncarried };
}

export function describeRule(r: RuleRef): string {
  return `${r.groupId} (${r.groupName}) ${r.direction} ${r.protocol} ${r.ports} ${r.direction === 'ingress' ? 'from' : 'to'} ${r.peer}`;
}
