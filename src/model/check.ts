import { Catalog } from './catalog.ts';
import { Category, CheckInput, Expectation } from './suite-schema.ts';
import { Environment } from './environment.ts';
import { ProbeDef } from './probe.ts';
import { AssertionName } from './assertions.ts';
/** What every check has, whatever it looks at. */
interface CheckBase {
  readonly id: string;
  readonly suite: string;
  readonly title: string;
  readonly category: Category;
  readonly policies: readonly string[];
  readonly from: string;
  readonly to: string;
  /** Validated values, as strings: probe parameters exactly as they will be quoted into the script. */
  readonly params: Readonly<Record<string, string>>;
  /** The marker this check's parameters carry (exfiltration probes), for canary confirmation. */
  readonly marker: string;
  readonly waiver?: CheckInput['waiver'];
  readonly source: { readonly file: string; readonly line: number; readonly col: number };
}

/** A check that runs a probe on the probe hosts of its zone. */
export interface ProbeCheck extends CheckBase {
  readonly kind: 'probe';
  readonly probe: string;
  readonly expect: ResolvedExpectation;
  readonly timeoutSeconds: number;
  /** Set for disruptive failover checks (run only with --allow-disruptive). */
  readonly disruptive?: { readonly fault: 'remove-phz-record'; readonly service: string } | { readonly fault: 'remove-peering-route' };
  /** The attempt in words (from its probe's `attempt`), for verdict sentences. */
  readonly attempt: string;
  /** What the canaries record for this check's probe, when its exfiltration is confirmed from the receiving side. */
  readonly canary?: 'dns' | 'http';
}

/** A check that reads the AWS API and judges it with an assertion (suites put them in the `config` category): no probe, no target host. */
export interface AssertionCheck extends CheckBase {
  readonly kind: 'assertion';
  readonly assert: AssertionName;
}

/** A check after validation: every reference resolved, every parameter validated. */
export type Check = ProbeCheck | AssertionCheck;

export const isAssertionCheck = (c: Check): c is AssertionCheck => c.kind === 'assertion';
export const isProbeCheck = (c: Check): c is ProbeCheck => c.kind === 'probe';

/** An expectation with its references expanded (CIDR lists become arrays). */
export type ResolvedExpectation =
  | Exclude<Expectation, { result: 'resolves-within' | 'stays-private' | 'allowed' }>
  | (Omit<Extract<Expectation, { result: 'allowed' }>, 'within'> & { readonly within?: readonly string[] })
  | { readonly result: 'resolves-within' | 'stays-private'; readonly cidrs: readonly string[] };

export interface ControlCall { readonly probe: string; readonly params: Readonly<Record<string, string>> }

/** A zone's controls: one for batches of checks that resolve names, one for checks by address. */
export interface ZoneControls { readonly byName: ControlCall; readonly byAddress: ControlCall }

export interface Config {
  readonly root: string;
  readonly catalog: Catalog;
  readonly env: Environment;
  readonly probes: ReadonlyMap<string, ProbeDef>;
  readonly checks: readonly Check[];
  readonly controls: ReadonlyMap<string, ZoneControls>;
}

