import { cidrContains } from '../../model/cidr.ts';
import { evaluate } from '../../model/evaluate.ts';
import { describeRule, judgeFlows, openFlows, type AllowPolicy, type Conformance, type OpenFlow, type ZoneRef } from '../../model/reachability.ts';
import { bedrockEndpoints, findVpc, notFound, type Assertion, type AssertionContext } from './types.ts';

/** The catalog's port boundaries: where its decision for a flow can change. */
function catalogCuts(ctx: Pick<AssertionContext, 'catalog'>): number[] {
  return [...ctx.catalog.policies.values()].flatMap((p) => p.ports.flatMap((r) => [r.low, r.high + 1]));
}

type Judged = Conformance & { zones: ZoneRef[]; missing: string[]; serviceEnis: number };
/** One analysis per inventory read: every zone's check judges the same flows (same environment and catalog). */
const analysed = new WeakMap<object, { env: unknown; catalog: unknown; judged: Judged }>();

/** Static reachability of the whole environment, judged by the catalog. */
export function conformance(ctx: Pick<AssertionContext, 'inventory' | 'env' | 'catalog'>): Judged {
  const hit = analysed.get(ctx.inventory);
  if (hit && hit.env === ctx.env && hit.catalog === ctx.catalog) return hit.judged;
  const judged = analyse(ctx);
  analysed.set(ctx.inventory, { env: ctx.env, catalog: ctx.catalog, judged });
  return judged;
}

function analyse(ctx: Pick<AssertionContext, 'inventory' | 'env' | 'catalog'>): Judged {
  const zones: ZoneRef[] = [];
  const missing: string[] = [];
  for (const [name, z] of Object.entries(ctx.env.zones)) {
    const vpc = findVpc(ctx.inventory, z.vpc);
    if (vpc) zones.push({ name, vpcId: vpc.id, cidr: z.cidr });
    else missing.push(`${z.vpc} (zone ${name})`);
  }
  const endpointEnis = new Set(bedrockEndpoints(ctx as AssertionContext).endpoints.flatMap((e) => e.eniIds));
  const serviceEnis = new Set(ctx.inventory.endpoints.flatMap((e) => e.eniIds).filter((id) => !endpointEnis.has(id)));
  const flows = openFlows({ inventory: ctx.inventory, zones, endpointEnis, serviceEnis }, catalogCuts(ctx));
  const allows: AllowPolicy[] = [...ctx.catalog.policies.values()].filter((p) => p.action === 'allow');
  const decide = (f: { from: string; to: string; protocol: 'tcp' | 'udp'; port: number }) => {
    const d = evaluate(ctx.catalog, f);
    return { action: d.action, policies: d.policies.map((p) => p.id) };
  };
  return { ...judgeFlows(flows, decide, allows), zones, missing, serviceEnis: serviceEnis.size };
}

/**
 * Everything the security groups and NACLs of one zone open, judged by the catalog: each rule that
 * opens a denied flow is FAIL (latent when routes or NACLs happen to block it today, with what
 * blocks it), and so is each allowed policy flow from the zone that the configuration cannot carry.
 */
export const catalogConformance: Assertion = (ctx) => {
  const zone = ctx.params.zone ?? '';
  const z = ctx.env.zones[zone];
  const vpc = z && findVpc(ctx.inventory, z.vpc);
  const resource = { id: vpc?.id ?? z?.vpc ?? zone, region: vpc?.region ?? '', vpc: vpc?.id ?? z?.vpc ?? '' };
  if (!z || !vpc) return notFound(resource, `the VPC ${z?.vpc ?? '?'} of zone ${zone}`);
  const c = conformance(ctx);
  const hosts = ctx.inventory.hosts.filter((h) => h.vpcId === vpc.id).flatMap((h) => h.enis).filter((e) => cidrContains(z.cidr, e.ip));
  if (hosts.length === 0) return notFound(resource, `any network interface in zone ${zone} (${z.cidr})`);
  const mine = c.flows.filter((f) => f.from === zone);
  const violations = c.violations.filter((v) => v.from === zone);
  const uncarried = c.uncarried.filter((u) => u.from === zone);
  const destinations = [...new Set(mine.map((f) => f.to))].sort();
  const examined = `${hosts.length} network interface(s) in ${zone}; ${mine.length} open flow segment(s) to ${destinations.length ? destinations.join(', ') : 'nothing'}; ${c.missing.length ? `VPCs not found: ${c.missing.join(', ')}` : 'every zone VPC read'}${c.serviceEnis ? `; ${c.serviceEnis} ENI(s) of other AWS services' interface endpoints left out (the management exception)` : ''}`;
  const lines = [
    ...violations.map((v) => `${v.latent ? 'latent: ' : ''}${describeRule((v.ingress ?? v.egress)!)}${v.ingress && v.egress ? ` (with ${describeRule(v.egress)})` : ''} opens ${v.from} → ${v.to} ${v.ports.join(', ')}, which ${v.policies.join(', ')} denies${v.latent ? `; blocked today only by: ${v.blockers.join('; ')}` : ''}`),
    ...uncarried.map((u) => `${u.policy} allows ${u.from} → ${u.to} ${u.protocol} ${u.port}, but the configuration cannot carry it: ${u.why}`),
  ];
  const facts = { violations, uncarried, carried: carriedFacts(mine) };
  return lines.length
    ? { status: 'FAIL', sentence: `${lines.length} finding(s) against the catalog from ${zone}: ${lines.join(' | ')}.`, resource, examined, facts }
    : { status: 'PASS', sentence: `Every flow the security groups and NACLs open from ${zone} is one the catalog allows, and every allowed flow from ${zone} is carried.`, resource, examined, facts };
};

/** The flows the network carries today, one line per destination zone, protocol and range, with their destination addresses (the static witness). */
function carriedFacts(flows: readonly OpenFlow[]): { to: string; protocol: string; ports: string; dst: string[] }[] {
  const out = new Map<string, { to: string; protocol: string; ports: string; dst: Set<string> }>();
  for (const f of flows.filter((x) => x.blockers.length === 0)) {
    const ports = f.low === f.high ? String(f.low) : `${f.low}-${f.high}`;
    const k = `${f.to} ${f.protocol} ${ports}`;
    (out.get(k) ?? out.set(k, { to: f.to, protocol: f.protocol, ports, dst: new Set() }).get(k)!).dst.add(f.dst.ip);
  }
  return [...out.values()].map((c) => ({ ...c, dst: [...c.dst].sort() })).sort((a, b) => `${a.to} ${a.protocol} ${a.ports}`.localeCompare(`${b.to} ${b.protocol} ${b.ports}`));
}
