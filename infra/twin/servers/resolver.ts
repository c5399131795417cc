/**
 * The twin's Amazon DNS (the VPC resolver at base+2) with Route 53 Resolver DNS Firewall in front of
 * resolution, and Resolver query logging. Each query is decided by the VPC's associated rule groups
 * (model/dns-firewall.ts: association priority, then rule priority, first match wins, AWS's wildcard
 * matching); allowed and alerted queries go on to resolution (dnsmasq on the router's loopback, which
 * holds the private hosted zones and forwards the rest to the twin's internet), blocked ones get the
 * rule's response:
 * - NODATA: NOERROR with no answer; NXDOMAIN: the name does not exist; OVERRIDE: a CNAME to the
 *   rule's override domain with its TTL.
 *   https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-dns-firewall-rule-actions.html
 * - When DNS Firewall cannot evaluate a query (the fault `unavailable`), FirewallFailOpen decides:
 *   ENABLED lets the query through unfiltered, DISABLED (the default) answers SERVFAIL.
 *   https://docs.aws.amazon.com/Route53/latest/APIReference/API_route53resolver_FirewallConfig.html
 * Every query of a VPC with query logging is written in the query-log JSON format (firewall fields
 * only when a rule matched), https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-query-logs-format.html
 */
import dgram from 'node:dgram';
import dnsPacket, { type Answer, type Packet } from 'dns-packet';
import { decideQuery, type DnsDefences, type FirewallDecision, type QueryLogRecord } from '../../../src/model/dns-firewall.ts';

export interface ResolverListener {
  kind: 'resolver';
  host: string;
  port: number;
  name: string;
  /** dnsmasq on the router's loopback: private hosted zones, endpoint names, then the internet. */
  upstream: { host: string; port: number };
  vpcId: string;
  accountId: string;
  region: string;
  /** The account's DNS defences as read from the API (undefined: none could be read, nothing filters). */
  firewall?: DnsDefences;
  /** Query logging covers this VPC. */
  queryLogging: boolean;
  /** Source address -> instance id (the query log's srcids). */
  instances: Record<string, string>;
  /** Fault: DNS Firewall cannot evaluate queries (fail-open decides). */
  unavailable?: boolean;
}

const RCODE_NAMES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];
/** dns-packet encodes the response code only as the low four bits of the flags. */
const rcodeBits = (rcode: string) => Math.max(0, RCODE_NAMES.indexOf(rcode));

export function startResolver(l: ResolverListener, log: (entry: Record<string, unknown>) => void): Promise<void> {
  const sock = dgram.createSocket('udp4');
  const failOpen = l.firewall?.failOpen[l.vpcId] ?? false;
  sock.on('message', (msg, rinfo) => {
    let query: Packet;
    try { query = dnsPacket.decode(msg); } catch { return; }
    const q = query.questions?.[0];
    if (!q) return;
    const decision: FirewallDecision | 'SERVFAIL' = l.unavailable ? (failOpen ? { action: 'NONE' } : 'SERVFAIL') : l.firewall ? decideQuery(l.firewall, l.vpcId, q.name) : { action: 'NONE' };
    const answer = (packet: Buffer) => {
      sock.send(packet, rinfo.port, rinfo.address);
      if (l.queryLogging) log({ kind: 'dns-query', ...queryLog(l, q, rinfo, packet, decision === 'SERVFAIL' ? { action: 'NONE' } : decision) });
    };
    if (decision === 'SERVFAIL') return answer(reply(query, 'SERVFAIL', []));
    if (decision.action === 'BLOCK') {
      if (decision.blockResponse === 'NXDOMAIN') return answer(reply(query, 'NXDOMAIN', []));
      if (decision.blockResponse === 'OVERRIDE' && decision.overrideDomain) return answer(reply(query, 'NOERROR', [{ type: 'CNAME', name: q.name, ttl: decision.overrideTtl ?? 0, class: 'IN', data: decision.overrideDomain }]));
      return answer(reply(query, 'NOERROR', []));
    }
    forward(msg, l.upstream).then(answer, () => answer(reply(query, 'SERVFAIL', [])));
  });
  return new Promise((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(l.port, l.host, () => resolve());
  });
}

function reply(query: Packet, rcode: string, answers: Answer[]): Buffer {
  return dnsPacket.encode({ type: 'response', id: query.id ?? 0, flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | rcodeBits(rcode), questions: query.questions ?? [], answers });
}

/** One query to the upstream resolver over UDP, answered within 3 s. */
function forward(msg: Buffer, upstream: { host: string; port: number }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    const timer = setTimeout(() => { s.close(); reject(new Error('upstream time-out')); }, 3000);
    s.on('message', (m) => { clearTimeout(timer); s.close(); resolve(m); });
    s.on('error', (e) => { clearTimeout(timer); s.close(); reject(e); });
    s.send(msg, upstream.port, upstream.host);
  });
}

function queryLog(l: ResolverListener, q: { name: string; type: string; class?: string }, rinfo: dgram.RemoteInfo, packet: Buffer, d: FirewallDecision): QueryLogRecord {
  let rcode = 'SERVFAIL';
  let answers: { Rdata: string; Type: string; Class: string }[] = [];
  try {
    const p = dnsPacket.decode(packet);
    rcode = (p as { rcode?: string }).rcode ?? RCODE_NAMES[((p.flags ?? 0) & 15)] ?? 'NOERROR';
    answers = (p.answers ?? []).map((a) => ({ Rdata: String((a as { data?: unknown }).data ?? ''), Type: a.type, Class: 'IN' }));
  } catch { /* an undecodable answer is logged as SERVFAIL */ }
  const instance = l.instances[rinfo.address];
  return {
    version: '1.100000', account_id: l.accountId, region: l.region, vpc_id: l.vpcId,
    query_timestamp: new Date().toISOString(), query_name: `${q.name.replace(/\.$/, '')}.`, query_type: q.type, query_class: q.class ?? 'IN',
    rcode, answers, srcaddr: rinfo.address, srcport: String(rinfo.port), transport: 'UDP',
    srcids: instance ? { instance } : {},
    ...(d.action !== 'NONE' ? { firewall_rule_action: d.action, firewall_rule_group_id: d.ruleGroupId!, firewall_domain_list_id: d.domainListId! } : {}),
  };
}
