import { type CloudWatchLogsClient, paginateFilterLogEvents } from '@aws-sdk/client-cloudwatch-logs';
import { parseQueryLogLine, type QueryLogEvidence, type QueryLogRecord } from '../model/dns-firewall.ts';
import type { QueryLogPort } from '../model/ports.ts';
import { abortableSleep } from './ssm.ts';

/**
 * Resolver query logs delivered to CloudWatch Logs (JSON events), found with FilterLogEvents and a
 * JSON filter pattern on the query name and source address. Query logs arrive within minutes, so an
 * empty answer is asked again until `waitSeconds` have passed.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
 */
export function cloudwatchQueryLogs(client: CloudWatchLogsClient, logGroups: readonly string[], waitSeconds: number): QueryLogPort {
  return {
    async find(q): Promise<QueryLogEvidence> {
      const deadline = Date.now() + waitSeconds * 1000;
      // The name and address come from validated probe parameters (host and IPv4 patterns): no quote can reach the pattern.
      const name = `${q.name.toLowerCase().replace(/\.$/, '')}.`;
      const filterPattern = `{ ($.query_name = "${name}") && ($.srcaddr = "${q.src}") }`;
      for (;;) {
        const records: QueryLogRecord[] = [];
        for await (const r of queryLogEvents(client, logGroups, new Date(Date.parse(q.since) - 60_000), filterPattern)) records.push(r);
        if (records.length > 0 || Date.now() > deadline) return { available: true, records };
        await abortableSleep(15_000);
      }
    },
  };
}

/** The query-log events of the groups since a time (those a filter pattern matches), page by page. */
export async function* queryLogEvents(client: CloudWatchLogsClient, logGroups: readonly string[], since: Date, filterPattern?: string): AsyncGenerator<QueryLogRecord> {
  for (const group of logGroups) {
    for await (const page of paginateFilterLogEvents({ client }, { logGroupName: group, startTime: since.getTime(), ...(filterPattern ? { filterPattern } : {}) })) {
      for (const e of page.events ?? []) {
        const r = parseQueryLogLine(e.message ?? '');
        if (r) yield r;
      }
    }
  }
}
