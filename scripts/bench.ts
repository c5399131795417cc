/**
 * Benchmarks: prints figures, asserts nothing (speed and memory targets live here, not in timed tests).
 *
 *   npm run bench                 the harness alone at fleet scale: load, plan, parse + judge, report
 *   npm run bench -- --twin [N]   also N cold runs of every suite on the local twin (root; default 3)
 *   npm run bench -- --compare [S] pathproof vs one SendCommand per check (terratest's way) on a twin
 *                                 with realistic SSM latency; the sequential side measured on S checks (root)
 *   npm run bench -- --hosts N    the same at N probe hosts per zone only (140: about 40,000 verdicts)
 *   npm run bench -- --audit      the flow-log audit on 100,000 and 1,000,000 generated records:
 *                                 records per second and peak memory (each size in a process of its own)
 *
 * The fleet benchmark runs the real pipeline (execute → plan → batch scripts → parse → judge →
 * every reporter → signed bundle) against env prod with a command port that answers instantly, so
 * the figures are pathproof's own cost, not the network's.
 */
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { execa } from 'execa';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { exitAfterFlush } from '../src/cli/exit.ts';
import { loadConfig } from '../src/load/config.ts';
import type { Invocation } from '../src/model/result.ts';

import { buildReport } from '../src/report/build.ts';
import { writeBundle } from '../src/report/bundle.ts';
import { coverage } from '../src/report/coverage.ts';
import { execute } from '../src/run/execute.ts';
import { PAYLOAD_BUDGET } from '../src/plan/plan.ts';
import { type Target } from '../src/model/plan.ts';
import { type CommandPort, type TargetResolver } from '../src/model/ports.ts';
import { isProbeCheck } from '../src/model/check.ts';
import { batchStdout, simulateSsm } from './bench-ssm.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MB = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
const row = (what: string, value: string) => process.stdout.write(`${what.padEnd(58)} ${value}\n`);

/** Peak RSS while fn runs, sampled every 5 ms. */
async function measure<T>(fn: () => Promise<T> | T): Promise<{ value: T; ms: number; peakRss: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); }, 5);
  const t0 = performance.now();
  try {
    const value = await fn();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { value, ms: performance.now() - t0, peakRss: peak };
  } finally {
    clearInterval(timer);
  }
}

/** Every probe "times out" and the batch ends properly: the judge does its full work for each check × target. */
const instantPort: CommandPort = {
  async run(_account, _region, req) {
    const { batch, stdout } = batchStdout(req.script);
    const at = new Date().toISOString();
    return req.instanceIds.map((instanceId): Invocation => ({ instanceId, commandId: `bench-${batch}`, status: 'Success', statusDetails: 'Success', responseCode: 0, stdout, stderr: '', requestedAt: at, finishedAt: at, durationMs: 1 }));
  },
};

