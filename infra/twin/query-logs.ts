import { existsSync, readFileSync } from 'node:fs';
import { parseQueryLogLine, type QueryLogRecord } from '../../src/model/dns-firewall.ts';
import type { QueryLogPort } from '../../src/model/ports.ts';

/**
 * The twin's Resolver query logs: each VPC's Amazon DNS (servers/resolver.ts) writes the query-log
 * JSON format into its service record, for the VPCs query logging covers, as AWS delivers it.
 */
export function twinQueryLogs(records: () => Readonly<Record<string, string>>): QueryLogPort {
  return {
    async find(q) {
      const name = `${q.name.toLowerCase().replace(/\.$/, '')}.`;
      const since = Date.parse(q.since) - 1000;
      return { available: true, records: readTwinQueryLogs(records()).filter((r) => r.query_name.toLowerCase() === name && r.srcaddr === q.src && Date.parse(r.query_timestamp) >= since) };
    },
  };
}

/** Every query-log line the twin's resolvers wrote (service records named vpc-*). */
export function readTwinQueryLogs(records: Readonly<Record<string, string>>): QueryLogRecord[] {
  const out: QueryLogRecord[] = [];
  for (const [name, file] of Object.entries(records)) {
    if (!name.startsWith('vpc-') || !existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.includes('"dns-query"')) continue;
      const r = parseQueryLogLine(line);
      if (r) out.push(r);
    }
  }
  return out;
}
