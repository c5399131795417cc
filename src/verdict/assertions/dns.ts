import { bedrockEndpoints, environmentVpcs, findVpc, notFound, type Assertion } from './types.ts';

/** One private hosted zone per Bedrock hostname, associated with the application VPC, with an apex alias to the endpoint. */
export const phzPerHostname: Assertion = (ctx) => {
  const ref = ctx.env.zones[ctx.params.zone ?? 'application']?.vpc ?? '';
  const appVpc = findVpc(ctx.inventory, ref);
  const { endpoints } = bedrockEndpoints(ctx);
  const resource = { id: appVpc?.id ?? ref, region: appVpc?.region ?? '', vpc: appVpc?.id ?? ref };
  if (!appVpc) return notFound(resource, `the VPC ${ref} of zone ${ctx.params.zone ?? 'application'}`);
  const problems: string[] = [];
  const privateZones = ctx.inventory.hostedZones.filter((z) => z.private);
  for (const service of ctx.env.bedrock.services) {
    const host = `${service}.${ctx.env.bedrock.region}.amazonaws.com`;
    const zone = privateZones.find((z) => z.name === host);
    if (!zone) { problems.push(`no private hosted zone ${host}`); continue; }
    if (!zone.vpcIds.includes(appVpc.id)) { problems.push(`${host} is not associated with ${appVpc.name}`); continue; }
    const ep = endpoints.find((e) => e.service === service);
    const apex = zone.records.find((r) => r.type === 'A' && r.name === host && r.aliasDnsName);
    if (!apex) problems.push(`${host} has no apex alias A record`);
    else if (ep && !ep.dnsNames.some((d) => d.toLowerCase() === apex.aliasDnsName!.toLowerCase())) problems.push(`${host} aliases ${apex.aliasDnsName}, not the ${service} endpoint`);
  }
  const examined = `${privateZones.length} private hosted zone(s) against ${ctx.env.bedrock.services.length} Bedrock hostname(s) for ${appVpc.name}`;
  return problems.length
    ? { status: 'FAIL', sentence: `Private DNS for Bedrock is incomplete in ${appVpc.name}: ${problems.join('; ')}. Without it the VPC resolves Bedrock publicly.`, resource, examined, facts: { problems } }
    : { status: 'PASS', sentence: `${appVpc.name} has a private hosted zone with an endpoint alias for each of ${ctx.env.bedrock.services.join(', ')}.`, resource, examined, facts: {} };
};

/** enableDnsSupport and enableDnsHostnames are on (private hosted zones need both). */
export const vpcDnsAttributes: Assertion = (ctx) => {
  const { refs, vpcs, missing } = environmentVpcs(ctx);
  const resource = { id: vpcs[0]?.id ?? refs[0] ?? '', region: vpcs[0]?.region ?? '', vpc: vpcs[0]?.id ?? refs[0] ?? '' };
  if (missing.length) return notFound(resource, `VPC(s) ${missing.join(', ')} of the environment`);
  const examined = `${vpcs.length} VPC(s): ${vpcs.map((v) => v.name).join(', ')}`;
  const off = vpcs.filter((v) => !v.dnsSupport || !v.dnsHostnames).map((v) => `${v.name} (support ${v.dnsSupport ? 'on' : 'off'}, hostnames ${v.dnsHostnames ? 'on' : 'off'})`);
  return off.length
    ? { status: 'FAIL', sentence: `VPC DNS attributes are off: ${off.join('; ')}.`, resource, examined, facts: { off } }
    : { status: 'PASS', sentence: `DNS support and DNS hostnames are on in ${vpcs.map((v) => v.name).join(', ')}.`, resource, examined, facts: {} };
};
