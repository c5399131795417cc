import { PathproofError } from './errors.ts';

/**
 * VPC flow-log records as AWS writes them (VPC User Guide, "Flow log records"): space-separated
 * fields, by default the version 2 format below; S3 delivery starts a file with a header line
 * naming its fields, and custom formats declare their own order. Pure: files (src/load) and
 * CloudWatch Logs (src/aws) share it.
 */
export const DEFAULT_FIELDS = ['version', 'account-id', 'interface-id', 'srcaddr', 'dstaddr', 'srcport', 'dstport', 'protocol', 'packets', 'bytes', 'start', 'end', 'action', 'log-status'] as const;

/** The fields the audit reads; others are ignored. */
export interface FlowLine {
  readonly srcaddr: string;
  readonly dstaddr: string;
  readonly srcport: number;
  readonly dstport: number;
  readonly protocol: number;
  readonly bytes: number;
  readonly start: number;
  readonly action: string;
  readonly logStatus: string;
  /** Present when the format has tcp-flags (version 3 and later). */
  readonly tcpFlags?: number;
  /** Where it came from (a file, or a log group and stream), for evidence. */
  readonly file: string;
  readonly line: number;
}

const NEEDED = ['srcaddr', 'dstaddr', 'srcport', 'dstport', 'protocol', 'bytes', 'start', 'action', 'log-status'] as const;

/** Field positions from a header line (or the default order); a format without a needed field is refused. */
export function fieldIndex(fields: readonly string[], file: string): Record<string, number> {
  const at = Object.fromEntries(fields.map((f, i) => [f, i]));
  const missing = NEEDED.filter((f) => at[f] === undefined);
  if (missing.length) throw new PathproofError('AUDIT_INPUT_INVALID', `${file}: line 1 declares the fields ${fields.join(' ')}, which lack ${missing.join(', ')}; the audit needs ${NEEDED.join(', ')} (add them to the flow log's format)`);
  return at;
}

export const DEFAULT_INDEX: Record<string, number> = Object.fromEntries(DEFAULT_FIELDS.map((f, i) => [f, i]));

/** A line's fields: AWS separates them with one space; tabs or runs of spaces take the slow path. */
export function splitFlowLine(text: string): string[] {
  const parts = text.split(' ');
  return parts.includes('') || text.includes('\t') ? text.trim().split(/\s+/).filter(Boolean) : parts;
}

/** One record from its fields; a field that is not a number in an OK record is refused with where it was. */
export function parseFlowFields(parts: readonly string[], at: Readonly<Record<string, number>>, file: string, line: number): FlowLine {
  const get = (f: string) => parts[at[f]!];
  const logStatus = get('log-status') ?? '';
  const num = (f: string) => {
    const v = get(f);
    const x = v === undefined || v === '-' ? NaN : Number(v);
    if (Number.isNaN(x) && logStatus === 'OK') throw new PathproofError('AUDIT_INPUT_INVALID', `${file}:${line}: field ${f} is "${v ?? ''}", not a number; is the header (line 1) the file's real field order?`);
    return x;
  };
  return {
    srcaddr: get('srcaddr') ?? '-', dstaddr: get('dstaddr') ?? '-', srcport: num('srcport'), dstport: num('dstport'), protocol: num('protocol'),
    bytes: num('bytes'), start: num('start'), action: get('action') ?? '-', logStatus,
    ...(at['tcp-flags'] !== undefined && get('tcp-flags') !== '-' ? { tcpFlags: Number(get('tcp-flags')) } : {}),
    file, line,
  };
}
