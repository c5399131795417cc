import path from 'node:path';
import { readFlowLogFile, readQueryLogFile } from '../load/flow-log-file.ts';
import { loadConfig } from '../load/config.ts';
import { describeError, PathproofError } from '../model/errors.ts';
import type { FlowLine } from '../model/flow-log.ts';
import { needsDiscovery } from '../model/discovery.ts';
import type { RunResult, Verdict } from '../model/result.ts';
import type { Config } from '../model/check.ts';
import type { QueryLogRecord } from '../model/dns-firewall.ts';
import { approvedNames, DnsAuditor, dnsAuditVerdicts } from '../verdict/dns-audit.ts';
import { newRunId } from '../model/run-id.ts';
import { buildReport } from '../report/build.ts';
import { writeBundle } from '../report/bundle.ts';
import { coverage } from '../report/coverage.ts';
import { present } from '../report/present.ts';
import { auditVerdicts, FlowAuditor } from '../verdict/flow-audit.ts';

const err = (line: string) => process.stderr.write(`${line}\n`);

/** "24h", "90m", "7d" → seconds. */
export function parseSince(text: string): number {
  const m = /^(\d{1,6})([smhd])$/.exec(text);
  if (!m) throw new PathproofError('USAGE', `--since takes a number and a unit (s, m, h, d), e.g. 24h; got "${text}"`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as 's' | 'm' | 'h' | 'd'];
}

/** The session module (and with it the AWS SDK) loads only when the audit reads from AWS or a lab, never for files alone. */
const session = () => import('../run/session.ts');

/**
 * `pathproof audit --env NAME [--flow-logs FILE…] [--since 24h] [--out DIR]`: judges VPC flow-log
 * records against the catalog and writes the same report set as a run. Files need no AWS access;
 * without files, the environment's CloudWatch log groups (or the running lab's records) are read.
 * Exit 1 when there are violations, 2 when the input cannot be read.
 */
export async function auditCommand(root: string, opts: { env: string; files: readonly string[]; queryLogFiles?: readonly string[]; since?: string; out: string }): Promise<number> {
  const runId = newRunId();
  const written = loadConfig({ root, env: opts.env, marker: runId });
  // Zone and endpoint ranges the environment leaves to discovery are read before any record is judged.
  const config = needsDiscovery(written.env) ? loadConfig({ root, env: opts.env, marker: runId, inventory: await (await session()).discoveryInventory(written) }) : written;
  const env = config.env;
  const queryFiles = opts.queryLogFiles ?? [];
  // Files are judged whole unless --since says otherwise; CloudWatch is read for the last 24 h by default.
  const anyFiles = opts.files.length + queryFiles.length > 0;
  const sinceSeconds = opts.since ? parseSince(opts.since) : anyFiles ? undefined : 86400;
  const notBefore = sinceSeconds !== undefined ? Math.floor(Date.now() / 1000) - sinceSeconds : -Infinity;
  const startedAt = new Date().toISOString();
  const verdicts: Verdict[] = [];
  const said: string[] = [];
  // Flow logs: the files given, or (no file of either kind) the environment's source.
  if (opts.files.length || !anyFiles) {
    const flows = await auditFlows(config, opts.files, notBefore, opts.since);
    verdicts.push(...flows.verdicts);
    said.push(flows.said);
  }
  // Query logs: the files given, or the environment's source when it has one.
  if (queryFiles.length || !anyFiles) {
    const queries = await auditQueries(config, queryFiles, notBefore, !queryFiles.length && !anyFiles);
    if (queries) { verdicts.push(...queries.verdicts); said.push(queries.said); }
  }
  const result: RunResult = {
    runId, env: env.name, startedAt, finishedAt: new Date().toISOString(),
    plan: { runId, env: env.name, checks: [], batches: [], commands: [], untargeted: [] },
    observations: [], verdicts, interrupted: [], skipped: [], couldNotLook: [],
  };
  const cov = coverage(config.catalog, Object.keys(env.zones), []);
  const report = buildReport(config, result, { partial: false, callers: {}, coverage: cov });
  const dir = path.join(opts.out, runId);
  const bundle = await writeBundle(dir, report, result, { root });
  for (const e of bundle.reporterErrors) err(`pathproof audit: reporter ${e.reporter} failed: ${e.error.split('\n')[0]}`);
  process.stderr.write(present(report, { dir: path.relative(process.cwd(), dir), root, github: false }).stderr);
  const failed = verdicts.filter((v) => v.status === 'FAIL').length;
  err(`pathproof audit: ${said.join('; ')}: ${failed} violation group(s), ${verdicts.length} verdict(s); evidence signed by ${bundle.fingerprint}`);
  return verdicts.some((v) => v.status === 'ERROR') ? 2 : failed > 0 ? 1 : 0;
}

