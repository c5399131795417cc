import { type Catalog, type Policy } from './catalog.ts';

export interface Flow {
  readonly from: string;
  readonly to: string;
  readonly protocol: 'tcp' | 'udp';
  readonly port: number;
}

export type Decision =
  | { readonly action: 'allow'; readonly reason: 'allowed'; readonly policies: readonly Policy[] }
  | { readonly action: 'deny'; readonly reason: 'explicit-deny'; readonly policies: readonly Policy[] }
  | { readonly action: 'deny'; readonly reason: 'default-deny'; readonly policies: readonly [] };

export function matches(policy: Policy, flow: Flow): boolean {
  if (policy.from !== flow.from) return false;
  if (policy.to === '*' ? flow.to === flow.from : policy.to !== flow.to) return false;
  if (policy.protocol !== 'any' && policy.protocol !== flow.protocol) return false;
  return policy.ports.length === 0 || policy.ports.some((r) => flow.port >= r.low && flow.port <= r.high);
}

/** Default deny; an explicit deny beats any allow; port ranges are inclusive. */
export function evaluate(catalog: Pick<Catalog, 'policies'>, flow: Flow): Decision {
  const hits = [...catalog.policies.values()].filter((p) => matches(p, flow));
  const denies = hits.filter((p) => p.action === 'deny');
  if (denies.length > 0) return { action: 'deny', reason: 'explicit-deny', policies: denies };
  const allows = hits.filter((p) => p.action === 'allow');
  if (allows.length > 0) return { action: 'allow', reason: 'allowed', policies: allows };
  return { action: 'deny', reason: 'default-deny', policies: [] };
}
