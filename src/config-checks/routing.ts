import { cidrWithin, findVpc, zoneSubnets, type Assertion } from './types.ts';

/** No default route (0.0.0.0/0, ::/0) to an internet gateway, NAT, egress-only or transit gateway from these zones. */
export const noDefaultRoute: Assertion = (ctx) => {
  const zones = (ctx.params.zones ?? 'data,inference,sandbox').split(',');
  const found: string[] = [];
  let resource = { id: '', region: '', vpc: '' };
  for (const zone of zones) {
    for (const s of zoneSubnets(ctx.inventory, ctx.env, zone)) {
      resource = { id: s.routeTableId, region: ctx.inventory.vpcs.find((v) => v.id === s.vpcId)?.region ?? '', vpc: s.vpcId };
      for (const r of s.routes) {
        if ((r.destination === '0.0.0.0/0' || r.destination === '::/0') && r.target !== 'local' && r.target !== 'peering') found.push(`${zone} (${s.routeTableId}) ${r.destination} → ${r.targetId}`);
      }
    }
  }
  return found.length
    ? { status: 'FAIL', sentence: `Default routes out of zones that must have no egress: ${found.join('; ')}.`, resource, facts: { found } }
    : { status: 'PASS', sentence: `No default route leaves ${zones.join(', ')}.`, resource, facts: {} };
};

/** Peering routes from the application VPC reach only the endpoint subnets, not the whole peer VPC. */
export const peeringRoutesScoped: Assertion = (ctx) => {
  const vpc = findVpc(ctx.inventory, ctx.env.zones[ctx.params.zone ?? 'application']?.vpc ?? '');
  const resource = { id: vpc?.id ?? '', region: vpc?.region ?? '', vpc: vpc?.id ?? '' };
  if (!vpc) return { status: 'ERROR', sentence: 'The application VPC was not found.', resource, facts: {} };
  const broad = vpc.subnets.flatMap((s) => s.routes.filter((r) => r.target === 'peering' && !ctx.env.bedrock.endpointCidrs.some((c) => cidrWithin(r.destination, c))).map((r) => `${s.name}: ${r.destination} → ${r.targetId}`));
  return broad.length
    ? { status: 'FAIL', sentence: `Peering routes wider than the endpoint subnets (${ctx.env.bedrock.endpointCidrs.join(', ')}): ${broad.join('; ')}.`, resource, facts: { broad } }
    : { status: 'PASS', sentence: `Every peering route of ${vpc.name} stays within ${ctx.env.bedrock.endpointCidrs.join(', ')}.`, resource, facts: {} };
};

/** Flow logs capture ALL traffic on every VPC of the environment. */
export const flowLogsAll: Assertion = (ctx) => {
  const refs = [...new Set([...Object.values(ctx.env.zones).map((z) => z.vpc), ctx.env.bedrock.vpc])];
  const vpcs = refs.map((r) => findVpc(ctx.inventory, r)).filter((v) => v !== undefined);
  const missing = vpcs.filter((v) => !v.flowLogs.some((f) => f.trafficType === 'ALL')).map((v) => v.name);
  const resource = { id: vpcs[0]?.id ?? '', region: vpcs[0]?.region ?? '', vpc: vpcs[0]?.id ?? '' };
  return missing.length
    ? { status: 'FAIL', sentence: `No flow log with traffic type ALL on ${missing.join(', ')}: a blocked exfiltration would leave no record.`, resource, facts: { missing } }
    : { status: 'PASS', sentence: `Flow logs capture ALL traffic on ${vpcs.map((v) => v.name).join(', ')}.`, resource, facts: {} };
};
