import type { QueryLogEvidence } from './dns-firewall.ts';
import type { Fault } from './errors.ts';
import { type Target } from './plan.ts';
import { Plan } from './plan.ts';

/** SSM command invocation statuses (GetCommandInvocation `Status`). */
export type InvocationStatus = 'Pending' | 'InProgress' | 'Delayed' | 'Success' | 'Cancelled' | 'TimedOut' | 'Failed' | 'Cancelling';

/** What one SSM invocation returned. A non-Success status is data to judge, not an exception. */
export interface Invocation {
  readonly instanceId: string;
  readonly commandId: string;
  readonly status: InvocationStatus;
  /** e.g. Success, DeliveryTimedOut, ExecutionTimedOut, Undeliverable, Terminated, InvalidPlatform. */
  readonly statusDetails: string;
  /** -1 when the command never started. */
  readonly responseCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly requestedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  /** Set when the harness stopped waiting: what was awaited and for how long. */
  readonly waitFault?: string;
}

export type OutcomeClass = 'success' | 'block' | 'error';

/** One probe's line of output, parsed and classified with the probe's metadata. */
export interface ProbeObservation {
  readonly index: number;
  readonly key: string;
  readonly probe: string;
  /** The outcome keyword the probe printed (or the wrapper's: probe-timeout, probe-crashed, …). */
  readonly outcome: string;
  readonly class: OutcomeClass;
  readonly data: Readonly<Record<string, unknown>>;
  /** Exit status of the probe under `timeout` (124 = killed by its time-out). */
  readonly rc: number;
  readonly raw: string;
}

/** Everything observed for one target of one batch. */
export interface TargetObservation {
  readonly batch: string;
  readonly target: Target;
  readonly invocation?: Invocation;
  /** A harness fault that prevented looking at all (the SendCommand failed, the target was not found, …). */
  readonly fault?: Fault;
  readonly probes: readonly ProbeObservation[];
  /** True when the end line was missing: output was cut (SSM keeps 24,000 characters) or the script died. */
  readonly truncated: boolean;
}

export type VerdictStatus = 'PASS' | 'FAIL' | 'ERROR' | 'INCONCLUSIVE' | 'WAIVED';

export interface Evidence {
  readonly instanceId?: string;
  readonly commandId?: string;
  readonly invocationStatus?: string;
  readonly statusDetails?: string;
  readonly responseCode?: number;
  readonly truncated?: boolean;
  readonly probe?: ProbeObservation;
  readonly control?: ProbeObservation;
  readonly fault?: Fault;
  /** For checks that ask whether monitoring saw the block: the matching flow-log records. */
  readonly flowLog?: FlowEvidence;
  /** What the Resolver query logs recorded of the query (checks marked `logged: query-blocked`). */
  readonly queryLog?: QueryLogEvidence;
  /** For assertion checks (the `config` category): the assertion, what it examined, and the API facts it rests on. */
  readonly assertion?: { readonly name: string; readonly examined?: string; readonly facts: Readonly<Record<string, unknown>> };
  /** What the canaries recorded for this check's marker (exfiltration checks that ask for it). */
  readonly canary?: CanaryRecord;
}

/** A VPC flow-log record (default format, version 2). */
export interface FlowRecord {
  readonly version: 2;
  readonly accountId: string;
  readonly interfaceId: string;
  readonly srcAddr: string;
  readonly dstAddr: string;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly protocol: number;
  readonly packets: number;
  readonly bytes: number;
  readonly start: number;
  readonly end: number;
  readonly action: 'ACCEPT' | 'REJECT';
  readonly logStatus: 'OK' | 'NODATA' | 'SKIPDATA';
}

/** What the flow logs say about a check's attempt. */
export interface FlowEvidence {
  readonly available: boolean;
  readonly records: readonly FlowRecord[];
  readonly error?: string;
}

/** The canaries' own record for one marker: the proof, from the receiving side, that nothing arrived. */
export interface CanaryRecord {
  readonly marker: string;
  /** False when no canary record could be read: then nothing can be confirmed. */
  readonly available: boolean;
  readonly hits: readonly { readonly kind: 'http' | 'dns'; readonly from: string; readonly t: string }[];
  readonly error?: string;
}

interface VerdictBase {
  readonly checkId: string;
  readonly suite: string;
  readonly title: string;
  readonly category: string;
  readonly policies: readonly string[];
  readonly from: string;
  readonly to: string;
  readonly target: Target;
  /** One plain sentence: who, what, what was observed. */
  readonly sentence: string;
  readonly evidence: Evidence;
  readonly source: { readonly file: string; readonly line: number; readonly col: number };
}

/** Evidence that holds an observation: a probe's own line, or the API facts an assertion examined. */
export type ObservedEvidence = Evidence & ({ readonly probe: ProbeObservation } | { readonly assertion: NonNullable<Evidence['assertion']> });

export interface Waiver { readonly justification: string; readonly expires: string; readonly approvedBy: string }

/** A verdict, one variant per status with what that status must carry. */
export type Verdict =
  /** PASS and FAIL rest on an observation. */
  | (VerdictBase & { readonly status: 'PASS' | 'FAIL'; readonly evidence: ObservedEvidence })
  /** A waiver that expired is a FAIL, whatever was observed. */
  | (VerdictBase & { readonly status: 'FAIL'; readonly expiredWaiver: Waiver })
  /** The check could not look: why, with a stable code. */
  | (VerdictBase & { readonly status: 'ERROR'; readonly fault: Fault })
  /** A deny looked blocked, but the batch's control failed. */
  | (VerdictBase & { readonly status: 'INCONCLUSIVE' })
  | (VerdictBase & {
      readonly status: 'WAIVED';
      /** What the check would have been without the waiver. */
      readonly underlying: 'PASS' | 'FAIL' | 'ERROR' | 'INCONCLUSIVE';
      readonly waiver: Waiver;
    });

/** The exit-code contract: 0 compliant, 1 at least one FAIL, 2 the harness or a probe broke, 130 interrupted. */
export function exitCodeFor(verdicts: readonly Pick<Verdict, 'status'>[], extra: { interrupted?: boolean; harnessBroke?: boolean } = {}): 0 | 1 | 2 | 130 {
  if (extra.interrupted) return 130;
  if (extra.harnessBroke || verdicts.some((v) => v.status === 'ERROR' || v.status === 'INCONCLUSIVE')) return 2;
  if (verdicts.some((v) => v.status === 'FAIL')) return 1;
  return 0;
}

export interface RunResult {
  readonly runId: string;
  readonly env: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly plan: Plan;
  readonly observations: readonly TargetObservation[];
  readonly verdicts: readonly Verdict[];
  /** Checks that never ran because the run was interrupted. */
  readonly interrupted: readonly string[];
  /** Disruptive checks not run because --allow-disruptive was not given. */
  readonly skipped: readonly string[];
  /** Batches or zones that could not look (no targets, SSM undeliverable, truncated, …): the run is partial. */
  readonly couldNotLook: readonly string[];
  /** Changes since the recorded baseline: information, never a verdict (the catalog checks judge what changed). */
  readonly drift?: Drift;
}

/** What changed since `pathproof baseline` recorded the configuration; `baseline` false when none was recorded. */
export interface Drift { readonly baseline: boolean; readonly changes: readonly string[] }
