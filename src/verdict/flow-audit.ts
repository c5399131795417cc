/**
 * Flow-log audit: VPC flow-log records judged by the policy catalog, one record at a time (the
 * source's AINetworkMonitor). An ACCEPT record is a violation when the catalog does not allow its
 * source zone → destination on its port, unless it is the reply half of a flow the catalog allows
 * (same addresses reversed, the service port as its source port), or tcp-flags say it is. Also
 * flagged: large transfers from inference, any data-zone egress attempt (REJECTs are attempts,
 * not violations), inference connections to external addresses that are not an approved
 * endpoint. NODATA and SKIPDATA lines are counted and skipped.
 */
import { ipv4ToInt } from '../model/cidr.ts';
import type { Catalog } from '../model/catalog.ts';
import { evaluate } from '../model/evaluate.ts';
import { EXTERNAL_AI, INTERNET } from '../model/reachability.ts';
import type { Environment } from '../model/environment.ts';
import type { Target } from '../model/plan.ts';
import type { Verdict } from '../model/result.ts';

export interface AuditZones {
  /** Internal zones by CIDR (the narrowest that holds an address wins). */
  readonly zones: readonly { readonly name: string; readonly cidr: string }[];
  /** Addresses (or CIDRs) of the approved external AI endpoints: the Bedrock interface endpoints' subnets. */
  readonly endpoints: readonly string[];
  /** Thresholds (the environment's, with the source's defaults). */
  readonly largeTransferBytes: number;
}

export interface AuditRecord {
  readonly srcaddr: string; readonly dstaddr: string; readonly srcport: number; readonly dstport: number; readonly protocol: number;
  readonly bytes: number; readonly start: number; readonly action: string; readonly logStatus: string; readonly tcpFlags?: number;
  readonly file: string; readonly line: number;
}

export type FindingKind = 'violation' | 'data-egress-attempt' | 'large-transfer' | 'unapproved-external';

/** One group of records with the same meaning: what a person investigates as one thing. */
export interface AuditFinding {
  readonly kind: FindingKind;
  readonly from: string;
  readonly to: string;
  readonly protocol: string;
  readonly port: number;
  readonly policies: readonly string[];
  records: number;
  bytes: number;
  first: number;
  last: number;
  /** Up to five records, as "file:line src:port → dst:port ACTION bytes". */
  readonly samples: string[];
}

export interface AuditSummary {
  readonly records: number;
  readonly skipped: { readonly NODATA: number; readonly SKIPDATA: number };
  readonly accepted: number;
  readonly rejected: number;
  readonly replies: number;
  /** Records with an endpoint in no zone and not public (another VPC, say): not judged, counted. */
  readonly unclassified: number;
  readonly findings: readonly AuditFinding[];
}

const PRIVATE = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16', '127.0.0.0/8'];
const SYN = 2;
const ACK = 16;
const PROTOCOLS: Record<number, 'tcp' | 'udp'> = { 6: 'tcp', 17: 'udp' };

/** A CIDR as an integer range, for a fast test per record. */
function range(cidr: string): [number, number] {
  const [base, bits] = cidr.includes('/') ? cidr.split('/') : [cidr, '32'];
  const b = ipv4ToInt(base!) ?? 0;
  const size = 2 ** (32 - Number(bits));
  const lo = Math.floor(b / size) * size;
  return [lo, lo + size - 1];
}

export class FlowAuditor {
  private readonly zoneRanges: { name: string; lo: number; hi: number }[];
  private readonly endpointRanges: [number, number][];
  private readonly privateRanges = PRIVATE.map(range);
  private readonly groups = new Map<string, AuditFinding>();
  private readonly decisions = new Map<string, { allowed: boolean; policies: readonly string[] }>();
  /** Bytes per inference flow (src, dst, dstport): a transfer is judged on its total. */
  private readonly transfers = new Map<string, { bytes: number; rec: AuditRecord; from: string; to: string }>();
  private counts = { records: 0, NODATA: 0, SKIPDATA: 0, accepted: 0, rejected: 0, replies: 0, unclassified: 0 };

  constructor(private readonly catalog: Pick<Catalog, 'policies'>, private readonly cfg: AuditZones) {
    // Narrowest first, so that the first zone that holds an address is the most specific one.
    this.zoneRanges = cfg.zones.map((z) => { const [lo, hi] = range(z.cidr); return { name: z.name, lo, hi }; }).sort((a, b) => (a.hi - a.lo) - (b.hi - b.lo));
    this.endpointRanges = cfg.endpoints.map(range);
  }

