import { randomBytes } from 'node:crypto';

/**
 * The Route 53 Resolver APIs that moto lacks — DNS Firewall entirely, and query logging in part (it
 * has no Delete or Disassociate) — answered by the twin's endpoint to the AWS SDK, the AWS CLI and
 * Terraform alike (JSON 1.1, target prefix `Route53Resolver.`). Shapes follow
 * the API reference, https://docs.aws.amazon.com/Route53/latest/APIReference/API_Operations_Amazon_Route_53_Resolver.html
 * State lives in the gateway, which lives exactly as long as the lab's emulator. Changes take effect
 * at once (Status COMPLETE), which is what AWS's waiters wait for.
 */

const ACCOUNT = '123456789012';
type Json = Record<string, unknown>;

export class AwsApiError extends Error {
  constructor(readonly awsType: string, message: string) { super(message); }
}

interface Stored { readonly region: string; readonly arn: string; tags: Record<string, string> }
interface DomainList extends Stored { Id: string; Name: string; CreatorRequestId: string; Domains: string[]; CreationTime: string; ModificationTime: string }
interface RuleGroup extends Stored { Id: string; Name: string; CreatorRequestId: string; CreationTime: string; ModificationTime: string }
interface Rule { FirewallRuleGroupId: string; FirewallDomainListId: string; Name: string; Priority: number; Action: string; BlockResponse?: string; BlockOverrideDomain?: string; BlockOverrideDnsType?: string; BlockOverrideTtl?: number; CreatorRequestId: string; CreationTime: string; ModificationTime: string }
interface Association extends Stored { Id: string; Name: string; FirewallRuleGroupId: string; VpcId: string; Priority: number; MutationProtection: string; CreatorRequestId: string; CreationTime: string; ModificationTime: string }
interface Config { Id: string; ResourceId: string; FirewallFailOpen: string; region: string }
interface QueryLogConfig extends Stored { Id: string; Name: string; DestinationArn: string; CreatorRequestId: string; CreationTime: string }
interface QueryLogAssociation { Id: string; ResolverQueryLogConfigId: string; ResourceId: string; CreationTime: string; region: string }

/** The whole firewall state. */
export interface FirewallStore {
  readonly lists: Map<string, DomainList>;
  readonly groups: Map<string, RuleGroup>;
  readonly rules: Rule[];
  readonly associations: Map<string, Association>;
  readonly configs: Map<string, Config>;
  readonly queryLogConfigs: Map<string, QueryLogConfig>;
  readonly queryLogAssociations: Map<string, QueryLogAssociation>;
}

const now = () => new Date().toISOString();
const newId = (prefix: string) => `rslvr-${prefix}-${randomBytes(8).toString('hex')}`;
const str = (v: unknown, field: string, required = true): string => {
  if (typeof v === 'string' && v.length > 0) return v;
  if (!required && v === undefined) return '';
  throw new AwsApiError('ValidationException', `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must not be null`);
};
const tagsOf = (v: unknown): Record<string, string> => Object.fromEntries(((v as { Key: string; Value: string }[] | undefined) ?? []).map((t) => [t.Key, t.Value]));

