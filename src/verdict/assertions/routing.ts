import { cidrWithin, environmentVpcs, findVpc, notFound, zoneSubnets, type Assertion } from './types.ts';

/** No default route (0.0.0.0/0, ::/0) to an internet gateway, NAT, egress-only or transit gateway from these zones. */
export const noDefaultRoute: Assertion = (ctx) => {
  const zones = (ctx.params.zones ?? 'data,inference,sandbox').split(',');
  const found: string[] = [];
  const tables = new Set<string>();
  let resource = { id: '', region: '', vpc: '' };
  const empty: string[] = [];
  for (const zone of zones) {
    const subnets = zoneSubnets(ctx.inventory, ctx.env, zone);
    if (subnets.length === 0) empty.push(zone);
    for (const s of subnets) {
      tables.add(s.routeTableId);
      resource = { id: s.routeTableId, region: ctx.inventory.vpcs.find((v) => v.id === s.vpcId)?.region ?? '', vpc: s.vpcId };
      for (const r of s.routes) {
        if ((r.destination === '0.0.0.0/0' || r.destination === '::/0') && r.target !== 'local' && r.target !== 'peering') found.push(`${zone} (${s.routeTableId}) ${r.destination} → ${r.targetId}`);
      }
    }
  }
  // A zone without subnets was not looked at: it must not count as "no default route".
  if (empty.length) return notFound(resource, `subnets of zone(s) ${empty.join(', ')} (by the pathproof:zone tag or within the zone's CIDR)`);
  const examined = `${tables.size} route table(s) of zones ${zones.join(', ')}`;
  return found.length
    ? { status: 'FAIL', sentence: `Default routes out of zones that must have no egress: ${found.join('; ')}.`, resource, examined, facts: { found } }
    : { status: 'PASS', sentence: `No default route leaves ${zones.join(', ')}.`, resource, examined, facts: {} };
};

/** Peering routes from the application VPC reach only the endpoint subnets, not the whole peer VPC. */
export const peeringRoutesScoped: Assertion = (ctx) => {
  const ref = ctx.env.zones[ctx.params.zone ?? 'application']?.vpc ?? '';
  const vpc = findVpc(ctx.inventory, ref);
  const resource = { id: vpc?.id ?? ref, region: vpc?.region ?? '', vpc: vpc?.id ?? ref };
  if (!vpc) return notFound(resource, `the VPC ${ref} of zone ${ctx.params.zone ?? 'application'}`);
  const peering = vpc.subnets.flatMap((s) => s.routes.filter((r) => r.target === 'peering').map((r) => ({ s, r })));
  const examined = `${peering.length} peering route(s) in ${new Set(vpc.subnets.map((s) => s.routeTableId)).size} route table(s) of ${vpc.name}`;
  // No peering route at all means there is no private path to the endpoints: that is the violation.
  if (peering.length === 0) return { status: 'FAIL', sentence: `${vpc.name} has no peering route at all: the private path to the endpoint subnets (${ctx.env.bedrock.endpointCidrs.join(', ')}) does not exist.`, resource, examined, facts: {} };
  const broad = peering.filter(({ r }) => !ctx.env.bedrock.endpointCidrs.some((c) => cidrWithin(r.destination, c))).map(({ s, r }) => `${s.name}: ${r.destination} → ${r.targetId}`);
  return broad.length
    ? { status: 'FAIL', sentence: `Peering routes wider than the endpoint subnets (${ctx.env.bedrock.endpointCidrs.join(', ')}): ${broad.join('; ')}.`, resource, examined, facts: { broad } }
    : { status: 'PASS', sentence: `Every peering route of ${vpc.name} stays within ${ctx.env.bedrock.endpointCidrs.join(', ')}.`, resource, examined, facts: {} };
};

/** Flow logs capture ALL traffic on every VPC of the environment. */
export const flowLogsAll: Assertion = (ctx) => {
  const { refs, vpcs, missing: absent } = environmentVpcs(ctx);
  const resource = { id: vpcs[0]?.id ?? refs[0] ?? '', region: vpcs[0]?.region ?? '', vpc: vpcs[0]?.id ?? refs[0] ?? '' };
  if (absent.length) return notFound(resource, `VPC(s) ${absent.join(', ')} of the environment`);
  const examined = `${vpcs.length} VPC(s) (${vpcs.map((v) => `${v.name}: ${v.flowLogs.length} flow log(s)`).join('; ')})`;
  const missing = vpcs.filter((v) => !v.flowLogs.some((f) => f.trafficType === 'ALL')).map((v) => v.name);
  return missing.length
    ? { status: 'FAIL', sentence: `No flow log with traffic type ALL on ${missing.join(', ')}: a blocked exfiltration would leave no record.`, resource, examined, facts: { missing } }
    : { status: 'PASS', sentence: `Flow logs capture ALL traffic on ${vpcs.map((v) => v.name).join(', ')}.`, resource, examined, facts: {} };
};
