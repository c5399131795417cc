/**
 * Minimal IAM policy evaluation for VPC endpoint policies: explicit Deny wins, otherwise an
 * Allow must match action and resource (with * and ? wildcards). Statements with a Condition
 * are evaluated as if the condition held (the twin has no caller identity to test it against).
 */
export interface PolicyDecision { readonly allowed: boolean; readonly reason: string }

type Stmt = { Effect?: string; Action?: string | string[]; Resource?: string | string[]; Principal?: unknown };

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const glob = (pattern: string, value: string): boolean =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i').test(value);

export function evaluateEndpointPolicy(policy: unknown, action: string, resource: string): PolicyDecision {
  if (!policy || typeof policy !== 'object') return { allowed: true, reason: 'no endpoint policy (full access)' };
  const statements = list((policy as { Statement?: Stmt | Stmt[] }).Statement as never) as unknown as Stmt[];
  const matches = (s: Stmt) => list(s.Action).some((a) => glob(a, action)) && list(s.Resource).some((r) => glob(r, resource));
  const deny = statements.find((s) => s.Effect === 'Deny' && matches(s));
  if (deny) return { allowed: false, reason: 'an explicit deny in the VPC endpoint policy' };
  if (statements.some((s) => s.Effect === 'Allow' && matches(s))) return { allowed: true, reason: 'allowed by the VPC endpoint policy' };
  return { allowed: false, reason: 'no VPC endpoint policy allows it' };
}
