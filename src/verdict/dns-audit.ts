/**
 * Resolver query-log audit: DNS tunnelling signals per zone (the source: "DNS tunnelling is a common
 * exfiltration technique"). A query is suspicious when a label is longer than the threshold, when a
 * long label looks random (high Shannon entropy per character, as encoded data does), when one zone
 * asks for many distinct subdomains of one parent domain within a window (a tunnel sends each chunk
 * as a new name), or when it asks for TXT or NULL records (a tunnel's downstream) of a name that is
 * not approved. Queries DNS Firewall blocked are reported as attempts: the control held.
 */
import { ipv4ToInt } from '../model/cidr.ts';
import { domainMatches, type QueryLogRecord } from '../model/dns-firewall.ts';
import type { Environment } from '../model/environment.ts';
import type { Target } from '../model/plan.ts';
import type { Verdict } from '../model/result.ts';

export type DnsFindingKind = 'long-label' | 'high-entropy' | 'many-subdomains' | 'txt-null-unapproved' | 'blocked-attempt';

export interface DnsThresholds { readonly maxLabelLength: number; readonly entropyBits: number; readonly uniqueSubdomains: number; readonly windowSeconds: number }

export interface DnsFinding {
  readonly kind: DnsFindingKind;
  readonly zone: string;
  /** The parent domain (the last two labels): what a tunnel's server is named by. */
  readonly parent: string;
  queries: number;
  first: string;
  last: string;
  readonly samples: string[];
}

export interface DnsAuditSummary { readonly records: number; readonly unclassified: number; readonly findings: readonly DnsFinding[] }

/** Shannon entropy of a string, in bits per character. */
export function entropyBits(s: string): number {
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) { const p = n / s.length; h -= p * Math.log2(p); }
  return h;
}

const parentOf = (labels: readonly string[]) => labels.slice(-2).join('.');

export class DnsAuditor {
  private readonly groups = new Map<string, DnsFinding>();
  /** zone|parent → subdomain → last time seen (epoch ms), for the sliding window. */
  private readonly seen = new Map<string, Map<string, number>>();
  private records = 0;
  private unclassified = 0;
  private readonly zones: { name: string; base: number; mask: number; bits: number }[];

  constructor(zones: readonly { name: string; cidr: string }[], private readonly approved: readonly string[], private readonly t: DnsThresholds) {
    this.zones = zones.map((z) => {
      const [ip, bits] = z.cidr.split('/');
      const b = Number(bits);
      const mask = b === 0 ? 0 : (~0 << (32 - b)) >>> 0;
      return { name: z.name, base: ((ipv4ToInt(ip!) ?? 0) & mask) >>> 0, mask, bits: b };
    }).sort((a, b) => b.bits - a.bits);
  }

  private zoneOf(ip: string): string | undefined {
    const n = ipv4ToInt(ip);
    return n === undefined ? undefined : this.zones.find((z) => ((n & z.mask) >>> 0) === z.base)?.name;
  }

  private note(kind: DnsFindingKind, zone: string, parent: string, r: QueryLogRecord): void {
    const key = `${kind}|${zone}|${parent}`;
    const g = this.groups.get(key) ?? { kind, zone, parent, queries: 0, first: r.query_timestamp, last: r.query_timestamp, samples: [] };
    g.queries += 1;
    if (r.query_timestamp < g.first) g.first = r.query_timestamp;
    if (r.query_timestamp > g.last) g.last = r.query_timestamp;
    if (g.samples.length < 3) g.samples.push(`${r.query_timestamp} ${r.srcaddr} ${r.query_type} ${r.query_name} ${r.rcode}${r.firewall_rule_action ? ` ${r.firewall_rule_action}` : ''}`);
    this.groups.set(key, g);
  }

  add(r: QueryLogRecord): void {
    this.records += 1;
    const zone = this.zoneOf(r.srcaddr);
    if (!zone) { this.unclassified += 1; return; }
    const name = r.query_name.toLowerCase().replace(/\.$/, '');
    const labels = name.split('.');
    const parent = parentOf(labels);
    if (r.firewall_rule_action === 'BLOCK') this.note('blocked-attempt', zone, parent, r);
    const approved = this.approved.some((a) => domainMatches(a, name));
    if (approved) return;
    if (labels.some((l) => l.length > this.t.maxLabelLength)) this.note('long-label', zone, parent, r);
    if (labels.some((l) => l.length >= 16 && entropyBits(l) > this.t.entropyBits)) this.note('high-entropy', zone, parent, r);
    if (r.query_type === 'TXT' || r.query_type === 'NULL') this.note('txt-null-unapproved', zone, parent, r);
    // Distinct subdomains of one parent from one zone within the window.
    const key = `${zone}|${parent}`;
    const at = Date.parse(r.query_timestamp) || 0;
    const subs = this.seen.get(key) ?? new Map<string, number>();
    subs.set(name, at);
    for (const [s, t] of subs) if (at - t > this.t.windowSeconds * 1000) subs.delete(s);
    this.seen.set(key, subs);
    if (subs.size > this.t.uniqueSubdomains) this.note('many-subdomains', zone, parent, r);
  }

