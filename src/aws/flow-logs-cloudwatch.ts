import { CloudWatchLogsClient, GetQueryResultsCommand, paginateFilterLogEvents, StartQueryCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DEFAULT_INDEX, fieldIndex, parseFlowFields, splitFlowLine, type FlowLine } from '../model/flow-log.ts';
import type { FlowEvidence, FlowRecord } from '../model/result.ts';

import { abortableSleep } from './ssm.ts';
import { type FlowLogPort } from '../model/ports.ts';

/**
 * REJECT records from VPC flow logs delivered to CloudWatch Logs, found with a Logs Insights
 * query. Flow logs arrive in batches (aggregation interval plus delivery), so an empty answer is
 * asked again until `waitSeconds` have passed.
 */
export function cloudwatchFlowLogs(client: CloudWatchLogsClient, logGroups: readonly string[], waitSeconds: number): FlowLogPort {
  return {
    async find(q): Promise<FlowEvidence> {
      const deadline = Date.now() + waitSeconds * 1000;
      const query = [
        'fields @timestamp, accountId, interfaceId, srcAddr, dstAddr, srcPort, dstPort, protocol, packets, bytes, start, end, action, logStatus',
        `| filter action = "${q.action}" and srcAddr = "${q.src}" and dstPort = ${q.dstPort}${q.dst ? ` and dstAddr = "${q.dst}"` : ''}`,
        '| limit 20',
      ].join('\n');
      for (;;) {
        const { queryId } = await client.send(new StartQueryCommand({ logGroupNames: [...logGroups], startTime: Math.floor(Date.parse(q.since) / 1000) - 60, endTime: Math.floor(Date.now() / 1000) + 60, queryString: query }));
        let results: { field?: string; value?: string }[][] = [];
        for (;;) {
          const r = await client.send(new GetQueryResultsCommand({ queryId }));
          if (r.status === 'Complete') { results = r.results ?? []; break; }
          if (r.status === 'Failed' || r.status === 'Cancelled' || r.status === 'Timeout') return { available: false, records: [], error: `Logs Insights query ${r.status}` };
          await abortableSleep(1000);
        }
        const records = results.map((row) => Object.fromEntries(row.map((c) => [c.field, c.value]))).map((f): FlowRecord => ({
          version: 2, accountId: f.accountId ?? '', interfaceId: f.interfaceId ?? '', srcAddr: f.srcAddr ?? '', dstAddr: f.dstAddr ?? '',
          srcPort: Number(f.srcPort), dstPort: Number(f.dstPort), protocol: Number(f.protocol), packets: Number(f.packets), bytes: Number(f.bytes),
          start: Number(f.start), end: Number(f.end), action: q.action, logStatus: 'OK',
        }));
        if (records.length > 0 || Date.now() > deadline) return { available: true, records };
        await abortableSleep(15_000);
      }
    },
  };
}

/**
 * Every flow-log record of the log groups since a time, as a stream: FilterLogEvents, page by page
 * (Logs Insights stops at 10,000 rows, which an audit of a day would exceed). CloudWatch delivery
 * writes one record per event in the flow log's format, without a header: the default version 2
 * unless `fields` says otherwise.
 */
export async function* flowLogEvents(client: CloudWatchLogsClient, logGroups: readonly string[], since: Date, fields?: readonly string[]): AsyncGenerator<FlowLine> {
  const at = fields ? fieldIndex(fields, logGroups.join(',')) : DEFAULT_INDEX;
  for (const group of logGroups) {
    let n = 0;
    for await (const page of paginateFilterLogEvents({ client }, { logGroupName: group, startTime: since.getTime() })) {
      for (const e of page.events ?? []) {
        n += 1;
        const parts = splitFlowLine((e.message ?? '').trim());
        if (parts.length < 2) continue;
        yield parseFlowFields(parts, at, `${group}/${e.logStreamName ?? ''}`, n);
      }
    }
  }
}
