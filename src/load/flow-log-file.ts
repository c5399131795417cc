import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { PathproofError } from '../model/errors.ts';

/**
 * VPC flow-log files as AWS delivers them (VPC User Guide, "Flow log records"): space-separated
 * fields, by default the version 2 format below; a file may start with a header line naming its
 * fields (S3 delivery writes one; custom formats declare their own order); `.gz` is gunzipped
 * (detected by its magic bytes, whatever the name). Read as a stream: memory stays flat.
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
  /** Where it came from, for evidence. */
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

async function isGzip(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await fh.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/** The file's records, one at a time. A line that does not fit the format stops the read with its line number. */
export async function* readFlowLogFile(file: string): AsyncGenerator<FlowLine> {
  const raw = createReadStream(file);
  const input = (await isGzip(file)) ? raw.pipe(createGunzip()) : raw;
  const lines = createInterface({ input, crlfDelay: Infinity });
  let at: Record<string, number> = fieldIndex(DEFAULT_FIELDS, file);
  let n = 0;
  for await (const text of lines) {
    n += 1;
    // AWS separates fields with one space; anything else (tabs, runs of spaces) takes the slow path.
    let parts = text.split(' ');
    if (parts.includes('') || text.includes('\t')) parts = text.trim().split(/\s+/);
    if (parts.length === 1 && parts[0] === '') continue;
    // A header names its fields; a record starts with a version number.
    if (n === 1 && !/^\d+$/.test(parts[0]!)) {
      at = fieldIndex(parts, file);
      continue;
    }
    const get = (f: string) => parts[at[f]!];
    const logStatus = get('log-status') ?? '';
    const num = (f: string) => {
      const v = get(f);
      const x = v === undefined || v === '-' ? NaN : Number(v);
      if (Number.isNaN(x) && logStatus === 'OK') throw new PathproofError('AUDIT_INPUT_INVALID', `${file}:${n}: field ${f} is "${v ?? ''}", not a number; is the header (line 1) the file's real field order?`);
      return x;
    };
    yield {
      srcaddr: get('srcaddr') ?? '-', dstaddr: get('dstaddr') ?? '-', srcport: num('srcport'), dstport: num('dstport'), protocol: num('protocol'),
      bytes: num('bytes'), start: num('start'), action: get('action') ?? '-', logStatus,
      ...(at['tcp-flags'] !== undefined && get('tcp-flags') !== '-' ? { tcpFlags: Number(get('tcp-flags')) } : {}),
      file, line: n,
    };
  }
}