/** AWS's domain syntax: labels of letters, digits, dash and underscore, an optional leading `*.`, or `*` alone. */
const DOMAIN = /^(?:\*|(?:\*\.)?(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.?)$/i;

export function route53Resolver(): { store: FirewallStore; handle(op: string, body: Json, region: string): Json | undefined } {
  const store: FirewallStore = { lists: new Map(), groups: new Map(), rules: [], associations: new Map(), configs: new Map(), queryLogConfigs: new Map(), queryLogAssociations: new Map() };
  const arn = (region: string, kind: string, id: string) => `arn:aws:route53resolver:${region}:${ACCOUNT}:${kind}/${id}`;
  const need = <T>(m: Map<string, T>, id: unknown, what: string): T => {
    const v = m.get(String(id));
    if (!v) throw new AwsApiError('ResourceNotFoundException', `${what} '${String(id)}' does not exist.`);
    return v;
  };
  const listView = (l: DomainList) => ({ Id: l.Id, Arn: l.arn, Name: l.Name, DomainCount: l.Domains.length, Status: 'COMPLETE', StatusMessage: 'Created Firewall Domain List', CreatorRequestId: l.CreatorRequestId, CreationTime: l.CreationTime, ModificationTime: l.ModificationTime });
  const groupView = (g: RuleGroup) => ({ Id: g.Id, Arn: g.arn, Name: g.Name, RuleCount: store.rules.filter((r) => r.FirewallRuleGroupId === g.Id).length, Status: 'COMPLETE', StatusMessage: '', OwnerId: ACCOUNT, CreatorRequestId: g.CreatorRequestId, ShareStatus: 'NOT_SHARED', CreationTime: g.CreationTime, ModificationTime: g.ModificationTime });
  const assocView = (a: Association, status = 'COMPLETE') => ({ Id: a.Id, Arn: a.arn, FirewallRuleGroupId: a.FirewallRuleGroupId, VpcId: a.VpcId, Name: a.Name, Priority: a.Priority, MutationProtection: a.MutationProtection, Status: status, StatusMessage: '', CreatorRequestId: a.CreatorRequestId, CreationTime: a.CreationTime, ModificationTime: a.ModificationTime });
  const configFor = (vpcId: string, region: string): Config => {
    let c = store.configs.get(vpcId);
    // A VPC's config exists implicitly, fail-closed (FirewallFailOpen DISABLED is the default).
    if (!c) store.configs.set(vpcId, (c = { Id: newId('fc'), ResourceId: vpcId, FirewallFailOpen: 'DISABLED', region }));
    return c;
  };
  const configView = (c: Config) => ({ Id: c.Id, ResourceId: c.ResourceId, OwnerId: ACCOUNT, FirewallFailOpen: c.FirewallFailOpen });
  const byArn = (a: string): Stored | undefined => [...store.lists.values(), ...store.groups.values(), ...store.associations.values(), ...store.queryLogConfigs.values()].find((x) => x.arn === a);
  const qlcView = (c: QueryLogConfig, status = 'CREATED') => ({ Id: c.Id, OwnerId: ACCOUNT, Status: status, ShareStatus: 'NOT_SHARED', AssociationCount: [...store.queryLogAssociations.values()].filter((a) => a.ResolverQueryLogConfigId === c.Id).length, Arn: c.arn, Name: c.Name, DestinationArn: c.DestinationArn, CreatorRequestId: c.CreatorRequestId, CreationTime: c.CreationTime });
  const qlaView = (a: QueryLogAssociation, status = 'ACTIVE') => ({ Id: a.Id, ResolverQueryLogConfigId: a.ResolverQueryLogConfigId, ResourceId: a.ResourceId, Status: status, Error: 'NONE', ErrorMessage: '', CreationTime: a.CreationTime });
  const inRegion = <T extends { region: string }>(xs: Iterable<T>, region: string) => [...xs].filter((x) => x.region === region);
  const ruleView = (r: Rule) => ({ ...r });
  const findRule = (b: Json) => {
    const r = store.rules.find((x) => x.FirewallRuleGroupId === b.FirewallRuleGroupId && x.FirewallDomainListId === b.FirewallDomainListId);
    if (!r) throw new AwsApiError('ResourceNotFoundException', `Firewall rule for rule group '${String(b.FirewallRuleGroupId)}' and domain list '${String(b.FirewallDomainListId)}' does not exist.`);
    return r;
  };
  const checkRule = (b: Json) => {
    if (!['ALLOW', 'BLOCK', 'ALERT'].includes(String(b.Action))) throw new AwsApiError('ValidationException', `Action must be ALLOW, BLOCK or ALERT, not '${String(b.Action)}'`);
    if (b.Action === 'BLOCK' && !['NODATA', 'NXDOMAIN', 'OVERRIDE'].includes(String(b.BlockResponse))) throw new AwsApiError('ValidationException', 'BlockResponse (NODATA, NXDOMAIN or OVERRIDE) is required when Action is BLOCK');
    if (b.BlockResponse === 'OVERRIDE' && (!b.BlockOverrideDomain || b.BlockOverrideDnsType !== 'CNAME' || typeof b.BlockOverrideTtl !== 'number')) throw new AwsApiError('ValidationException', 'OVERRIDE needs BlockOverrideDomain, BlockOverrideDnsType CNAME and BlockOverrideTtl');
  };

  const ops: Record<string, (b: Json, region: string) => Json> = {
    CreateFirewallDomainList(b, region) {
      const Id = newId('fdl');
      const l: DomainList = { Id, Name: str(b.Name, 'name'), CreatorRequestId: str(b.CreatorRequestId, 'creatorRequestId'), Domains: [], CreationTime: now(), ModificationTime: now(), region, arn: arn(region, 'firewall-domain-list', Id), tags: tagsOf(b.Tags) };
      store.lists.set(Id, l);
      return { FirewallDomainList: listView(l) };
    },
    UpdateFirewallDomains(b) {
      const l = need(store.lists, b.FirewallDomainListId, 'Firewall domain list');
      const domains = (b.Domains as unknown[] | undefined ?? []).map(String);
      const bad = domains.find((d) => !DOMAIN.test(d));
      if (bad !== undefined) throw new AwsApiError('ValidationException', `'${bad}' is not a valid domain name: use letters, digits, dashes, or a leading '*.'`);
      const op = String(b.Operation);
      if (op === 'ADD') l.Domains = [...new Set([...l.Domains, ...domains])];
      else if (op === 'REMOVE') l.Domains = l.Domains.filter((d) => !domains.includes(d));
      else if (op === 'REPLACE') l.Domains = [...new Set(domains)];
      else throw new AwsApiError('ValidationException', `Operation must be ADD, REMOVE or REPLACE, not '${op}'`);
      l.ModificationTime = now();
      return { Id: l.Id, Name: l.Name, Status: 'COMPLETE', StatusMessage: 'Updated' };
    },
    GetFirewallDomainList: (b) => ({ FirewallDomainList: listView(need(store.lists, b.FirewallDomainListId, 'Firewall domain list')) }),
    ListFirewallDomainLists: (_b, region) => ({ FirewallDomainLists: inRegion(store.lists.values(), region).map((l) => ({ Id: l.Id, Arn: l.arn, Name: l.Name, CreatorRequestId: l.CreatorRequestId })) }),
    ListFirewallDomains: (b) => ({ Domains: need(store.lists, b.FirewallDomainListId, 'Firewall domain list').Domains }),
    DeleteFirewallDomainList(b) {
      const l = need(store.lists, b.FirewallDomainListId, 'Firewall domain list');
      if (store.rules.some((r) => r.FirewallDomainListId === l.Id)) throw new AwsApiError('ConflictException', `Firewall domain list '${l.Id}' is used by a firewall rule.`);
      store.lists.delete(l.Id);
      return { FirewallDomainList: { ...listView(l), Status: 'DELETING' } };
    },
    CreateFirewallRuleGroup(b, region) {
      const Id = newId('frg');
      const g: RuleGroup = { Id, Name: str(b.Name, 'name'), CreatorRequestId: str(b.CreatorRequestId, 'creatorRequestId'), CreationTime: now(), ModificationTime: now(), region, arn: arn(region, 'firewall-rule-group', Id), tags: tagsOf(b.Tags) };
      store.groups.set(Id, g);
      return { FirewallRuleGroup: groupView(g) };
    },
    GetFirewallRuleGroup: (b) => ({ FirewallRuleGroup: groupView(need(store.groups, b.FirewallRuleGroupId, 'Firewall rule group')) }),
    ListFirewallRuleGroups: (_b, region) => ({ FirewallRuleGroups: inRegion(store.groups.values(), region).map((g) => ({ Id: g.Id, Arn: g.arn, Name: g.Name, OwnerId: ACCOUNT, CreatorRequestId: g.CreatorRequestId, ShareStatus: 'NOT_SHARED' })) }),
    DeleteFirewallRuleGroup(b) {
      const g = need(store.groups, b.FirewallRuleGroupId, 'Firewall rule group');
      if ([...store.associations.values()].some((a) => a.FirewallRuleGroupId === g.Id)) throw new AwsApiError('ConflictException', `Firewall rule group '${g.Id}' is associated with a VPC.`);
      if (store.rules.some((r) => r.FirewallRuleGroupId === g.Id)) throw new AwsApiError('ConflictException', `Firewall rule group '${g.Id}' still has rules.`);
      store.groups.delete(g.Id);
      return { FirewallRuleGroup: { ...groupView(g), Status: 'DELETING' } };
    },
    CreateFirewallRule(b) {
      need(store.groups, b.FirewallRuleGroupId, 'Firewall rule group');
      need(store.lists, b.FirewallDomainListId, 'Firewall domain list');
      checkRule(b);
      const priority = Number(b.Priority);
      if (store.rules.some((r) => r.FirewallRuleGroupId === b.FirewallRuleGroupId && (r.Priority === priority || r.FirewallDomainListId === b.FirewallDomainListId))) throw new AwsApiError('ConflictException', `The rule group already has a rule with priority ${priority} or for domain list ${String(b.FirewallDomainListId)}.`);
      const r: Rule = {
        FirewallRuleGroupId: String(b.FirewallRuleGroupId), FirewallDomainListId: String(b.FirewallDomainListId), Name: str(b.Name, 'name'), Priority: priority, Action: String(b.Action),
        ...(b.Action === 'BLOCK' ? { BlockResponse: String(b.BlockResponse) } : {}),
        ...(b.BlockResponse === 'OVERRIDE' ? { BlockOverrideDomain: String(b.BlockOverrideDomain), BlockOverrideDnsType: 'CNAME', BlockOverrideTtl: Number(b.BlockOverrideTtl) } : {}),
        CreatorRequestId: str(b.CreatorRequestId, 'creatorRequestId'), CreationTime: now(), ModificationTime: now(),
      };
      store.rules.push(r);
      return { FirewallRule: ruleView(r) };
    },
    UpdateFirewallRule(b) {
      const r = findRule(b);
      const next = { ...r, ...Object.fromEntries(['Name', 'Priority', 'Action', 'BlockResponse', 'BlockOverrideDomain', 'BlockOverrideDnsType', 'BlockOverrideTtl'].filter((k) => b[k] !== undefined).map((k) => [k, b[k]])) } as Rule;
      checkRule(next as unknown as Json);
      Object.assign(r, next, { ModificationTime: now() });
      return { FirewallRule: ruleView(r) };
    },
    DeleteFirewallRule(b) {
      const r = findRule(b);
      store.rules.splice(store.rules.indexOf(r), 1);
      return { FirewallRule: ruleView(r) };
    },
    ListFirewallRules(b) {
      need(store.groups, b.FirewallRuleGroupId, 'Firewall rule group');
      return { FirewallRules: store.rules.filter((r) => r.FirewallRuleGroupId === b.FirewallRuleGroupId && (b.Priority === undefined || r.Priority === b.Priority) && (b.Action === undefined || r.Action === b.Action)).map(ruleView) };
    },
    AssociateFirewallRuleGroup(b, region) {
      need(store.groups, b.FirewallRuleGroupId, 'Firewall rule group');
      const vpcId = str(b.VpcId, 'vpcId');
      const priority = Number(b.Priority);
      // Priorities are unique per VPC; AWS reserves 100 and 9900 and above for Firewall Manager.
      if (!Number.isInteger(priority) || priority <= 100 || priority >= 9900) throw new AwsApiError('ValidationException', `Priority must be between 101 and 9899, not ${String(b.Priority)}`);
      for (const a of store.associations.values()) {
        if (a.VpcId !== vpcId) continue;
        if (a.Priority === priority) throw new AwsApiError('ConflictException', `VPC ${vpcId} already has a rule group association with priority ${priority}.`);
        if (a.FirewallRuleGroupId === b.FirewallRuleGroupId) throw new AwsApiError('ConflictException', `Rule group ${String(b.FirewallRuleGroupId)} is already associated with VPC ${vpcId}.`);
      }
      const Id = newId('frgassoc');
      const a: Association = { Id, Name: str(b.Name, 'name'), FirewallRuleGroupId: String(b.FirewallRuleGroupId), VpcId: vpcId, Priority: priority, MutationProtection: String(b.MutationProtection ?? 'DISABLED'), CreatorRequestId: str(b.CreatorRequestId, 'creatorRequestId'), CreationTime: now(), ModificationTime: now(), region, arn: arn(region, 'firewall-rule-group-association', Id), tags: tagsOf(b.Tags) };
      store.associations.set(Id, a);
      return { FirewallRuleGroupAssociation: assocView(a) };
    },
    GetFirewallRuleGroupAssociation: (b) => ({ FirewallRuleGroupAssociation: assocView(need(store.associations, b.FirewallRuleGroupAssociationId, 'Firewall rule group association')) }),
    ListFirewallRuleGroupAssociations: (b, region) => ({
      FirewallRuleGroupAssociations: inRegion(store.associations.values(), region)
        .filter((a) => (b.VpcId === undefined || a.VpcId === b.VpcId) && (b.FirewallRuleGroupId === undefined || a.FirewallRuleGroupId === b.FirewallRuleGroupId) && (b.Priority === undefined || a.Priority === b.Priority))
        .map((a) => assocView(a)),
    }),
    UpdateFirewallRuleGroupAssociation(b) {
      const a = need(store.associations, b.FirewallRuleGroupAssociationId, 'Firewall rule group association');
      if (b.Priority !== undefined) a.Priority = Number(b.Priority);
      if (b.MutationProtection !== undefined) a.MutationProtection = String(b.MutationProtection);
      if (b.Name !== undefined) a.Name = String(b.Name);
      a.ModificationTime = now();
      return { FirewallRuleGroupAssociation: assocView(a) };
    },
    DisassociateFirewallRuleGroup(b) {
      const a = need(store.associations, b.FirewallRuleGroupAssociationId, 'Firewall rule group association');
      if (a.MutationProtection === 'ENABLED') throw new AwsApiError('ValidationException', `Association ${a.Id} has mutation protection enabled: disable it first.`);
      store.associations.delete(a.Id);
      return { FirewallRuleGroupAssociation: assocView(a, 'DELETING') };
    },
    GetFirewallConfig: (b, region) => ({ FirewallConfig: configView(configFor(str(b.ResourceId, 'resourceId'), region)) }),
    ListFirewallConfigs: (_b, region) => ({ FirewallConfigs: inRegion(store.configs.values(), region).map(configView) }),
    UpdateFirewallConfig(b, region) {
      const c = configFor(str(b.ResourceId, 'resourceId'), region);
      if (!['ENABLED', 'DISABLED', 'USE_LOCAL_RESOURCE_SETTING'].includes(String(b.FirewallFailOpen))) throw new AwsApiError('ValidationException', 'FirewallFailOpen must be ENABLED, DISABLED or USE_LOCAL_RESOURCE_SETTING');
      c.FirewallFailOpen = String(b.FirewallFailOpen);
      return { FirewallConfig: configView(c) };
    },
  };
  Object.assign(ops, {
    CreateResolverQueryLogConfig(b: Json, region: string) {
      const Id = newId('qlc');
      const c: QueryLogConfig = { Id, Name: str(b.Name, 'name'), DestinationArn: str(b.DestinationArn, 'destinationArn'), CreatorRequestId: str(b.CreatorRequestId, 'creatorRequestId'), CreationTime: now(), region, arn: arn(region, 'resolver-query-log-config', Id), tags: tagsOf(b.Tags) };
      if (!/^arn:aws:(?:logs|s3|firehose):/.test(c.DestinationArn)) throw new AwsApiError('InvalidParameterException', `DestinationArn must be a CloudWatch Logs log group, an S3 bucket or a Firehose stream, not '${c.DestinationArn}'`);
      store.queryLogConfigs.set(Id, c);
      return { ResolverQueryLogConfig: qlcView(c) };
    },
    GetResolverQueryLogConfig: (b: Json) => ({ ResolverQueryLogConfig: qlcView(need(store.queryLogConfigs, b.ResolverQueryLogConfigId, 'Resolver query log config')) }),
    ListResolverQueryLogConfigs: (_b: Json, region: string) => {
      const all = inRegion(store.queryLogConfigs.values(), region).map((c) => qlcView(c));
      return { ResolverQueryLogConfigs: all, TotalCount: all.length, TotalFilteredCount: all.length };
    },
    DeleteResolverQueryLogConfig(b: Json) {
      const c = need(store.queryLogConfigs, b.ResolverQueryLogConfigId, 'Resolver query log config');
      if ([...store.queryLogAssociations.values()].some((a) => a.ResolverQueryLogConfigId === c.Id)) throw new AwsApiError('InvalidRequestException', `Resolver query log config '${c.Id}' still has associated VPCs.`);
      store.queryLogConfigs.delete(c.Id);
      return { ResolverQueryLogConfig: qlcView(c, 'DELETING') };
    },
    AssociateResolverQueryLogConfig(b: Json, region: string) {
      const c = need(store.queryLogConfigs, b.ResolverQueryLogConfigId, 'Resolver query log config');
      const vpc = str(b.ResourceId, 'resourceId');
      if ([...store.queryLogAssociations.values()].some((a) => a.ResolverQueryLogConfigId === c.Id && a.ResourceId === vpc)) throw new AwsApiError('InvalidRequestException', `VPC ${vpc} is already associated with ${c.Id}.`);
      const a: QueryLogAssociation = { Id: newId('qlcassoc'), ResolverQueryLogConfigId: c.Id, ResourceId: vpc, CreationTime: now(), region };
      store.queryLogAssociations.set(a.Id, a);
      return { ResolverQueryLogConfigAssociation: qlaView(a, 'CREATING') };
    },
    DisassociateResolverQueryLogConfig(b: Json) {
      const a = [...store.queryLogAssociations.values()].find((x) => x.ResolverQueryLogConfigId === b.ResolverQueryLogConfigId && x.ResourceId === b.ResourceId);
      if (!a) throw new AwsApiError('ResourceNotFoundException', `No association of ${String(b.ResolverQueryLogConfigId)} with ${String(b.ResourceId)}.`);
      store.queryLogAssociations.delete(a.Id);
      return { ResolverQueryLogConfigAssociation: qlaView(a, 'DELETING') };
    },
    GetResolverQueryLogConfigAssociation: (b: Json) => ({ ResolverQueryLogConfigAssociation: qlaView(need(store.queryLogAssociations, b.ResolverQueryLogConfigAssociationId, 'Resolver query log config association')) }),
    ListResolverQueryLogConfigAssociations: (_b: Json, region: string) => {
      const all = inRegion(store.queryLogAssociations.values(), region).map((a) => qlaView(a));
      return { ResolverQueryLogConfigAssociations: all, TotalCount: all.length, TotalFilteredCount: all.length };
    },
  });
  // Tagging is shared with the resolver resources moto has: only the ARNs kept here are answered here.
  const tagOps: Record<string, (b: Json, s: Stored) => Json> = {
    TagResource(b, s) { Object.assign(s.tags, tagsOf(b.Tags)); return {}; },
    UntagResource(b, s) { for (const k of (b.TagKeys as string[] | undefined) ?? []) delete s.tags[k]; return {}; },
    ListTagsForResource: (_b, s) => ({ Tags: Object.entries(s.tags).map(([Key, Value]) => ({ Key, Value })) }),
  };
  return {
    store,
    handle(op, body, region) {
      const f = ops[op];
      if (f) return f(body, region);
      const t = tagOps[op];
      const a = typeof body.ResourceArn === 'string' ? body.ResourceArn : '';
      if (t && /:(?:firewall-(?:domain-list|rule-group|rule-group-association)|resolver-query-log-config)\//.test(a)) {
        const s = byArn(a);
        if (!s) throw new AwsApiError('ResourceNotFoundException', `Resource '${a}' does not exist.`);
        return t(body, s);
      }
      return undefined;
    },
  };
}
