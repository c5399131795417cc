import { explicitDeny } from '../../model/endpoint-policy.ts';
import { bedrockEndpoints, notFound, type Assertion } from './types.ts';

/**
 * Actions a deny must cover to close Bedrock's public access: the runtime's calls (Converse and
 * ConverseStream are authorized as these two), the control plane, agents, and an action Bedrock
 * may add tomorrow (only `bedrock:*` covers it).
 */
const ACTIONS = ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream', 'bedrock:ListFoundationModels', 'bedrock:InvokeAgent', 'bedrock:APathproofFutureAction'];

/**
 * Public access closed (the source's common mistake 1): the identity policies of the roles the
 * environment names for the zone deny bedrock:* unless the call arrives through one of the Bedrock
 * endpoints (aws:SourceVpce) or their VPC (aws:SourceVpc). Judged by evaluating the policies as IAM
 * does, for each action: without either key (a call to the public endpoint) an explicit deny must
 * apply; through each endpoint it must not.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sourcevpce
 */
export const bedrockIdentityDeny: Assertion = (ctx) => {
  const zone = ctx.params.zone ?? 'inference';
  const names = ctx.env.zones[zone]?.roles ?? [];
  const { vpc, endpoints } = bedrockEndpoints(ctx);
  const resource = { id: names.join(',') || zone, region: 'global', vpc: vpc?.id ?? ctx.env.bedrock.vpc };
  if (!vpc) return notFound(resource, `the Bedrock VPC ${ctx.env.bedrock.vpc}`);
  if (names.length === 0) return { status: 'ERROR', sentence: `Could not look: the environment names no IAM role for zone ${zone} (zones.${zone}.roles), so there is nothing to judge.`, resource, examined: 'nothing', facts: {} };
  if (!ctx.inventory.roles) return { status: 'ERROR', sentence: `Could not look: IAM could not be read (${ctx.inventory.unread?.iam ?? 'no reason given'}).`, resource, examined: 'nothing', facts: { unread: ctx.inventory.unread?.iam } };
  if (endpoints.length === 0) return { status: 'ERROR', sentence: `Could not look: there is no Bedrock endpoint in ${vpc.name} to test the roles' condition against.`, resource, examined: `0 endpoint(s) in ${vpc.name}`, facts: {} };
  const missing = names.filter((n) => !ctx.inventory.roles!.some((r) => r.name === n));
  if (missing.length) return notFound(resource, `IAM role ${missing.join(', ')}`);
  const model = `arn:aws:bedrock:${ctx.env.bedrock.region}::foundation-model/${ctx.env.models.allowed}`;
  const problems: string[] = [];
  const facts: Record<string, unknown> = {};
  let statements = 0;
  for (const name of names) {
    const role = ctx.inventory.roles.find((r) => r.name === name)!;
    const docs = role.policies.map((p) => p.document);
    statements += docs.length;
    const offPath = ACTIONS.map((a) => ({ action: a, ...explicitDeny(docs, a, model, {}) }));
    const open = offPath.filter((d) => !d.deny).map((d) => d.action);
    const unknown = [...new Set(offPath.flatMap((d) => d.unknown))];
    if (open.length) problems.push(`${name} is not denied ${open.join(', ')} off the private path (a call to the public endpoint with its credentials would be authorized)${unknown.length ? `; statement(s) ${unknown.join(', ')} use a condition operator pathproof does not evaluate` : ''}`);
    const blockedPrivate = endpoints.flatMap((ep) => ACTIONS.slice(0, 2).filter((a) => explicitDeny(docs, a, model, { 'aws:SourceVpce': ep.id, 'aws:SourceVpc': ep.vpcId }).deny).map((a) => `${a} through ${ep.id}`));
    if (blockedPrivate.length) problems.push(`${name} is denied even on the private path: ${blockedPrivate.join(', ')}`);
    facts[name] = { policies: role.policies.map((p) => `${p.kind}:${p.name}`), openOffPath: open };
  }
  const examined = `${names.length} role(s) (${names.join(', ')}), ${statements} identity polic(ies), ${ACTIONS.length} Bedrock action(s), with and without each of ${endpoints.length} endpoint(s)`;
  return problems.length
    ? { status: 'FAIL', sentence: `Public access to Bedrock is not closed: ${problems.join('; ')}.`, resource, examined, facts }
    : { status: 'PASS', sentence: `The identity policies of ${names.join(', ')} deny bedrock:* unless the call comes through one of the ${endpoints.length} endpoint(s) in ${vpc.name} (aws:SourceVpce, aws:SourceVpc): the same credentials are refused on the public endpoint.`, resource, examined, facts };
};
