/**
 * Harness faults. A finding about the network is never an exception: it is a Verdict.
 * Exceptions are reserved for "the harness could not do its job", and every one carries a
 * stable code so that scripts, tests and the exit-code logic can rely on it.
 */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'ENV_UNKNOWN'
  | 'SSM_ACCESS_DENIED'
  | 'SSM_INVALID_INSTANCE'
  | 'SSM_THROTTLED'
  | 'SSM_SEND_FAILED'
  | 'TARGETS_UNRESOLVED'
  | 'LAB_NEEDS_ROOT'
  | 'LAB_TOOL_MISSING'
  | 'LAB_START_FAILED'
  | 'EMULATOR_START_FAILED'
  | 'DOCKER_UNAVAILABLE'
  | 'SIGNING_KEY_INVALID'
  | 'HARNESS_INVARIANT'
  | 'USAGE'
  | 'AUDIT_INPUT_INVALID';

/**
 * Why a check could not look: a harness fault (an ErrorCode), or one the engine records without
 * throwing. Every fault in an observation or verdict carries one of these, never a free string.
 */
export type FaultCode =
  | ErrorCode
  | 'HARNESS'
  | 'SSM_NO_INVOCATION'
  | 'DISRUPTION'
  | 'INVENTORY_UNREADABLE'
  | 'ASSERTION_CRASHED'
  | 'SUBJECT_NOT_FOUND'
  | 'NOTHING_EXAMINED'
  | 'COMMAND_NOT_SUCCESSFUL'
  | 'OUTPUT_TRUNCATED'
  | 'PROBE_ERROR'
  | 'CANNOT_TELL'
  | 'FLOW_LOGS_UNREADABLE'
  | 'QUERY_LOGS_UNREADABLE'
  | 'CANARY_UNREADABLE';

/** A fault in an observation or verdict: its stable code and what happened. */
export interface Fault { readonly code: FaultCode; readonly message: string }

export class PathproofError extends Error {
  override readonly name = 'PathproofError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isPathproofError(e: unknown, code?: ErrorCode): e is PathproofError {
  return e instanceof PathproofError && (code === undefined || e.code === code);
}

/** One-line description of any thrown value, keeping the stable code when there is one. */
export function describeError(e: unknown): string {
  if (e instanceof PathproofError) return `${e.code}: ${e.message}`;
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}
