import { Check } from './check.ts';
/** A probe host inside a zone, as found by tag or id. */
export interface Target {
  readonly instanceId: string;
  readonly zone: string;
  readonly account: string;
  readonly accountId: string;
  readonly region: string;
  readonly vpc: string;
  readonly subnet?: string;
  readonly privateIp?: string;
}

export interface PlannedProbe {
  /** Position in the batch script; index 0 is always the control probe. */
  readonly index: number;
  /** The check id, or "control". */
  readonly key: string;
  readonly probe: string;
  readonly params: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
  /**
   * The control only: its success outcomes. A control that did not succeed is run once more
   * before its batch's deny checks can read INCONCLUSIVE (one slow start on a busy host must not
   * void a zone); the second try is recorded in the evidence.
   */
  readonly retryUnless?: readonly string[];
}

/**
 * One script for every target of a zone: the zone's probes, run concurrently. A zone with more
 * probes than one output can hold (PROBES_PER_BATCH) gets several batches, each with its control.
 */
export interface Batch {
  readonly id: string;
  readonly zone: string;
  readonly account: string;
  readonly region: string;
  readonly targets: readonly Target[];
  readonly probes: readonly PlannedProbe[];
  readonly script: string;
  /** executionTimeout of AWS-RunShellScript: the slowest probe plus margin. */
  readonly executionTimeoutSeconds: number;
}

/** One SendCommand: at most 50 instance ids (the API's limit) sharing one script. */
export interface CommandPlan {
  readonly batch: string;
  readonly instanceIds: readonly string[];
  readonly comment: string;
}

export interface Plan {
  readonly runId: string;
  readonly env: string;
  readonly checks: readonly Check[];
  readonly batches: readonly Batch[];
  readonly commands: readonly CommandPlan[];
  /** Zones that have checks but no targets: their checks become ERROR. */
  readonly untargeted: readonly string[];
}
