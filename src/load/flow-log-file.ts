import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { DEFAULT_INDEX, fieldIndex, parseFlowFields, splitFlowLine, type FlowLine } from '../model/flow-log.ts';
import { parseQueryLogLine, type QueryLogRecord } from '../model/dns-firewall.ts';
import { PathproofError } from '../model/errors.ts';

/**
 * VPC flow-log files as AWS delivers them: the default version 2 format, with or without a header
 * line naming the fields (custom formats declare their order there), plain or gzipped (detected
 * by its magic bytes, whatever the name). Read as a stream: memory stays flat.
 */
export async function isGzip(file: string): Promise<boolean> {
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
  let at: Record<string, number> = DEFAULT_INDEX;
  let n = 0;
  for await (const text of lines) {
    n += 1;
    const parts = splitFlowLine(text);
    if (parts.length === 0 || (parts.length === 1 && parts[0] === '')) continue;
    // A header names its fields; a record starts with a version number.
    if (n === 1 && !/^\d+$/.test(parts[0]!)) {
      at = fieldIndex(parts, file);
      continue;
    }
    yield parseFlowFields(parts, at, file, n);
  }
}

/**
 * Resolver query-log files as AWS delivers them to S3 or Firehose: one JSON object per line, plain or
 * gzipped. A line that is not a query-log record stops the read with its line number and a fix.
 */
export async function* readQueryLogFile(file: string): AsyncGenerator<QueryLogRecord> {
  const raw = createReadStream(file);
  const input = (await isGzip(file)) ? raw.pipe(createGunzip()) : raw;
  let n = 0;
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    n += 1;
    if (!text.trim()) continue;
    const r = parseQueryLogLine(text);
    if (!r) throw new PathproofError('AUDIT_INPUT_INVALID', `${file}:${n}: not a Resolver query-log record (${JSON.stringify(text.slice(0, 80))}): give the JSON lines query logging writes, with query_name, query_type, rcode, srcaddr and query_timestamp`);
    yield r;
  }
}