  /** The zone of an address: an internal zone, external-ai (an approved endpoint), internet (public), or undefined. */
  zoneOf(ip: string): string | undefined {
    const n = ipv4ToInt(ip);
    if (n === undefined) return undefined;
    if (this.endpointRanges.some(([lo, hi]) => n >= lo && n <= hi)) return EXTERNAL_AI;
    for (const z of this.zoneRanges) if (n >= z.lo && n <= z.hi) return z.name;
    return this.privateRanges.some(([lo, hi]) => n >= lo && n <= hi) ? undefined : INTERNET;
  }

  private decide(from: string, to: string, protocol: 'tcp' | 'udp', port: number) {
    const key = `${from}|${to}|${protocol}|${port}`;
    let d = this.decisions.get(key);
    if (!d) {
      const e = evaluate(this.catalog, { from, to, protocol, port });
      d = { allowed: e.action === 'allow', policies: e.policies.length ? e.policies.map((p) => p.id) : ['default-deny'] };
      this.decisions.set(key, d);
    }
    return d;
  }

  private note(kind: FindingKind, from: string, to: string, protocol: string, port: number, policies: readonly string[], r: AuditRecord, bytes = r.bytes || 0): void {
    const key = `${kind}|${from}|${to}|${protocol}|${port}`;
    let g = this.groups.get(key);
    if (!g) {
      g = { kind, from, to, protocol, port, policies, records: 0, bytes: 0, first: r.start, last: r.start, samples: [] };
      this.groups.set(key, g);
    }
    g.records += 1;
    g.bytes += bytes;
    if (r.start < g.first) g.first = r.start;
    if (r.start > g.last) g.last = r.start;
    if (g.samples.length < 5) g.samples.push(`${r.file}:${r.line} ${r.srcaddr}:${r.srcport} → ${r.dstaddr}:${r.dstport} ${r.action} ${r.bytes} bytes`);
  }

  add(r: AuditRecord): void {
    if (r.logStatus === 'NODATA' || r.logStatus === 'SKIPDATA') {
      this.counts[r.logStatus] += 1;
      return;
    }
    this.counts.records += 1;
    const from = this.zoneOf(r.srcaddr);
    const to = this.zoneOf(r.dstaddr);
    const protocol = PROTOCOLS[r.protocol];
    if (!from || !to || from === INTERNET || from === EXTERNAL_AI || from === to) {
      // Traffic arriving from outside or from an endpoint is a reply or someone else's request;
      // the zones' own egress is what the catalog governs. Unknown private peers are counted.
      if (!from || !to) this.counts.unclassified += 1;
      if (r.action === 'ACCEPT') this.counts.accepted += 1; else this.counts.rejected += 1;
      return;
    }
    if (r.action !== 'ACCEPT') {
      this.counts.rejected += 1;
      if (from === 'data') this.note('data-egress-attempt', from, to, protocol ?? String(r.protocol), r.dstport, ['NET-011'], r);
      return;
    }
    this.counts.accepted += 1;
    if (!protocol) {
      this.note('violation', from, to, String(r.protocol), r.dstport, this.decide(from, to, 'tcp', 0).allowed ? [] : ['default-deny'], r);
      return;
    }
    const request = this.decide(from, to, protocol, r.dstport);
    // A record carrying only a SYN is the opening of a connection: never a reply.
    const syn = r.tcpFlags !== undefined && (r.tcpFlags & SYN) !== 0 && (r.tcpFlags & ACK) === 0;
    const reply = !request.allowed && !syn && this.isReply(from, to, protocol, r);
    if (reply) {
      this.counts.replies += 1;
      return;
    }
    if (!request.allowed) this.note('violation', from, to, protocol, r.dstport, request.policies, r);
    if (from === 'data') this.note('data-egress-attempt', from, to, protocol, r.dstport, ['NET-011'], r);
    if (from === 'inference' && to === INTERNET) this.note('unapproved-external', from, to, protocol, r.dstport, ['NET-012'], r);
    if (from === 'inference' && (to === INTERNET || to === EXTERNAL_AI)) {
      const key = `${r.srcaddr}|${r.dstaddr}|${r.dstport}`;
      const t = this.transfers.get(key) ?? { bytes: 0, rec: r, from, to };
      t.bytes += r.bytes || 0;
      this.transfers.set(key, t);
    }
  }

  /** The reply half of an allowed flow: the reverse direction is allowed on this record's source port, and the destination port is ephemeral. */
  private isReply(from: string, to: string, protocol: 'tcp' | 'udp', r: AuditRecord): boolean {
    return r.dstport >= 1024 && (to === INTERNET || to === EXTERNAL_AI ? false : this.decide(to, from, protocol, r.srcport).allowed);
  }

