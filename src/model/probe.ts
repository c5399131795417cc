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
