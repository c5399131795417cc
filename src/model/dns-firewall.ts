/**
 * Route 53 Resolver DNS Firewall as the API describes it, and how it decides a query. Pure: the twin's
 * VPC resolver enforces exactly this, and the config assertion judges with it, so both witnesses read
 * one rule. (Sharing is acceptable for the same reason as the endpoint-policy evaluator: the evaluator
 * is tested against AWS's documented examples on its own, test/unit/dns-firewall.test.ts, and the
 * probes, not the evaluator, are what prove the live path.)
 */

export type FirewallAction = 'ALLOW' | 'BLOCK' | 'ALERT';
export type BlockResponse = 'NODATA' | 'NXDOMAIN' | 'OVERRIDE';

export interface FirewallDomainList { readonly id: string; readonly name: string; readonly domains: readonly string[] }

export interface FirewallRule {
  readonly name: string;
  readonly priority: number;
  readonly action: FirewallAction;
  readonly domainListId: string;
  readonly blockResponse?: BlockResponse;
  readonly blockOverrideDomain?: string;
  readonly blockOverrideTtl?: number;
}

export interface FirewallRuleGroup { readonly id: string; readonly name: string; readonly rules: readonly FirewallRule[] }

export interface FirewallAssociation { readonly id: string; readonly name: string; readonly vpcId: string; readonly ruleGroupId: string; readonly priority: number; readonly status: string }

/** Resolver query logging: a configuration, where it delivers, and the VPCs whose queries it logs. */
export interface QueryLogConfig { readonly id: string; readonly name: string; readonly destinationArn: string; readonly vpcIds: readonly string[] }

/** What the account's Resolver says about DNS defences (undefined in the inventory: could not be read). */
export interface DnsDefences {
  readonly domainLists: readonly FirewallDomainList[];
  readonly ruleGroups: readonly FirewallRuleGroup[];
  readonly associations: readonly FirewallAssociation[];
  /** Per VPC: fail-open (FirewallFailOpen ENABLED). A VPC without a config is fail-closed (the default). */
  readonly failOpen: Readonly<Record<string, boolean>>;
  readonly queryLogs: readonly QueryLogConfig[];
}

/** The decision on one query: the matching rule (none: the query goes on to resolution unfiltered). */
export interface FirewallDecision {
  readonly action: FirewallAction | 'NONE';
  readonly ruleGroupId?: string;
  readonly domainListId?: string;
  readonly rule?: string;
  readonly blockResponse?: BlockResponse;
  readonly overrideDomain?: string;
  readonly overrideTtl?: number;
}

const norm = (name: string) => name.toLowerCase().replace(/\.$/, '');

/**
 * AWS's domain matching: names are case-insensitive and the trailing dot is optional; `*` alone
 * matches every name; a leading `*.` matches any name below the rest (`*.example.com` matches
 * `www.example.com` and `a.b.example.com`, not `example.com` itself); anything else matches exactly.
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-dns-firewall-domain-lists.html
 */
export function domainMatches(pattern: string, qname: string): boolean {
  const p = norm(pattern);
  const q = norm(qname);
  if (p === '*') return true;
  if (p.startsWith('*.')) return q.endsWith(p.slice(1)) && q.length > p.length - 1;
  return p === q;
}

/**
 * Which rule decides a query from a VPC. DNS Firewall evaluates the rule groups associated with the
 * VPC in order of association priority, lowest first, and within a group the rules by rule priority,
 * lowest first; the first rule whose domain list matches decides, and ALLOW, BLOCK and ALERT all end
 * the evaluation ("Alert – stop inspecting the query, permit it to go through, and log an alert").
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-dns-firewall-rule-settings.html (Priority)
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-dns-firewall-rule-actions.html
 * https://docs.aws.amazon.com/Route53/latest/APIReference/API_route53resolver_FirewallRuleGroupAssociation.html (Priority)
 */
export function decideQuery(fw: DnsDefences, vpcId: string, qname: string): FirewallDecision {
  const associations = fw.associations.filter((a) => a.vpcId === vpcId && a.status !== 'DELETING').sort((a, b) => a.priority - b.priority);
  for (const a of associations) {
    const group = fw.ruleGroups.find((g) => g.id === a.ruleGroupId);
    for (const r of [...(group?.rules ?? [])].sort((x, y) => x.priority - y.priority)) {
      const list = fw.domainLists.find((l) => l.id === r.domainListId);
      if (!list?.domains.some((d) => domainMatches(d, qname))) continue;
      return {
        action: r.action, ruleGroupId: a.ruleGroupId, domainListId: r.domainListId, rule: r.name,
        ...(r.action === 'BLOCK' ? { blockResponse: r.blockResponse ?? 'NODATA' } : {}),
        ...(r.blockResponse === 'OVERRIDE' && r.blockOverrideDomain ? { overrideDomain: r.blockOverrideDomain, overrideTtl: r.blockOverrideTtl ?? 0 } : {}),
      };
    }
  }
  return { action: 'NONE' };
}

/**
 * One line of a Resolver query log, the fields pathproof reads (the JSON format AWS delivers to
 * CloudWatch Logs, S3 or Firehose).
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-query-logs-format.html
 */
export interface QueryLogRecord {
  readonly version?: string;
  readonly account_id?: string;
  readonly region?: string;
  readonly vpc_id: string;
  readonly query_timestamp: string;
  /** The name with its trailing dot, as AWS writes it. */
  readonly query_name: string;
  readonly query_type: string;
  readonly query_class?: string;
  readonly rcode: string;
  readonly answers?: readonly { readonly Rdata: string; readonly Type: string; readonly Class: string }[];
  readonly srcaddr: string;
  readonly srcport?: string;
  readonly transport?: string;
  readonly srcids?: { readonly instance?: string; readonly resolver_endpoint?: string };
  readonly firewall_rule_action?: 'ALLOW' | 'BLOCK' | 'ALERT';
  readonly firewall_rule_group_id?: string;
  readonly firewall_domain_list_id?: string;
}

/** One JSON line, checked for the fields a judgement needs; undefined when it is not a query-log line. */
export function parseQueryLogLine(line: string): QueryLogRecord | undefined {
  let v: unknown;
  try { v = JSON.parse(line); } catch { return undefined; }
  if (!v || typeof v !== 'object') return undefined;
  const r = v as Record<string, unknown>;
  for (const f of ['query_name', 'query_type', 'rcode', 'srcaddr', 'query_timestamp']) if (typeof r[f] !== 'string') return undefined;
  return r as unknown as QueryLogRecord;
}

/** What the query logs say about one query name from one address (a port's answer to the judge). */
export interface QueryLogEvidence {
  readonly available: boolean;
  readonly records: readonly QueryLogRecord[];
  readonly error?: string;
}
