import { existsSync, readFileSync } from 'node:fs';
import type { CanaryRecord } from '../../src/model/result.ts';

/**
 * What reached the twin's canaries for a marker: the HTTP sink's JSON-lines record and the public
 * DNS server's query log. DNS queries arrive from the VPC resolver, never from the instance, as in AWS.
 */
export function readTwinCanary(records: Readonly<Record<string, string>>, marker: string): CanaryRecord {
  const sinkFile = records.internet;
  const dnsFile = records['public-dns'];
  if (!sinkFile || !dnsFile || !existsSync(sinkFile) || !existsSync(dnsFile)) {
    return { marker, available: false, hits: [], error: 'the twin has no canary records' };
  }
  const hits: CanaryRecord['hits'][number][] = [];
  for (const line of readFileSync(sinkFile, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const e = JSON.parse(line) as { kind: string; marker?: string | null; path?: string; from: string; t: string };
    if (e.kind === 'sink' && (e.marker === marker || e.path?.includes(marker))) hits.push({ kind: 'http', from: e.from, t: e.t });
  }
  // dnsmasq: "Nov 24 01:02:03 dnsmasq[123]: 7 169.254.254.1/53001 query[A] pp-…-abc123.canary.pathproof.test from 169.254.254.1"
  for (const line of readFileSync(dnsFile, 'utf8').split('\n')) {
    const m = /query\[[A-Z]+\] (\S+) from (\S+)/.exec(line);
    if (m && m[1]!.toLowerCase().startsWith(`${marker}.`)) hits.push({ kind: 'dns', from: m[2]!, t: line.slice(0, 15) });
  }
  return { marker, available: true, hits };
}
