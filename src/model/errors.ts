/**
 * Harness faults. A finding about the network is never an exception: it is a Verdict.
 * Exceptions are reserved for "the harness could not do its job", and every one carries a
 * stable code so that scripts, tests and the exit-code logic can rely on it.
 */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'CONFIG_NOT_FOUND'
  | 'ENV_UNKNOWN'
  | 'SSM_ACCESS_DENIED'
  | 'SSM_INVALID_INSTANCE'
  | 'SSM_THROTTLED'
  | 'SSM_SEND_FAILED'
  | 'SSM_POLL_TIMEOUT'
  | 'TARGETS_UNRESOLVED'
  | 'CREDENTIALS'
  | 'LAB_NEEDS_ROOT'
  | 'LAB_TOOL_MISSING'
  | 'LAB_START_FAILED'
  | 'EMULATOR_START_FAILED'
  | 'DOCKER_UNAVAILABLE'
  | 'INTERRUPTED'
  | 'SIGNING_KEY_INVALID'
  | 'HARNESS_INVARIANT'
  | 'USAGE';

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
