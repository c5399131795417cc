import { evaluateEndpointPolicy } from '../../model/endpoint-policy.ts';
import { bedrockEndpoints, cidrWithin, notFound, type Assertion } from './types.ts';

/** All Bedrock interface endpoints the environment names exist in the Sydney VPC. */
export const endpointsExist: Assertion = (ctx) => {
  const { vpc, endpoints } = bedrockEndpoints(ctx);
  const resource = { id: vpc?.id ?? ctx.env.bedrock.vpc, region: ctx.env.bedrock.region, vpc: vpc?.id ?? ctx.env.bedrock.vpc };
  if (!vpc) return notFound(resource, `the Bedrock VPC ${ctx.env.bedrock.vpc} in ${ctx.env.bedrock.region}`);
  const examined = `${vpc.name} (${vpc.id}): ${endpoints.length} Bedrock endpoint(s) of ${ctx.env.bedrock.services.length} named`;
  const missing = ctx.env.bedrock.services.filter((s) => !endpoints.some((e) => e.service === s));
  return missing.length
    ? { status: 'FAIL', sentence: `${vpc.name} has no interface endpoint for ${missing.join(', ')}: those calls can only go public.`, resource, examined, facts: { present: endpoints.map((e) => e.service) } }
    : { status: 'PASS', sentence: `${vpc.name} has interface endpoints for ${ctx.env.bedrock.services.join(', ')}.`, resource, examined, facts: { endpoints: endpoints.map((e) => e.id) } };
};

/** Private DNS is enabled on every Bedrock endpoint. */
export const endpointPrivateDns: Assertion = (ctx) => {
  const { vpc, endpoints } = bedrockEndpoints(ctx);
  const resource = { id: vpc?.id ?? ctx.env.bedrock.vpc, region: ctx.env.bedrock.region, vpc: vpc?.id ?? ctx.env.bedrock.vpc };
  if (!vpc) return notFound(resource, `the Bedrock VPC ${ctx.env.bedrock.vpc} in ${ctx.env.bedrock.region}`);
  const examined = `${endpoints.length} Bedrock endpoint(s) in ${vpc.name}`;
  // No endpoint at all: nothing can answer privately, which is the violation itself.
  if (endpoints.length === 0) return { status: 'FAIL', sentence: `${vpc.name} has no Bedrock endpoint whose private DNS could be on.`, resource, examined, facts: {} };
  const off = endpoints.filter((e) => !e.privateDns);
  return off.length
    ? { status: 'FAIL', sentence: `Private DNS is off on ${off.map((e) => `${e.id} (${e.service})`).join(', ')}.`, resource, examined, facts: { off: off.map((e) => e.id) } }
    : { status: 'PASS', sentence: `Private DNS is on for all ${endpoints.length} Bedrock endpoints.`, resource, examined, facts: {} };
};

/** The endpoint security groups admit 443 only from the allowed sources (the inference subnet or its group). */
export const endpointSgScoped: Assertion = (ctx) => {
  const { vpc, endpoints } = bedrockEndpoints(ctx);
  const resource = { id: vpc?.id ?? ctx.env.bedrock.vpc, region: ctx.env.bedrock.region, vpc: vpc?.id ?? ctx.env.bedrock.vpc };
  if (!vpc) return notFound(resource, `the Bedrock VPC ${ctx.env.bedrock.vpc} in ${ctx.env.bedrock.region}`);
  if (endpoints.length === 0) return { status: 'FAIL', sentence: `${vpc.name} has no Bedrock endpoint to check.`, resource, examined: `0 Bedrock endpoints in ${vpc.name}`, facts: {} };
  const allowed = (ctx.params.sources ?? '').split(',').filter(Boolean);
  const ids = [...new Set(endpoints.flatMap((e) => e.groups))];
  const groups = ids.map((id) => ctx.inventory.groups.get(id));
  const unknown = ids.filter((_, i) => !groups[i]);
  if (ids.length === 0 || unknown.length) return notFound(resource, unknown.length ? `security group(s) ${unknown.join(', ')} of the Bedrock endpoints` : 'any security group on the Bedrock endpoints');
  const broad: string[] = [];
  let rules = 0;
  for (const g of groups) {
    for (const r of g!.ingress) {
      rules += 1;
      const covers443 = r.protocol === '-1' || ((r.fromPort ?? 0) <= 443 && 443 <= (r.toPort ?? 65535));
      if (!covers443) continue;
      for (const c of r.cidrs) if (!allowed.some((a) => cidrWithin(c, a))) broad.push(`${g!.name} admits ${c}`);
    }
  }
  const examined = `${ids.length} security group(s) (${groups.map((g) => g!.name).join(', ')}) with ${rules} ingress rule(s) on ${endpoints.length} endpoint(s)`;
  return broad.length
    ? { status: 'FAIL', sentence: `The endpoint security group is broader than ${allowed.join(', ')}: ${broad.join('; ')}.`, resource, examined, facts: { broad } }
    : { status: 'PASS', sentence: `The endpoint security groups admit 443 only from ${allowed.join(', ')}.`, resource, examined, facts: {} };
};

/** The bedrock-runtime endpoint policy allows the approved model and denies the unapproved one. */
export const endpointPolicyRestrictsModels: Assertion = (ctx) => {
  const { vpc, endpoints } = bedrockEndpoints(ctx);
  const ep = endpoints.find((e) => e.service === 'bedrock-runtime');
  const resource = { id: ep?.id ?? vpc?.id ?? ctx.env.bedrock.vpc, region: ctx.env.bedrock.region, vpc: vpc?.id ?? ctx.env.bedrock.vpc };
  if (!vpc) return notFound(resource, `the Bedrock VPC ${ctx.env.bedrock.vpc} in ${ctx.env.bedrock.region}`);
  if (!ep) return { status: 'FAIL', sentence: 'There is no bedrock-runtime endpoint whose policy could restrict models.', resource, examined: `${endpoints.length} Bedrock endpoint(s) in ${vpc.name}, none for bedrock-runtime`, facts: {} };
  const examined = `the policy of ${ep.id} (bedrock-runtime) in ${vpc.name}`;
  const arn = (m: string) => `arn:aws:bedrock:${ctx.env.bedrock.region}::foundation-model/${m}`;
  const ok = evaluateEndpointPolicy(ep.policy, 'bedrock:InvokeModel', arn(ctx.env.models.allowed));
  const denied = evaluateEndpointPolicy(ep.policy, 'bedrock:InvokeModel', arn(ctx.env.models.denied));
  if (!ok.allowed) return { status: 'FAIL', sentence: `The endpoint policy of ${ep.id} does not allow the approved model ${ctx.env.models.allowed} (${ok.reason}).`, resource, examined, facts: { policy: ep.policy } };
  if (denied.allowed) return { status: 'FAIL', sentence: `The endpoint policy of ${ep.id} allows ${ctx.env.models.denied}: it does not restrict model families (${denied.reason}).`, resource, examined, facts: { policy: ep.policy } };
  return { status: 'PASS', sentence: `The endpoint policy of ${ep.id} allows ${ctx.env.models.allowed} and refuses ${ctx.env.models.denied}.`, resource, examined, facts: {} };
};
