import type { DiscoveredValue } from './environment.ts';
import type { Drift, Verdict } from './result.ts';

/** A policy as reporters see it: enough for SARIF rules and the auditor's HTML. */
export interface PolicySummary {
  readonly id: string;
  readonly title: string;
  readonly from: string;
  readonly to: string;
  readonly action: 'allow' | 'deny';
  readonly severity: 'critical' | 'high' | 'medium' | 'low';
  readonly justification: string;
  readonly remediation: string;
  readonly helpUri?: string;
  readonly ports: string;
}

export interface ZonePair {
  readonly from: string;
  readonly to: string;
  /** What the catalog says (default deny, explicit deny beats allow). */
  readonly intended: 'allow' | 'deny' | 'mixed';
}

/** What the selected checks cover: NET policies × categories, and the zone × zone matrix. */
export interface Coverage {
  /** The categories, in the order reports show them. */
  readonly categories: readonly string[];
  /** policy id → category → check ids that test it (empty = untested). */
  readonly policies: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
  /** "from→to" for every internal source zone × every other zone → check ids. */
  readonly zones: Readonly<Record<string, readonly string[]>>;
  readonly untestedPolicies: readonly string[];
  readonly untestedPolicyCategories: readonly string[];
  readonly untestedZonePairs: readonly string[];
}

/**
 * Everything a reporter may look at: plain data, no clients. Reporters are pure functions of it.
 */
export interface Report {
  readonly tool: { readonly name: 'pathproof'; readonly version: string; readonly informationUri: string };
  readonly runId: string;
  readonly env: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  /** True when the run was interrupted, or some zone or batch could not look: not every check was tested. */
  readonly partial: boolean;
  readonly notRun: readonly string[];
  /** Batches or zones that could not look, and why. */
  readonly couldNotLook: readonly string[];
  readonly verdicts: readonly Verdict[];
  readonly policies: readonly PolicySummary[];
  readonly zones: readonly { readonly name: string; readonly kind: 'internal' | 'external' }[];
  readonly matrix: readonly ZonePair[];
  readonly frameworks: readonly { readonly framework: string; readonly id: string; readonly title: string; readonly policies: readonly string[] }[];
  readonly accounts: readonly { readonly name: string; readonly id: string; readonly region: string; readonly callerArn?: string }[];
  readonly suitesCommit?: string;
  /** Addresses the environment left to discovery: each value and the resources it was read from. */
  readonly discovered?: readonly DiscoveredValue[];
  /** What the run's checks were meant to cover (untested cells are listed, not hidden). */
  readonly coverage: Coverage;
  /** Changes since the baseline (information, not a gate). */
  readonly drift?: Drift;
  /** Static analysis and live probes compared where both looked. */
  readonly witnesses?: readonly Witness[];
}

/** One connection both the static analysis and a live probe judged. */
export interface Witness {
  readonly checkId: string;
  readonly from: string;
  readonly to: string;
  readonly port: number;
  readonly target: string;
  readonly staticSays: 'open' | 'closed';
  readonly probeSays: 'open' | 'blocked';
  readonly agree: boolean;
  readonly note: string;
}

/** The pseudo policy of flows only the default deny governs. */
export const DEFAULT_DENY_POLICY: PolicySummary = {
  id: 'default-deny', title: 'Flows no policy allows are blocked', from: '*', to: '*', action: 'deny', severity: 'high',
  justification: 'The catalog is default deny: any zone pair not explicitly allowed must be blocked.',
  remediation: 'Remove the security group rule, route or NACL entry that admits the flow.', ports: 'any',
};

export function policyOf(report: Pick<Report, 'policies'>, id: string): PolicySummary {
  return report.policies.find((p) => p.id === id) ?? DEFAULT_DENY_POLICY;
}

/**
 * Where a verdict's evidence lies in the bundle: one file per SSM invocation (one command on one
 * host), holding the invocation, its exact output and every verdict judged from it; the config
 * checks' in one file. One file per verdict would be tens of thousands at fleet scale.
 */
export function evidenceFile(v: { readonly evidence: { readonly commandId?: string; readonly assertion?: unknown }; readonly target: { readonly instanceId: string } }): string {
  if (v.evidence.assertion) return 'evidence/config.json';
  return invocationFile(v.evidence.commandId, v.target.instanceId);
}

/** The evidence file of one SSM invocation (command × host); `not-run/` for a host no command reached. */
export function invocationFile(commandId: string | undefined, instanceId: string): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9_.-]/g, '_');
  return `evidence/${commandId ? safe(commandId) : 'not-run'}/${safe(instanceId)}.json`;
}