  finish(): DnsAuditSummary {
    const order: DnsFindingKind[] = ['long-label', 'high-entropy', 'many-subdomains', 'txt-null-unapproved', 'blocked-attempt'];
    return { records: this.records, unclassified: this.unclassified, findings: [...this.groups.values()].sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || b.queries - a.queries) };
  }
}

const WHAT: Record<DnsFindingKind, string> = {
  'long-label': 'query name(s) with a label longer than the threshold',
  'high-entropy': 'query name(s) with a long, random-looking label (encoded data)',
  'many-subdomains': 'distinct subdomains of one parent domain within the window',
  'txt-null-unapproved': 'TXT or NULL query(ies) for a name that is not approved',
  'blocked-attempt': 'query(ies) DNS Firewall blocked',
};

/** The names a zone may resolve: Bedrock's and the environment's dns.approved. */
export function approvedNames(env: Environment): string[] {
  return [...env.bedrock.services.map((s) => `${s}.${env.bedrock.region}.amazonaws.com`), ...Object.values(env.dns?.approved ?? {})];
}

/**
 * The DNS audit's verdicts, category `monitoring`: one FAIL per tunnelling signal (kind, zone,
 * parent domain) among queries that were answered, one PASS per group of blocked attempts (the
 * control held), one PASS when nothing was found, and ERROR when no record could be judged.
 */
export function dnsAuditVerdicts(summary: DnsAuditSummary, ctx: { readonly env: Environment; readonly sources: readonly string[] }): Verdict[] {
  const t = ctx.env.audit.dns;
  const examined = `${summary.records} query-log record(s) from ${ctx.sources.join(', ')}; ${summary.unclassified} from an address in no zone; thresholds: labels over ${t.maxLabelLength} characters, entropy over ${t.entropyBits} bits per character, more than ${t.uniqueSubdomains} subdomains in ${t.windowSeconds} s`;
  const target = (zone: string): Target => {
    const z = ctx.env.zones[zone] ?? Object.values(ctx.env.zones)[0]!;
    const a = ctx.env.accounts[z.account]!;
    return { instanceId: 'query-logs', zone, account: z.account, accountId: a.id, region: a.region, vpc: z.vpc };
  };
  const base = (id: string, title: string, zone: string) => ({
    checkId: id, suite: 'audit', title, category: 'monitoring', policies: [zone === 'data' ? 'NET-011' : zone === 'inference' ? 'NET-012' : 'default-deny'], from: zone, to: 'internet', target: target(zone),
    source: { file: ctx.sources[0] ?? 'query-logs', line: 1, col: 1 },
  });
  if (summary.records === 0) {
    const fault = { code: 'NOTHING_EXAMINED' as const, message: `no query-log record to judge (${examined})` };
    return [{ ...base('audit-query-logs', 'Resolver query logs judged for DNS tunnelling', 'data'), status: 'ERROR', fault, sentence: `Could not look: ${fault.message}.`, evidence: { fault } }];
  }
  const verdicts = summary.findings.map((f): Verdict => {
    const held = f.kind === 'blocked-attempt';
    const sentence = `${f.queries} ${WHAT[f.kind]} from ${f.zone}, parent ${f.parent}, ${f.first} to ${f.last}${held ? ': DNS Firewall held, reported as attempts' : ': a DNS tunnelling signal'}. E.g. ${f.samples.slice(0, 2).join('; ')}.`;
    return { ...base(`audit-dns-${f.kind}-${f.zone}-${f.parent}`.replace(/[^a-z0-9-]/g, '-'), `Query logs: ${WHAT[f.kind]} (${f.zone}, ${f.parent})`, f.zone), status: held ? 'PASS' : 'FAIL', sentence, evidence: { assertion: { name: 'dns-tunnelling-audit', examined, facts: { finding: f } } } };
  });
  if (verdicts.every((v) => v.status === 'PASS')) {
    verdicts.unshift({ ...base('audit-query-logs', 'Resolver query logs judged for DNS tunnelling', 'inference'), status: 'PASS', sentence: `No DNS tunnelling signal in ${summary.records} query-log record(s).`, evidence: { assertion: { name: 'dns-tunnelling-audit', examined, facts: { records: summary.records } } } });
  }
  return verdicts;
}
