import { cidrContains } from '../../model/cidr.ts';
import { findVpc, notFound, zoneSubnets, type Assertion } from './types.ts';

/** A NAT gateway's idle time-out is fixed: https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-troubleshooting.html#nat-gateway-troubleshooting-timeout */
const NAT_IDLE_SECONDS = 350;

/**
 * Streaming survives idle gaps (the source's common mistake 4): every load balancer and NAT gateway
 * on a flow the catalog marks `streaming` keeps an idle connection open at least the environment's
 * streaming.idleSeconds. A load balancer is on such a flow when it sits in the flow's source zone or
 * forwards into its destination zone; a NAT gateway when the source zone's route tables use it.
 */
export const streamIdleTimeouts: Assertion = (ctx) => {
  const threshold = ctx.env.streaming.idleSeconds;
  const flows = [...ctx.catalog.policies.values()].filter((p) => p.streaming && p.action === 'allow');
  const resource = { id: flows.map((p) => p.id).join(',') || 'streaming', region: '', vpc: '' };
  if (flows.length === 0) return { status: 'ERROR', sentence: 'Could not look: no policy of the catalog is marked streaming, so no flow says where streams run.', resource, examined: 'nothing', facts: {} };
  const missing = [...new Set(flows.map((p) => ctx.env.zones[p.from]?.vpc).filter((v): v is string => !!v))].filter((ref) => !findVpc(ctx.inventory, ref));
  if (missing.length) return notFound(resource, `the VPC ${missing.join(', ')} of the streaming flows' source zones`);
  if (!ctx.inventory.loadBalancers) return { status: 'ERROR', sentence: `Could not look: the load balancers could not be read (${ctx.inventory.unread?.elbv2 ?? 'no reason given'}).`, resource, examined: 'nothing', facts: { unread: ctx.inventory.unread?.elbv2 } };
  const cidrOf = (zone: string) => ctx.env.zones[zone]?.cidr;
  const lbs = new Map<string, { name: string; idle: number; defaulted: boolean; flows: string[] }>();
  const nats = new Map<string, string[]>();
  for (const p of flows) {
    const fromSubnets = zoneSubnets(ctx.inventory, ctx.env, p.from);
    const toCidr = cidrOf(p.to);
    for (const lb of ctx.inventory.loadBalancers) {
      const inSource = lb.subnetIds.some((id) => fromSubnets.some((s) => s.id === id));
      const intoDest = !!toCidr && lb.listeners.some((l) => l.targets.some((t) => cidrContains(toCidr, t.ip)));
      if (!inSource && !intoDest) continue;
      const seen = lbs.get(lb.arn) ?? { name: lb.name, idle: lb.idleTimeoutSeconds, defaulted: lb.idleTimeoutDefaulted, flows: [] };
      seen.flows.push(p.id);
      lbs.set(lb.arn, seen);
    }
    for (const s of fromSubnets) for (const r of s.routes) if (r.target === 'nat' && r.state === 'active') nats.set(r.targetId, [...(nats.get(r.targetId) ?? []), p.id]);
  }
  const examined = `${lbs.size} load balancer(s) and ${nats.size} NAT gateway(s) on ${flows.length} streaming flow(s) (${flows.map((p) => `${p.id} ${p.from} → ${p.to}`).join(', ')}), against ${threshold} s`;
  const facts = { threshold, loadBalancers: [...lbs.values()], natGateways: [...nats.keys()] };
  if (lbs.size === 0 && nats.size === 0) {
    return { status: 'ERROR', sentence: `Could not look: no load balancer or NAT gateway is on a streaming flow (${flows.map((p) => p.id).join(', ')}), so no idle time-out could be judged; if the design has none, this check does not apply.`, resource, examined: 'nothing', facts };
  }
  const short = [
    ...[...lbs.values()].filter((l) => l.idle < threshold).map((l) => `load balancer ${l.name} closes idle connections after ${l.idle} s${l.defaulted ? " (AWS's default: the attribute was never set)" : ''} on ${l.flows.join(', ')}`),
    ...[...nats.entries()].filter(() => NAT_IDLE_SECONDS < threshold).map(([id, f]) => `NAT gateway ${id} drops idle connections after its fixed ${NAT_IDLE_SECONDS} s on ${f.join(', ')}`),
  ];
  return short.length
    ? { status: 'FAIL', sentence: `A stream idle for ${threshold} s would be cut: ${short.join('; ')}. Raise idle_timeout.timeout_seconds to at least ${threshold} (streaming.idleSeconds).`, resource, examined, facts }
    : { status: 'PASS', sentence: `Every load balancer (${[...lbs.values()].map((l) => `${l.name} ${l.idle} s`).join(', ') || 'none'}) and NAT gateway (${nats.size}, ${NAT_IDLE_SECONDS} s each) on the streaming flows keeps an idle connection open at least ${threshold} s.`, resource, examined, facts };
};