async function fleet(perZone: number): Promise<void> {
  const load = await measure(() => loadConfig({ root: ROOT, env: 'prod', marker: 'pp-bench' }));
  const config = load.value;
  const checks = config.checks.filter((c) => !isProbeCheck(c) || !c.disruptive);
  const resolver: TargetResolver = {
    async resolve(zone) {
      const z = config.env.zones[zone]!;
      const acct = config.env.accounts[z.account]!;
      return Array.from({ length: perZone }, (_, k): Target => ({ instanceId: `i-${zone.slice(0, 4)}${String(k).padStart(13, '0')}`, zone, account: z.account, accountId: acct.id, region: acct.region, vpc: z.vpc, privateIp: `10.9.${k >> 8}.${k & 255}` }));
    },
  };
  const run = await measure(() => execute(config, checks, { runId: 'pp-bench', resolver, port: instantPort, today: '2026-11-24' }));
  const result = run.value;
  const scripts = result.plan.batches.map((b) => Buffer.byteLength(b.script));
  const gz = result.plan.batches.map((b) => gzipSync(b.script).length);
  const dir = mkdtempSync(path.join(tmpdir(), 'pp-bench-'));
  try {
    const report = await measure(() => {
      const r = buildReport(config, result, { partial: false, callers: {}, coverage: coverage(config.catalog, Object.keys(config.env.zones), checks) });
      return writeBundle(dir, r, result, { root: ROOT });
    });
    if (report.value.reporterErrors.length) throw new Error(`bench: reporters failed: ${report.value.reporterErrors.map((e) => e.reporter).join(', ')}`);
    const sarifGz = gzipSync(readFileSync(path.join(dir, 'pathproof-complete.sarif'))).length;
    process.stdout.write(`\n== harness at fleet scale: env prod, ${perZone} probe hosts per zone, ${checks.length} checks\n`);
    row('load + validate config (catalog, env, probes, suites)', `${load.ms.toFixed(0)} ms`);
    row(`plan + ${result.plan.commands.length} SendCommand + parse + judge ${result.verdicts.length} verdicts`, `${run.ms.toFixed(0)} ms (${((run.ms * 1000) / result.verdicts.length).toFixed(0)} µs per verdict)`);
    row('largest SendCommand payload (the commands parameter)', `${Math.max(...scripts)} bytes (${Math.max(...gz)} gzipped; budget ${PAYLOAD_BUDGET}, SSM's ceiling 65536)`);
    const written = report.value.files.reduce((n, f) => n + statSync(path.join(dir, f)).size, 0);
    row('report + JUnit + 2 SARIF + HTML + signed bundle', `${report.ms.toFixed(0)} ms (${report.value.files.length} files, ${MB(written)} written)`);
    // Where the bytes go: each format holds every verdict; evidence/ holds each invocation's output once.
    const by = new Map<string, number>();
    for (const f of report.value.files) { const k = f.split('/')[0]!; by.set(k, (by.get(k) ?? 0) + statSync(path.join(dir, f)).size); }
    row('  by file', [...by].sort((a, b) => b[1] - a[1]).filter(([, n]) => n >= 100 * 1024).map(([k, n]) => `${k} ${MB(n)}`).join(', '));
    row('complete SARIF, gzipped (GitHub limit 10 MB)', MB(sarifGz));
    row('peak RSS of this process', MB(Math.max(load.peakRss, run.peakRss, report.peakRss)));
    if (perZone === 200) {
      // The same run through the real SSM transport, on a simulated SSM and clock (scripts/bench-ssm.ts).
      const rate = config.env.timeouts.ssmCallsPerSecond;
      const accounts = new Set(Object.values(config.env.zones).map((z) => z.account)).size;
      const ssm = await simulateSsm(config, checks, resolver, rate);
      const total = Object.values(ssm.calls).reduce((a, b) => a + b, 0);
      row(`SSM API calls, ${ssm.commands} commands to ${perZone} hosts per zone`, `${total} (${Object.entries(ssm.calls).map(([k, n]) => `${n} ${k}`).join(', ')})`);
      row(`peak SSM calls in one second (paced at ${rate}/s per account and region, ${accounts} accounts)`, `${ssm.peakPerSecond}`);
      row('run time on the simulated clock (6.5 s per command)', `${ssm.seconds.toFixed(0)} s for ${ssm.verdicts} verdicts`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function twin(runs: number): Promise<void> {
  const { startLab } = await import('../infra/twin/lab.ts');
  const { runOnLab } = await import('./twin-run.ts');
  const cold: number[] = [];
  const up: number[] = [];
  const suites: number[] = [];
  let verdicts = 0;
  for (let i = 0; i < runs; i++) {
    const runId = `pp-bench-${i}-${Math.random().toString(16).slice(2, 6)}`;
    const t0 = performance.now();
    {
      await using lab = await startLab({ root: ROOT, runId, log: () => {} });
      up.push(performance.now() - t0);
      const t1 = performance.now();
      const r = await runOnLab(ROOT, lab, runId);
      suites.push(performance.now() - t1);
      verdicts = r.verdicts.length;
    }
    cold.push(performance.now() - t0);
  }
  const span = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return `${(s[0]! / 1000).toFixed(1)}–${(s.at(-1)! / 1000).toFixed(1)} s (median ${(s[Math.floor(s.length / 2)]! / 1000).toFixed(1)} s)`; };
  process.stdout.write(`\n== local twin, ${runs} cold runs of every suite (${verdicts} verdicts)\n`);
  row('twin up (emulator, seed, namespaces, services)', span(up));
  row('suites', span(suites));
  row('cold run, emulator start to teardown', span(cold));
}

/** N flow-log records, version 2 with a header: allowed requests and their replies, violations, REJECTs, NODATA. */
async function writeFlowLog(file: string, n: number): Promise<void> {
  const out = createWriteStream(file);
  const write = (s: string) => (out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r())));
  await write('version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n');
  const t = 1764000000;
  const kinds = [
    (i: number) => `2 123456789012 eni-a 10.0.1.${10 + (i % 50)} 10.0.2.20 ${1024 + (i % 60000)} 443 6 10 800 ${t + i} ${t + i + 60} ACCEPT OK`,
    (i: number) => `2 123456789012 eni-p 10.0.2.20 10.0.1.${10 + (i % 50)} 443 ${1024 + (i % 60000)} 6 10 900 ${t + i} ${t + i + 60} ACCEPT OK`,
    (i: number) => `2 123456789012 eni-p 10.0.2.20 10.1.1.13 ${1024 + (i % 60000)} 443 6 10 900 ${t + i} ${t + i + 60} ACCEPT OK`,
    (i: number) => `2 123456789012 eni-d 10.0.3.20 198.51.100.${i % 200} ${1024 + (i % 60000)} 80 6 1 60 ${t + i} ${t + i + 60} REJECT OK`,
    (i: number) => `2 123456789012 eni-a 10.0.1.${10 + (i % 50)} 10.0.3.20 ${1024 + (i % 60000)} 6333 6 3 180 ${t + i} ${t + i + 60} ACCEPT OK`,
    (_: number) => `2 123456789012 eni-x - - - - - - - ${t} ${t + 60} - NODATA`,
  ];
  let chunk: string[] = [];
  for (let i = 0; i < n; i++) {
    chunk.push(kinds[i % kinds.length]!(i));
    if (chunk.length === 10_000) { await write(`${chunk.join('\n')}\n`); chunk = []; }
  }
  if (chunk.length) await write(`${chunk.join('\n')}\n`);
  await new Promise<void>((r) => out.end(r));
}

/** Reads and judges one file in this process; prints records, seconds and peak RSS as JSON. */
async function auditOnce(file: string): Promise<void> {
  const { readFlowLogFile } = await import('../src/load/flow-log-file.ts');
  const { FlowAuditor } = await import('../src/verdict/flow-audit.ts');
  const config = loadConfig({ root: ROOT, env: 'prod', marker: 'pp-bench' });
  const auditor = new FlowAuditor(config.catalog, { zones: Object.entries(config.env.zones).map(([name, z]) => ({ name, cidr: z.cidr })), endpoints: config.env.bedrock.endpointCidrs, largeTransferBytes: 100 * 1024 * 1024 });
  const t0 = process.hrtime.bigint();
  let n = 0;
  for await (const r of readFlowLogFile(file)) { auditor.add(r); n += 1; }
  const summary = auditor.finish();
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(`${JSON.stringify({ lines: n, records: summary.records, findings: summary.findings.length, seconds: s, maxRssKb: process.resourceUsage().maxRSS })}\n`);
}

async function audit(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pp-bench-audit-'));
  try {
    for (const n of [100_000, 1_000_000]) {
      const file = path.join(dir, `flow-${n}.log`);
      await writeFlowLog(file, n);
      const { stdout } = await execa(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--audit-once', file], { cwd: ROOT });
      const r = JSON.parse(stdout.trim().split('\n').at(-1)!) as { lines: number; records: number; findings: number; seconds: number; maxRssKb: number };
      row(`audit ${n.toLocaleString('en')} records (${MB(statSync(file).size)} file)`, `${r.seconds.toFixed(2)} s, ${Math.round(r.lines / r.seconds).toLocaleString('en')} records/s, peak RSS ${MB(r.maxRssKb * 1024)}, ${r.findings} finding group(s)`);
      rmSync(file);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const args = process.argv.slice(2);
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
if (args[0] === '--audit-once') {
  await auditOnce(args[1]!);
} else if (args[0] === '--audit') {
  await audit();
} else if (args[0] === '--compare') {
  const { compare } = await import('./bench-compare.ts');
  await compare(ROOT, Number(args[1] ?? 20), row);
} else if (args[0] === '--hosts') {
  await fleet(Number(args[1] ?? 140));
} else {
  for (const n of [1, 50, 200]) await fleet(n);
  if (args[0] === '--twin') await twin(Number(args[1] ?? 3));
}
exitAfterFlush(0);