  finish(): AuditSummary {
    for (const t of this.transfers.values()) {
      if (t.bytes > this.cfg.largeTransferBytes) {
        this.note('large-transfer', t.from, t.to, PROTOCOLS[t.rec.protocol] ?? String(t.rec.protocol), t.rec.dstport, ['NET-012'], t.rec, t.bytes);
      }
    }
    const order: FindingKind[] = ['violation', 'unapproved-external', 'large-transfer', 'data-egress-attempt'];
    const findings = [...this.groups.values()].sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || b.records - a.records);
    const { NODATA, SKIPDATA, ...rest } = this.counts;
    return { ...rest, skipped: { NODATA, SKIPDATA }, findings };
  }
}

const WHAT: Record<FindingKind, string> = {
  'violation': 'ACCEPTed flow(s) the catalog does not allow',
  'unapproved-external': 'connection(s) from inference to an external address that is not an approved endpoint',
  'large-transfer': 'large transfer(s) from inference',
  'data-egress-attempt': 'data-zone egress attempt(s)',
};

/**
 * The audit's verdicts, category `monitoring`: one FAIL per violation group (violations,
 * unapproved external connections, large transfers; an ACCEPTed data-zone egress is a violation
 * too), one PASS per group of REJECTed data-zone attempts (the control held; reported as
 * attempts), one PASS when nothing was found, and ERROR when no record could be judged.
 */
export function auditVerdicts(summary: AuditSummary, ctx: { readonly env: Environment; readonly sources: readonly string[]; readonly largeTransferBytes: number }): Verdict[] {
  const examined = `${summary.records} record(s) from ${ctx.sources.length} source(s) (${ctx.sources.join(', ')}): ${summary.accepted} ACCEPT, ${summary.rejected} REJECT, ${summary.replies} reply half(s) of allowed flows; skipped ${summary.skipped.NODATA} NODATA, ${summary.skipped.SKIPDATA} SKIPDATA; ${summary.unclassified} with an address in no zone`;
  const zoneDef = (zone: string) => ctx.env.zones[zone] ?? Object.values(ctx.env.zones)[0]!;
  const target = (zone: string): Target => {
    const z = zoneDef(zone);
    const a = ctx.env.accounts[z.account]!;
    return { instanceId: 'flow-logs', zone, account: z.account, accountId: a.id, region: a.region, vpc: z.vpc };
  };
  const base = (id: string, title: string, from: string, to: string, policies: readonly string[], source: string) => ({
    checkId: id, suite: 'audit', title, category: 'monitoring', policies, from, to, target: target(from),
    source: { file: source.split(':')[0] ?? source, line: Number(source.split(':')[1] ?? 1) || 1, col: 1 },
  });
  if (summary.records === 0) {
    const fault = { code: 'NOTHING_EXAMINED' as const, message: `no flow-log record to judge (${examined})` };
    return [{ ...base('audit-flow-logs', 'Flow logs judged by the catalog', 'data', 'internet', ['default-deny'], ctx.sources[0] ?? 'flow-logs'), status: 'ERROR', fault, sentence: `Could not look: ${fault.message}.`, evidence: { fault } }];
  }
  const verdicts: Verdict[] = summary.findings.map((f): Verdict => {
    const id = `audit-${f.kind}-${f.from}-to-${f.to}-${f.protocol}-${f.port}`.replace(/[^a-z0-9-]/g, '-');
    const window = `${new Date(f.first * 1000).toISOString()} to ${new Date(f.last * 1000).toISOString()}`;
    const attempt = f.kind === 'data-egress-attempt' && f.samples.every((s) => / REJECT /.test(s));
    const sentence = `${f.records} ${WHAT[f.kind]}: ${f.from} → ${f.to} ${f.protocol} ${f.port}, ${f.bytes} bytes, ${window}${f.kind === 'large-transfer' ? ` (threshold ${ctx.largeTransferBytes} bytes)` : ''}${attempt ? '; all REJECTed: the control held, reported as attempts' : `; ${f.policies.join(', ')}`}. E.g. ${f.samples.slice(0, 2).join('; ')}.`;
    return { ...base(id, `Flow logs: ${WHAT[f.kind]} (${f.from} → ${f.to} ${f.protocol} ${f.port})`, f.from, f.to, f.policies, f.samples[0]?.split(' ')[0] ?? 'flow-logs'), status: attempt ? 'PASS' : 'FAIL', sentence, evidence: { assertion: { name: 'flow-log-audit', examined, facts: { finding: f } } } };
  });
  if (verdicts.every((v) => v.status === 'PASS')) {
    verdicts.unshift({ ...base('audit-flow-logs', 'Flow logs judged by the catalog', 'inference', 'external-ai', ['default-deny'], ctx.sources[0] ?? 'flow-logs'), status: 'PASS', sentence: `Every ACCEPTed flow in ${summary.records} record(s) is one the catalog allows (or the reply to one), with no large transfer from inference and no unapproved external connection.`, evidence: { assertion: { name: 'flow-log-audit', examined, facts: { summary: { ...summary, findings: summary.findings.length } } } } });
  }
  return verdicts;
}
