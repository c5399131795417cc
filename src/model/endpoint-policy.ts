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

/** Request context keys an identity policy's conditions are evaluated against (absent keys undefined). */
export type RequestContext = Readonly<Record<string, string | undefined>>;

type CondStmt = Stmt & { Sid?: string; Condition?: Record<string, Record<string, string | string[]>> };

/**
 * One condition block, as IAM evaluates the string operators: every operator and key must hold (AND),
 * any of a key's values may match (OR); a negated operator holds when the key is absent, a positive
 * one does not; `…IfExists` holds when the key is absent. Undefined when an operator is not one of
 * these (the caller cannot rely on the statement either way).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 */
export function conditionHolds(condition: CondStmt['Condition'], context: RequestContext): boolean | undefined {
  for (const [rawOp, keys] of Object.entries(condition ?? {})) {
    const ifExists = rawOp.endsWith('IfExists');
    const op = rawOp.replace(/IfExists$/, '');
    if (!['StringEquals', 'StringNotEquals', 'StringLike', 'StringNotLike', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase'].includes(op)) return undefined;
    for (const [key, values] of Object.entries(keys)) {
      const actual = Object.entries(context).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1];
      const negated = op.includes('Not');
      if (actual === undefined) {
        if (ifExists || negated) continue;
        return false;
      }
      const match = list(values).some((v) => op.startsWith('StringLike') || op.startsWith('StringNotLike') ? glob(v, actual) : op.includes('IgnoreCase') ? v.toLowerCase() === actual.toLowerCase() : v === actual);
      if (negated ? match : !match) return false;
    }
  }
  return true;
}

/**
 * The statement of identity policies that explicitly denies `action` on `resource` in this request
 * context, if any: an explicit Deny overrides every Allow.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 * `unknown` lists statements whose condition uses an operator this evaluator does not model.
 */
export function explicitDeny(policies: readonly unknown[], action: string, resource: string, context: RequestContext): { deny?: { policy: number; sid: string }; unknown: string[] } {
  const unknown: string[] = [];
  for (const [pi, policy] of policies.entries()) {
    const statements = list((policy as { Statement?: CondStmt | CondStmt[] } | null)?.Statement as never) as unknown as CondStmt[];
    for (const [si, s] of statements.entries()) {
      if (s.Effect !== 'Deny' || !list(s.Action).some((a) => glob(a, action)) || !list(s.Resource).some((r) => glob(r, resource))) continue;
      const holds = conditionHolds(s.Condition, context);
      if (holds === undefined) unknown.push(s.Sid ?? `statement ${si + 1}`);
      else if (holds) return { deny: { policy: pi, sid: s.Sid ?? `statement ${si + 1}` }, unknown };
    }
  }
  return { unknown };
}

/** Whether some Allow statement of identity policies grants `action` on `resource` in this context (conditions it cannot evaluate count as holding). */
export function identityAllows(policies: readonly unknown[], action: string, resource: string, context: RequestContext): boolean {
  return policies.some((policy) => (list((policy as { Statement?: CondStmt | CondStmt[] } | null)?.Statement as never) as unknown as CondStmt[])
    .some((s) => s.Effect === 'Allow' && list(s.Action).some((a) => glob(a, action)) && list(s.Resource).some((r) => glob(r, resource)) && conditionHolds(s.Condition, context) !== false));
}
