import { CanaryRecord, FlowEvidence, Invocation } from './result.ts';
import { Target } from './plan.ts';
import { Config, ProbeCheck } from './check.ts';
import { Inventory } from './inventory.ts';
import type { QueryLogEvidence } from './dns-firewall.ts';
/** Finds REJECT flow-log records of one attempt (source address, destination port, destination address when known). */
export interface FlowLogPort {
  /** Records of one action (ACCEPT for a call that must show, REJECT for a block) from src to dstPort since a time. */
  find(q: { action: 'ACCEPT' | 'REJECT'; src: string; dst?: string; dstPort: number; since: string }): Promise<FlowEvidence>;
}

/** Finds Resolver query-log records of one query name asked from one address (DNS Firewall's decision on it). */
export interface QueryLogPort {
  find(q: { name: string; src: string; since: string }): Promise<QueryLogEvidence>;
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

/** A DNS record as Route 53 describes it (ResourceRecordSet): kept whole, so a restore puts back exactly what was there. */
export interface DnsRecord { readonly Name?: string; readonly Type?: string; readonly [field: string]: unknown }

export interface PeeringRoute { readonly routeTableId: string; readonly destination: string; readonly peeringId: string }

export type JournalEntry = {
  readonly runId: string;
  readonly checkId: string;
  readonly at: string;
  /** The environment the change was made in: only a restore with the same environment puts it back. */
  readonly env: string;
  /** The environment account whose credentials make (and undo) the change. */
  readonly account: string;
} & (
  | { readonly fault: 'remove-phz-record'; readonly zoneId: string; /** The record as it was: what `restore` puts back. */ readonly record: DnsRecord }
  | { readonly fault: 'remove-peering-route'; readonly region: string; /** The routes as they were. */ readonly routes: readonly PeeringRoute[] }
);

/** A change made by a disruptive check, and where it is journaled. */
export interface Disruption { readonly entry: JournalEntry; readonly file: string }

/**
 * Takes the private path away for one check and puts it back (disruptive failover). Given only with
 * --allow-disruptive; the composition root builds it for AWS or the twin.
 */
export interface DisruptionPort {
  /** Journals what is there, then removes it. Throws (nothing changed) when it cannot. */
  disrupt(check: ProbeCheck, runId: string): Promise<Disruption>;
  /** Puts it back, verifies the restore, drops the journal entry (idempotent). */
  restore(d: Disruption): Promise<void>;
  /** Lets a change take effect (the twin rebuilds; AWS propagates). */
  afterChange(): Promise<void>;
}

/** One line of the preflight against real accounts: what was checked, whether it is fine, and what to do. */
export interface PreflightItem { readonly ok: boolean; readonly what: string; readonly detail: string }

/** One line per item. "FAIL" is reserved for non-compliance: a preflight problem is a "problem". */
export function formatPreflight(items: readonly PreflightItem[]): string {
  return items.map((i) => `${i.ok ? 'ok     ' : 'PROBLEM'} ${i.what}: ${i.detail}`).join('\n');
}

/** What a run talks to: targets, a command port, and teardown of whatever was started for it. */
export interface Session extends AsyncDisposable {
  readonly resolver: TargetResolver;
  readonly port: CommandPort;
  /** Reads what reached the canaries; absent when the environment has no canary record. */
  readonly canary?: CanaryPort;
  /** Reads the AWS inventory (for config checks and baselines). */
  readonly inventory: () => Promise<Inventory>;
  /** Finds REJECT records in the VPC flow logs; absent when the environment names none. */
  readonly flowLogs?: FlowLogPort;
  /** Finds Resolver query-log records; absent when the environment names no query-log source. */
  readonly queryLogs?: QueryLogPort;
  /** Takes the private path away and puts it back (disruptive failover). Absent: not possible here (a twin kept up with `lab up`). */
  readonly disruption?: DisruptionPort;
  /** Who the run acts as in each account (STS GetCallerIdentity), for the evidence. */
  callers(): Promise<Record<string, string>>;
  /** Real accounts: credentials, probe hosts Online in SSM, endpoints present, before anything is sent. */
  readonly preflight?: () => Promise<PreflightItem[]>;
  /** Human-readable description of the control plane, for logs and evidence. */
  readonly describe: string;
  /** The configuration with the addresses its environment leaves to discovery filled in (absent: nothing was left). */
  readonly config?: Config;
}

/** A command sent to, or finished on, some probe hosts: what a console shows while a run is under way. */
export interface ProgressEvent { readonly kind: 'sent' | 'finished'; readonly batch: string; readonly instanceIds: readonly string[] }
