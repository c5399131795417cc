import { decideQuery, type DnsDefences } from '../../model/dns-firewall.ts';
import { findVpc, notFound, type Assertion, type AssertionContext, type AssertionFinding } from './types.ts';

/** The zone's VPC and the account's DNS defences, or the ERROR that says why they cannot be judged. */
function subject(ctx: AssertionContext): { vpc: NonNullable<ReturnType<typeof findVpc>>; dns: DnsDefences; resource: AssertionFinding['resource'] } | AssertionFinding {
  const zone = ctx.params.zone ?? 'application';
  const ref = ctx.env.zones[zone]?.vpc ?? '';
  const vpc = findVpc(ctx.inventory, ref);
  const resource = { id: vpc?.id ?? ref, region: vpc?.region ?? '', vpc: vpc?.id ?? ref };
  if (!vpc) return notFound(resource, `the VPC ${ref} of zone ${zone}`);
  if (!ctx.inventory.dns) return { status: 'ERROR', sentence: `Could not look: Route 53 Resolver could not be read (${ctx.inventory.unread?.dns ?? 'no reason given'}).`, resource, examined: 'nothing', facts: { unread: ctx.inventory.unread?.dns } };
  return { vpc, dns: ctx.inventory.dns, resource };
}

/**
 * Route 53 Resolver DNS Firewall guards the zone's VPC: a rule group is associated, the last rule
 * DNS Firewall reaches blocks every name (`*`), fail-open is off, the approved names (Bedrock's and
 * the environment's `dns.approved`) are allowed and an unapproved name is blocked — judged by the
 * same decision procedure the resolver applies (association priority, rule priority, first match).
 */
export const dnsFirewall: Assertion = (ctx) => {
  const s = subject(ctx);
  if ('status' in s) return s;
  const { vpc, dns, resource } = s;
  const associations = dns.associations.filter((a) => a.vpcId === vpc.id).sort((a, b) => a.priority - b.priority);
  const rules = associations.flatMap((a) => [...(dns.ruleGroups.find((g) => g.id === a.ruleGroupId)?.rules ?? [])].sort((x, y) => x.priority - y.priority).map((r) => ({ ...r, group: a.ruleGroupId })));
  const examined = `${associations.length} rule group association(s) of ${vpc.name}, ${rules.length} rule(s), ${dns.domainLists.reduce((n, l) => n + l.domains.length, 0)} domain(s) in ${dns.domainLists.length} list(s), fail-open ${dns.failOpen[vpc.id] ? 'on' : 'off'}`;
  if (associations.length === 0) return { status: 'FAIL', sentence: `No DNS Firewall rule group is associated with ${vpc.name}: every name resolves, so DNS tunnelling can carry data out.`, resource, examined, facts: { associations: 0 } };
  const problems: string[] = [];
  const last = rules.at(-1);
  const lastList = dns.domainLists.find((l) => l.id === last?.domainListId);
  if (!last || last.action !== 'BLOCK' || !lastList?.domains.includes('*')) problems.push(`the last rule DNS Firewall reaches is ${last ? `${last.name} (${last.action} of ${lastList?.domains.length ?? 0} domain(s))` : 'none'}, not a BLOCK of every name (*)`);
  if (dns.failOpen[vpc.id]) problems.push('fail-open is on: while DNS Firewall is impaired, every query goes through unfiltered');
  const unapproved = ctx.env.dns?.unapproved ?? 'pathproof-unapproved.example.com';
  const verdict = decideQuery(dns, vpc.id, unapproved);
  if (verdict.action !== 'BLOCK') problems.push(`an unapproved name (${unapproved}) is ${verdict.action === 'NONE' ? 'matched by no rule' : `let through by ${verdict.rule} (${verdict.action}, domain list ${verdict.domainListId})`}`);
  const approved = [...ctx.env.bedrock.services.map((svc) => `${svc}.${ctx.env.bedrock.region}.amazonaws.com`), ...Object.values(ctx.env.dns?.approved ?? {})];
  const refused = approved.filter((n) => decideQuery(dns, vpc.id, n).action === 'BLOCK');
  if (refused.length) problems.push(`approved name(s) the zones need are blocked: ${refused.join(', ')}`);
  const facts = { associations: associations.map((a) => ({ id: a.id, ruleGroupId: a.ruleGroupId, priority: a.priority })), lastRule: last ? { name: last.name, action: last.action, group: last.group } : null, failOpen: !!dns.failOpen[vpc.id], unapproved: verdict, refused };
  return problems.length
    ? { status: 'FAIL', sentence: `DNS Firewall on ${vpc.name} does not block unapproved names as it must: ${problems.join('; ')}.`, resource, examined, facts }
    : { status: 'PASS', sentence: `DNS Firewall guards ${vpc.name}: the last rule (${last!.name}) blocks every other name with ${last!.blockResponse ?? 'NODATA'}, fail-open is off, ${approved.length} approved name(s) are allowed and ${unapproved} is blocked.`, resource, examined, facts };
};

/** Resolver query logging covers the zone's VPC (every query, blocked or not, reaches monitoring). */
export const dnsQueryLogging: Assertion = (ctx) => {
  const s = subject(ctx);
  if ('status' in s) return s;
  const { vpc, dns, resource } = s;
  const covering = dns.queryLogs.filter((c) => c.vpcIds.includes(vpc.id));
  const examined = `${dns.queryLogs.length} query logging configuration(s), ${dns.queryLogs.reduce((n, c) => n + c.vpcIds.length, 0)} VPC association(s)`;
  return covering.length === 0
    ? { status: 'FAIL', sentence: `No Resolver query logging configuration is associated with ${vpc.name}: DNS tunnelling and blocked lookups would leave no record.`, resource, examined, facts: { covering: [] } }
    : { status: 'PASS', sentence: `Resolver query logging covers ${vpc.name}: ${covering.map((c) => `${c.name} → ${c.destinationArn}`).join('; ')}.`, resource, examined, facts: { covering: covering.map((c) => c.id) } };
};
