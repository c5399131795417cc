import { bedrockEndpoints, findVpc, type Assertion } from './types.ts';

/** One private hosted zone per Bedrock hostname, associated with the application VPC, with an apex alias to the endpoint. */
export const phzPerHostname: Assertion = (ctx) => {
  const appVpc = findVpc(ctx.inventory, ctx.env.zones[ctx.params.zone ?? 'application']?.vpc ?? '');
  const { endpoints } = bedrockEndpoints(ctx);
  const resource = { id: appVpc?.id ?? '', region: appVpc?.region ?? '', vpc: appVpc?.id ?? '' };
  if (!appVpc) return { status: 'ERROR', sentence: 'The application VPC was not found.', resource, facts: {} };
  const problems: string[] = [];
  for (const service of ctx.env.bedrock.services) {
    const host = `${service}.${ctx.env.bedrock.region}.amazonaws.com`;
    const zone = ctx.inventory.hostedZones.find((z) => z.private && z.name === host);
    if (!zone) { problems.push(`no private hosted zone ${host}`); continue; }
    if (!zone.vpcIds.includes(appVpc.id)) { problems.push(`${host} is not associated with ${appVpc.name}`); continue; }
    const ep = endpoints.find((e) => e.service === service);
    const apex = zone.records.find((r) => r.type === 'A' && r.name === host && r.aliasDnsName);
    if (!apex) problems.push(`${host} has no apex alias A record`);
    else if (ep && !ep.dnsNames.some((d) => d.toLowerCase() === apex.aliasDnsName!.toLowerCase())) problems.push(`${host} aliases ${apex.aliasDnsName}, not the ${service} endpoint`);
  }
  return problems.length
    ? { status: 'FAIL', sentence: `Private DNS for Bedrock is incomplete in ${appVpc.name}: ${problems.join('; ')}. Without it the VPC resolves Bedrock publicly.`, resource, facts: { problems } }
    : { status: 'PASS', sentence: `${appVpc.name} has a private hosted zone with an endpoint alias for each of ${ctx.env.bedrock.services.join(', ')}.`, resource, facts: {} };
};

/** enableDnsSupport and enableDnsHostnames are on (private hosted zones need both). */
export const vpcDnsAttributes: Assertion = (ctx) => {
  const refs = [...new Set([...Object.values(ctx.env.zones).map((z) => z.vpc), ctx.env.bedrock.vpc])];
  const vpcs = refs.map((r) => findVpc(ctx.inventory, r)).filter((v) => v !== undefined);
  const off = vpcs.filter((v) => !v.dnsSupport || !v.dnsHostnames).map((v) => `${v.name} (support ${v.dnsSupport ? 'on' : 'off'}, hostnames ${v.dnsHostnames ? 'on' : 'off'})`);
  const resource = { id: vpcs[0]?.id ?? '', region: vpcs[0]?.region ?? '', vpc: vpcs[0]?.id ?? '' };
  if (vpcs.length < refs.length) return { status: 'ERROR', sentence: `Not every VPC of the environment was found (${refs.join(', ')}).`, resource, facts: {} };
  return off.length
    ? { status: 'FAIL', sentence: `VPC DNS attributes are off: ${off.join('; ')}.`, resource, facts: { off } }
    : { status: 'PASS', sentence: `DNS support and DNS hostnames are on in ${vpcs.map((v) => v.name).join(', ')}.`, resource, facts: {} };
};