/** VPC flow logs judged by the catalog. */
async function auditFlows(config: Config, files: readonly string[], notBefore: number, since?: string): Promise<{ verdicts: Verdict[]; said: string }> {
  const env = config.env;
  const largeTransferBytes = env.audit.largeTransferMB * 1024 * 1024;
  // Approved endpoints before zones: the Sydney zone's CIDR holds the endpoints' ENIs.
  const auditor = new FlowAuditor(config.catalog, {
    zones: Object.entries(env.zones).map(([name, z]) => ({ name, cidr: z.cidr })),
    endpoints: env.bedrock.endpointCidrs,
    largeTransferBytes,
  });
  let old = 0;
  const judge = async (records: AsyncIterable<FlowLine>, where: string) => {
    try {
      for await (const r of records) {
        if (r.start < notBefore) { old += 1; continue; }
        auditor.add(r);
      }
    } catch (e) {
      if (e instanceof PathproofError) throw e;
      throw new PathproofError('AUDIT_INPUT_INVALID', `${where}: ${describeError(e)}`);
    }
  };
  const sources: string[] = [];
  if (files.length) {
    for (const file of files) await judge(readFlowLogFile(file), file);
    sources.push(...files.map((f) => path.relative(process.cwd(), f) || f));
  } else {
    const { flowLogSource } = await session();
    const source = await flowLogSource(config, new Date(notBefore * 1000));
    err(`pathproof audit: reading ${source.describe}`);
    try { await judge(source.records, source.describe); } finally { source.dispose(); }
    sources.push(source.describe);
  }
  const summary = auditor.finish();
  if (old) err(`pathproof audit: ${old} record(s) older than --since ${since} left out`);
  return {
    verdicts: auditVerdicts(summary, { env, sources, largeTransferBytes }),
    said: `${summary.records} flow-log record(s) judged (${summary.accepted} ACCEPT, ${summary.rejected} REJECT, ${summary.replies} replies; ${summary.skipped.NODATA} NODATA and ${summary.skipped.SKIPDATA} SKIPDATA skipped)`,
  };
}

/** Resolver query logs judged for DNS tunnelling; undefined when the environment has no source and none was asked for. */
async function auditQueries(config: Config, files: readonly string[], notBefore: number, optional: boolean): Promise<{ verdicts: Verdict[]; said: string } | undefined> {
  const env = config.env;
  const auditor = new DnsAuditor(Object.entries(env.zones).map(([name, z]) => ({ name, cidr: z.cidr })), approvedNames(env), env.audit.dns);
  const sources: string[] = [];
  const judge = async (records: AsyncIterable<QueryLogRecord>, where: string) => {
    try {
      for await (const r of records) if ((Date.parse(r.query_timestamp) || 0) / 1000 >= notBefore) auditor.add(r);
    } catch (e) {
      if (e instanceof PathproofError) throw e;
      throw new PathproofError('AUDIT_INPUT_INVALID', `${where}: ${describeError(e)}`);
    }
  };
  if (files.length) {
    for (const file of files) await judge(readQueryLogFile(file), file);
    sources.push(...files.map((f) => path.relative(process.cwd(), f) || f));
  } else {
    const { queryLogSource } = await session();
    const source = await queryLogSource(config, new Date(notBefore * 1000)).catch((e: unknown) => { if (optional) return undefined; throw e; });
    if (!source) { err('pathproof audit: no Resolver query logs to read here (monitoring.queryLogGroups, or a running lab): DNS tunnelling not judged'); return undefined; }
    err(`pathproof audit: reading ${source.describe}`);
    try { await judge(source.records, source.describe); } finally { source.dispose(); }
    sources.push(source.describe);
  }
  const summary = auditor.finish();
  return { verdicts: dnsAuditVerdicts(summary, { env, sources }), said: `${summary.records} query-log record(s) judged for DNS tunnelling` };
}
