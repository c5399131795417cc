import type { Inventory, Vpc } from '../../model/inventory.ts';
import { cidrContains, ipv4ToInt } from '../../model/cidr.ts';
import type { Environment } from '../../model/environment.ts';
import { findVpc } from './types.ts';

/**
 * Names an address by where it lies rather than by its numbers: the range of a subnet or VPC is the
 * subnet's or VPC's name, anything inside one is that name plus the offset from its base (and its
 * prefix length). Only addresses outside every VPC (the internet, 0.0.0.0/0) stay numbers. So
 * re-addressing the same network (the reference moved from 10.0.0.0/16 to 172.20.0.0/16) leaves a
 * snapshot unchanged, while moving, widening or narrowing anything still shows.
 */
function addressNamer(ranges: readonly { readonly name: string; readonly cidr: string }[]): (address: string) => string {
  const bits = (c: string) => Number(c.split('/')[1] ?? 32);
  const byNarrowest = [...ranges].sort((a, b) => bits(b.cidr) - bits(a.cidr));
  return (address) => {
    const [ip, len] = address.split('/');
    const n = ipv4ToInt(ip ?? '');
    if (n === undefined) return address;
    const r = byNarrowest.find((x) => cidrContains(x.cidr, ip!) && (len === undefined || Number(len) >= bits(x.cidr)));
    if (!r) return address;
    const offset = n - ipv4ToInt(r.cidr.split('/')[0]!)!;
    if (len === undefined) return `${r.name}+${offset}`;
    return offset === 0 && Number(len) === bits(r.cidr) ? r.name : `${r.name}+${offset}/${len}`;
  };
}

/**
 * The network-relevant configuration, normalised so that it compares across runs: resources are
 * named by their Name tags (ids change when an environment is rebuilt), addresses by where they lie
 * (`addressNamer`), lists are sorted.
 */
export function snapshot(inv: Inventory, env: Environment): Record<string, unknown> {
  const refs = [...new Set([...Object.values(env.zones).map((z) => z.vpc), env.bedrock.vpc])];
  const vpcs = refs.map((r) => findVpc(inv, r)).filter((v) => v !== undefined);
  const ids = new Set(vpcs.map((v) => v.id));
  const inVpc = addressNamer(vpcs.map((v) => ({ name: v.name, cidr: v.cidr })));
  const named = addressNamer([...vpcs.flatMap((v: Vpc) => v.subnets.map((s) => ({ name: s.name, cidr: s.cidr }))), ...vpcs.map((v) => ({ name: v.name, cidr: v.cidr }))]);
  const groupName = (id: string) => inv.groups.get(id)?.name ?? id;
  const rule = (dir: 'from' | 'to') => (r: { protocol: string; fromPort?: number; toPort?: number; cidrs: readonly string[]; groups: readonly string[] }) =>
    `${r.protocol}:${r.fromPort ?? '*'}-${r.toPort ?? '*'} ${dir} ${[...r.cidrs.map(named), ...r.groups.map(groupName)].sort().join(',')}`;
  const sorted = <T>(xs: T[]) => xs.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  return {
    vpcs: Object.fromEntries(vpcs.map((v) => [v.name, {
      cidr: `/${v.cidr.split('/')[1]}`, dnsSupport: v.dnsSupport, dnsHostnames: v.dnsHostnames, flowLogs: v.flowLogs.map((f) => f.trafficType).sort(),
      subnets: Object.fromEntries(v.subnets.map((s) => [s.name, { cidr: inVpc(s.cidr), routes: sorted(s.routes.map((r) => `${named(r.destination)} → ${r.target}`)), nacl: s.nacl.map((e) => `${e.egress ? 'out' : 'in'} ${e.ruleNumber} ${e.action} ${e.protocol} ${named(e.cidr)} ${e.fromPort ?? ''}-${e.toPort ?? ''}`) }])),
    }])),
    securityGroups: Object.fromEntries([...inv.groups.values()].filter((g) => ids.has(g.vpcId) && g.name !== 'default').map((g) => [g.name, { ingress: g.ingress.map(rule('from')).sort(), egress: g.egress.map(rule('to')).sort() }])),
    // Keyed by Name and address: two instances with one Name are both tracked (ids change on rebuild).
    instances: Object.fromEntries(inv.hosts.filter((h) => h.kind === 'instance' && ids.has(h.vpcId)).map((h) => [`${h.tags.Name ?? h.id} ${h.enis[0] ? named(h.enis[0].ip) : ''}`.trim(), {
      subnet: inv.vpcs.flatMap((v) => v.subnets).find((s) => s.id === h.subnetId)?.name ?? h.subnetId, imds: h.imds ? 'enabled' : 'disabled',
      groups: h.enis.flatMap((e) => e.groups.map(groupName)).sort(), public: h.enis.some((e) => e.publicIp),
    }])),
    endpoints: Object.fromEntries(inv.endpoints.filter((e) => ids.has(e.vpcId)).map((e) => [e.service, { privateDns: e.privateDns, groups: e.groups.map(groupName).sort(), policy: e.policy }])),
    privateHostedZones: Object.fromEntries(inv.hostedZones.filter((z) => z.private).map((z) => [z.name, {
      vpcs: z.vpcIds.map((id) => inv.vpcs.find((v) => v.id === id)?.name ?? id).sort(),
      records: z.records.filter((r) => r.type !== 'NS' && r.type !== 'SOA').map((r) => `${r.name} ${r.type} ${r.aliasDnsName ? `alias:${inv.endpoints.find((e) => e.dnsNames.includes(r.aliasDnsName!))?.service ?? 'unknown'}` : r.values.map(named).join(',')}`).sort(),
    }])),
  };
}

/** JSON with object keys sorted at every depth: policies written by different tools compare equal. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

/** Differences between two snapshots, as "path: baseline → now" lines. */
export function diff(a: unknown, b: unknown, at = ''): string[] {
  if (canonical(a) === canonical(b)) return [];
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => diff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], at ? `${at}.${k}` : k));
  }
  const show = (v: unknown) => (v === undefined ? 'absent' : JSON.stringify(v).slice(0, 160));
  return [`${at}: ${show(a)} → ${show(b)}`];
}
