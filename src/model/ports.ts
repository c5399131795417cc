import { CanaryRecord, FlowEvidence, Invocation } from './result.ts';
import { Target } from './plan.ts';
/** Finds REJECT flow-log records of one attempt (source address, destination port, destination address when known). */
export interface FlowLogPort {
  rejects(q: { src: string; dst?: string; dstPort: number; since: string }): Promise<FlowEvidence>;
}

/** Reads what reached the canaries (HTTP sink, canary DNS) for a marker. */
export interface CanaryPort {
  received(marker: string): Promise<CanaryRecord>;
}

/** Sends one command to one account/region. The SSM transport implements it; tests inject fakes. */
export interface CommandPort {
  run(account: string, region: string, req: CommandRequest, signal?: AbortSignal): Promise<Invocation[]>;
}

/** Finds the probe hosts of a zone. */
export interface TargetResolver {
  resolve(zone: string): Promise<Target[]>;
}

/** What one SendCommand carries. Never put credentials or secrets here: SSM keeps command history. */
export interface CommandRequest {
  readonly instanceIds: readonly string[];
  readonly script: string;
  readonly comment: string;
  /** AWS-RunShellScript executionTimeout. */
  readonly executionTimeoutSeconds: number;
  /** SendCommand TimeoutSeconds (delivery). */
  readonly deliveryTimeoutSeconds: number;
  /** Extra wait after delivery + execution before the harness gives up on an invocation. */
  readonly pollGraceSeconds: number;
  /** Where the command came from, for wait messages (e.g. "batch inference"). */
  readonly label: string;
}
