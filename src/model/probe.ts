import { z } from 'zod';
import { paramTypes, type ParamType } from './param-types.ts';

export type OutcomeClass = 'success' | 'block' | 'error';

const ParamDef = z.strictObject({
  type: z.enum(Object.keys(paramTypes) as [ParamType, ...ParamType[]]),
  description: z.string().min(1),
  required: z.boolean().default(false),
  default: z.union([z.string(), z.number()]).optional(),
});

export const ProbeMeta = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9-]{1,40}$/),
  title: z.string().min(1),
  description: z.string().min(1),
  /** Commands the script needs on the target beyond POSIX sh; missing ones yield `tool-missing`. */
  tools: z.array(z.enum(['bash', 'getent', 'timeout', 'curl', 'dig', 'sed', 'grep', 'date', 'head', 'tr'])),
  parameters: z.record(z.string().regex(/^[a-z][a-z0-9_]{0,30}$/), ParamDef),
  /** Every outcome keyword the script can print, and what it means for judging. */
  outcomes: z.record(z.string().regex(/^[a-z][a-z0-9-]{0,30}$/), z.enum(['success', 'block', 'error'])),
  /**
   * The parameter whose value the probe looks up in DNS (unless it is an IPv4 address), and the
   * parameter that, when given, makes it connect to an address instead. Absent: the probe needs no DNS.
   */
  resolves: z.strictObject({ param: z.string(), unless: z.string().optional() }).optional(),
  /** How an attempt reads in a verdict: `{param}` is replaced; `[ … ]` appears only when its parameters are given. */
  attempt: z.string().min(1),
  /** How long the probe can take, from its parameters (see worstCaseSeconds). */
  timeout: z.strictObject({ per: z.array(z.string()), attempts: z.string().optional(), lookup: z.string().optional() }),
  /** What the canaries record for it: an exfiltration check is confirmed from the receiving side. */
  canary: z.enum(['dns', 'http']).optional(),
  /** It reports the addresses a name resolved to (what resolves-within judges). */
  addresses: z.boolean().default(false),
});

export type ProbeParamDef = z.infer<typeof ParamDef>;

export interface ProbeDef {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly tools: readonly string[];
  readonly parameters: Readonly<Record<string, ProbeParamDef>>;
  readonly outcomes: Readonly<Record<string, OutcomeClass>>;
  readonly resolves?: { readonly param: string; readonly unless?: string };
  readonly attempt: string;
  readonly timeout: { readonly per: readonly string[]; readonly attempts?: string; readonly lookup?: string };
  readonly canary?: 'dns' | 'http';
  readonly addresses: boolean;
  /** The POSIX sh body that runs on the target. */
  readonly script: string;
  readonly dir: string;
}

/** Outcomes the batch wrapper itself can report for any probe. */
export const wrapperOutcomes: Readonly<Record<string, OutcomeClass>> = {
  'probe-timeout': 'error',
  'probe-crashed': 'error',
  'tool-missing': 'error',
  'bad-param': 'error',
};

/** The heredoc delimiter the batch script uses; a probe line equal to it would end the heredoc early. */
export const HEREDOC_END = 'PATHPROOF_PROBE_END';

/** Names answered from /etc/hosts on every host, never from DNS. */
const HOSTS_FILE_NAMES = new Set(['localhost', 'localhost.localdomain']);

/** Whether a call of this probe with these parameters depends on DNS resolution working. */
export function needsDns(def: Pick<ProbeDef, 'resolves'> | undefined, params: Readonly<Record<string, string>>): boolean {
  if (!def?.resolves) return false;
  if (def.resolves.unless && params[def.resolves.unless]) return false;
  const value = params[def.resolves.param];
  return value !== undefined && !/^\d{1,3}(?:\.\d{1,3}){3}$/.test(value) && !HOSTS_FILE_NAMES.has(value.toLowerCase().replace(/\.$/, ''));
}

/** An attempt in words, from the probe's `attempt` template and the check's parameters. */
export function describeAttempt(def: Pick<ProbeDef, 'attempt'>, params: Readonly<Record<string, string>>): string {
  const fill = (t: string) => t.replace(/\{([a-z_]+)\}/g, (_, k: string) => params[k] ?? '');
  return fill(def.attempt.replace(/\[([^\]]*)\]/g, (_, inner: string) => ([...inner.matchAll(/\{([a-z_]+)\}/g)].every((m) => params[m[1]!]) ? inner : '')));
}

/**
 * The longest a probe can take with these parameters: attempts × the per-attempt limit (the first of
 * `timeout.per` given, else 4 s), plus a second of slack, plus 4 s when `timeout.lookup` is a name (a
 * failed lookup is asked once more to tell NXDOMAIN from a silent resolver).
 */
export function worstCaseSeconds(def: Pick<ProbeDef, 'timeout'> | undefined, params: Readonly<Record<string, string>>): number {
  const per = Number(def?.timeout.per.map((p) => params[p]).find((v) => v !== undefined) ?? 4);
  const times = Number((def?.timeout.attempts && params[def.timeout.attempts]) ?? 1);
  const lookup = def?.timeout.lookup ? params[def.timeout.lookup] : undefined;
  const asks = lookup !== undefined && !/^\d{1,3}(?:\.\d{1,3}){3}$/.test(lookup) ? 4 : 0;
  return times * per + 1 + asks;
}
