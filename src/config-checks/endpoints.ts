import { evaluateEndpointPolicy } from '../inventory/endpoint-policy.ts';
import { bedrockEndpoints, cidrWithin, type Assertion } from './types.ts';

/** All Bedrock interface endpoints the environment names exist in the Sydney VPC. */
export const endpointsExist: Assertion = (ctx) => {
  const { vpc, endpoints } = bedrockEndpoints(ctx);
  const resource = { id: vpc?.id ?? ctx.env.bedrock.vpc, region: ctx.env.bedrock.region, vpc: vpc?.id ?? ctx.env.bedrock.vpc };
  if (!vpc) return { status: 'ERROR', sentence: `The Bedrock VPC ${ctx.env.bedrock.vpc} was not found in ${ctx.env.bedrock.region}.`, resource, facts: {} };
  const missing = ctx.env.bedrock.services.filter((s) => !endpoints.some((e) => e.service === s));
  return missing.length
    ? { status: 'FAIL', sentence: `${vpc.name} has no interface endpoint for ${missing.join(', ')}: those calls can only go public.`, resource, facts: { present: endpoints.map((e) => e.service) } }
    : { status: 'PASS', sentence: `${vpc.name} has interface endpoints for ${ctx.env.bedrock.services.join(', ')}.`, resource, facts: { endpoints: endpoints.map((e) => e.id) } };
};

/** Private DNS is enabled on every Bedrock endpoint. */
export const endpointPrivateDns: Assertion = (ctx) => {
  const { vpc, endpoints } = bedrockEndpoints(ctx);
  const resource = { id: vpc?.id ?? '', region: ctx.env.bedrock.region, vpc: vpc?.id ?? '' };
  const off = endpoints.filter((e) => !e.privateDns);
  if (endpoints.length === 0) return { status: 'FAIL', sentence: 'There is no Bedrock endpoint whose private DNS could be on.', resource, facts: {} };
  return off.length
    ? { status: 'FAIL', sentence: `Private DNS is off on ${off.map((e) => `${e.id} (${e.service})`).join(', ')}.`, resource, facts: { off: off.map((e) => e.id) } }
    : { status: 'PASS', sentence: `Private DNS is on for all ${endpoints.length} Bedrock endpoints.`, resource, facts: {} };
};

/** The endpoint security groups admit 443 only from the allowed sources (the inference subnet or its group). */
export const endpointSgScoped: Assertion = (ctx) => {
  const { vpc, endpoints } = bedrockEndpoints(ctx);
  const resource = { id: vpc?.id ?? '', region: ctx.env.bedrock.region, vpc: vpc?.id ?? '' };
  const allowed = (ctx.params.sources ?? '').split(',').filter(Boolean);
  const broad: string[] = [];
  for (const gid of new Set(endpoints.flatMap((e) => e.groups))) {
    const g = ctx.inventory.groups.get(gid);
    for (const r of g?.ingress ?? []) {
      const covers443 = r.protocol === '-1' || ((r.fromPort ?? 0) <= 443 && 443 <= (r.toPort ?? 65535));
      if (!covers443) continue;
      for (const c of r.cidrs) if (!allowed.some((a) => cidrWithin(c, a))) broad.push(`${g!.name} admits ${c}`);
    }
  }
  if (endpoints.length === 0) return { status: 'FAIL', sentence: 'There is no Bedrock endpoint to check.', resource, facts: {} };
  return broad.length
    ? { status: 'FAIL', sentence: `The endpoint security group is broader than ${allowed.join(', ')}: ${broad.join('; ')}.`, resource, facts: { broad } }
    : { status: 'PASS', sentence: `The endpoint security groups admit 443 only from ${allowed.join(', ')}.`, resource, facts: {} };
};

/** The bedrock-runtime endpoint policy allows the approved model and denies the unapproved one. */
export const endpointPolicyRestrictsModels: Assertion = (ctx) => {
  const { vpc, endpoints } = bedrockEndpoints(ctx);
  const ep = endpoints.find((e) => e.service === 'bedrock-runtime');
  const resource = { id: ep?.id ?? vpc?.id ?? '', region: ctx.env.bedrock.region, vpc: vpc?.id ?? '' };
  if (!ep) return { status: 'FAIL', sentence: 'There is no bedrock-runtime endpoint whose policy could restrict models.', resource, facts: {} };
  const arn = (m: string) => `arn:aws:bedrock:${ctx.env.bedrock.region}::foundation-model/${m}`;
  const ok = evaluateEndpointPolicy(ep.policy, 'bedrock:InvokeModel', arn(ctx.env.models.allowed));
  const denied = evaluateEndpointPolicy(ep.policy, 'bedrock:InvokeModel', arn(ctx.env.models.denied));
  if (!ok.allowed) return { status: 'FAIL', sentence: `The endpoint policy of ${ep.id} does not allow the approved model ${ctx.env.models.allowed} (${ok.reason}).`, resource, facts: { policy: ep.policy } };
  if (denied.allowed) return { status: 'FAIL', sentence: `The endpoint policy of ${ep.id} allows ${ctx.env.models.denied}: it does not restrict model families (${denied.reason}).`, resource, facts: { policy: ep.policy } };
  return { status: 'PASS', sentence: `The endpoint policy of ${ep.id} allows ${ctx.env.models.allowed} and refuses ${ctx.env.models.denied}.`, resource, facts: {} };
};
