import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { startVitest } from 'vitest/node';
import { loadConfig } from '../load/config.ts';
import { exitCodeFor, type RunResult } from '../model/result.ts';
import { describeError, PathproofError } from '../model/errors.ts';
import { execute, resolveTargets, testName } from '../run/execute.ts';
import { openSession, whatIsTested } from '../run/session.ts';
import { planRun } from '../plan/plan.ts';
import { DeclaredTargetResolver } from '../plan/declared-targets.ts';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { execa } from 'execa';
import { policyOf, type Report } from '../model/report.ts';
import { buildReport } from '../report/build.ts';
import { writeBundle } from '../report/bundle.ts';
import { coverage, formatCoverage } from '../report/coverage.ts';
import { snapshot } from '../verdict/config-checks/drift.ts';
import { formatPreflight, preflight } from '../run/preflight.ts';
import { describeEntry, describeFault, pendingEntries } from '../shared/journal.ts';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolveSigner, type SigningOption } from './signing-setup.ts';
import { handleInterrupts } from './interrupt.ts';
import { isConfigCheck, type Check, type Config } from '../model/check.ts';
import { type Plan } from '../model/plan.ts';
import { newRunId } from '../model/run-id.ts';

export interface RunOptions {
  readonly root: string;
  readonly env: string;
  readonly dryRun: boolean;
  readonly suites: readonly string[];
  readonly policies: readonly string[];
  /** Regular expression on test names (as vitest's -t). */
  readonly filter?: string;
  readonly out: string;
  /** Run disruptive failover checks (they change infrastructure, journaled and restored). Default false. */
  readonly allowDisruptive: boolean;
  /** Severities whose FAILs make the run exit 1 (default: all). */
  readonly failOn: readonly ('critical' | 'high' | 'medium' | 'low')[];
  /** What signs the evidence manifest; default: a key generated for the run. */
  readonly signing?: SigningOption;
}

const err = (line: string) => process.stderr.write(`${line}\n`);

/** Applies --suite, --policy and -t before anything runs, so filtered-out probes are never sent. */
export function selectChecks(config: Config, opts: Pick<RunOptions, 'suites' | 'policies' | 'filter'>): Check[] {
  const re = opts.filter ? new RegExp(opts.filter) : undefined;
  return config.checks.filter((c) =>
    (opts.suites.length === 0 || opts.suites.includes(c.suite)) &&
    (opts.policies.length === 0 || c.policies.some((p) => opts.policies.includes(p))) &&
    (!re || re.test(testName({ policies: c.policies, checkId: c.id, from: c.from, to: c.to, target: { zone: c.from, instanceId: '' } as never }))));
}

export async function runCommand(opts: RunOptions): Promise<number> {
  const runId = newRunId();
  const config = loadConfig({ root: opts.root, env: opts.env, marker: runId });
  const checks = selectChecks(config, opts);
  if (checks.length === 0) {
    err(`pathproof: no check matches the selection (suites: ${opts.suites.join(',') || 'all'}, policies: ${opts.policies.join(',') || 'all'}, filter: ${opts.filter ?? 'none'})`);
    return 2;
  }
  const cov = coverage(config.catalog, Object.keys(config.env.zones), checks);
  if (opts.dryRun) {
    const { targets } = await resolveTargets(config, checks, new DeclaredTargetResolver(config.env));
    // Disruptive checks run in rounds of their own, after the change: the plan shows the rest, and names them.
    process.stdout.write(renderPlan(planRun(config, checks.filter((c) => !c.disruptive), targets, runId), config));
    for (const c of checks.filter((k) => k.disruptive)) {
      process.stdout.write(`disruptive, ${opts.allowDisruptive ? 'would run' : 'not run without --allow-disruptive'}: ${c.id}: journal and ${describeFault(c, config)}; run ${c.probe} ${Object.entries(c.params).map(([k, v]) => `${k}=${v}`).join(' ')} from zone ${c.from} in its own SendCommand; restore and verify\n`);
    }
    process.stdout.write(`${formatCoverage(cov)}\n`);
    return 0;
  }

  // A bad signing key stops the run here, before anything is started or sent.
  const signing = await resolveSigner(opts.signing, config.env);
  const signer = signing.signer;

  // A change a crashed disruptive run left behind makes every verdict describe a network nobody intended.
  const unrestored = config.env.kind === 'twin' ? [] : pendingEntries(opts.root, config.env.name);
  if (unrestored.length > 0) {
    err(`pathproof: a disruptive run did not restore ${unrestored.map((e) => describeEntry(e.entry)).join('; ')} in env ${config.env.name}: run \`npm run pathproof -- restore --env=${config.env.name}\` first`);
    if (opts.allowDisruptive) return 2;
  }

  using interrupts = handleInterrupts(err);
  // The first line of every run says exactly what is under test.
  const sut = await whatIsTested(config, runId);
  err(`pathproof: run ${runId}, env ${config.env.name}: testing ${sut.describe}`);

  let result: RunResult;
  const t0 = Date.now();
  let suiteMs = 0;
  const callers: Record<string, string> = {};
  try {
    await using session = await openSession(config, runId, err, sut);
    err(`pathproof: run ${runId}, env ${config.env.name} (${session.describe}), ${checks.length} checks`);
    if (config.env.kind === 'aws') {
      // Real accounts: fail fast, with what to do, before anything is sent.
      const items = await preflight(config, session);
      if (items.some((i) => !i.ok)) {
        err(`pathproof: preflight failed; nothing was sent:\n${formatPreflight(items)}`);
        return 2;
      }
    }
    const t1 = Date.now();
    result = await execute(config, checks, {
      runId, resolver: session.resolver, port: session.port, inventory: session.inventory, signal: interrupts.signal,
      ...(session.flowLogs ? { flowLogs: session.flowLogs } : {}),
      ...(opts.allowDisruptive && session.disruption ? { disruption: session.disruption } : {}),
      ...(session.canary ? { canary: session.canary } : {}), ...loadBaseline(opts.root, config.env.name),
    });
    suiteMs = Date.now() - t1;
    Object.assign(callers, await session.callers());
  } catch (e) {
    // Ctrl-C while the twin is being built also reaches the tools it runs (openssl, ip): whatever
    // then fails, an interrupted run still ends as one — torn down, a partial report, exit 130/143.
    if (!interrupts.signal.aborted) throw e;
    err(`pathproof: the interrupt stopped the start (${describeError(e)})`);
    result = notRunResult(runId, config, checks);
  }
  const runMs = Date.now() - t0;
  const interrupted = interrupts.signal.aborted;

  // Reports are written whatever happened: partial and marked so when the run was cut short.
  const dir = path.join(opts.out, runId);
  err(`pathproof: writing the evidence bundle to ${path.relative(process.cwd(), dir)}/`);
  const report = buildReport(config, result, { partial: interrupted, callers, coverage: cov, ...(await suitesCommit(opts.root)) });
  const bundle = await writeBundle(dir, report, result, { root: opts.root, ...(signer ? { signer } : {}), extra: { 'coverage.json': `${JSON.stringify(cov, null, 2)}\n` } });
  for (const e of bundle.reporterErrors) err(`pathproof: reporter ${e.reporter} failed (the others were written): ${e.error.split('\n')[0]}`);
  // Said before vitest starts: an interrupt while vitest runs ends the process from vitest's own handler.
  err(`pathproof: evidence in ${path.relative(process.cwd(), dir)}/ (report.html, junit.xml, pathproof.sarif, pathproof-complete.sarif, signed manifest.json)`);
  err(`pathproof: evidence signed by ${bundle.fingerprint} (${signer?.source ?? 'a key generated for this run: it proves only that nothing changed after signing'})`);

  if (!interrupts.signal.aborted) {
    const vitest = await startVitest('test', [], {
      run: true, watch: false, project: ['conformance'], root: opts.root,
      provide: { pathproof: { runId, env: config.env.name, verdicts: [...result.verdicts] } },
    } as never);
    await vitest.close();
  }

  const counts = countBy(result.verdicts.map((v) => v.status));
  err(`pathproof: ${result.verdicts.length} verdicts (suites ${(suiteMs / 1000).toFixed(1)} s, whole run ${(runMs / 1000).toFixed(1)} s): ${Object.entries(counts).map(([k, n]) => `${n} ${k}`).join(', ') || 'none'}${report.partial ? ' (PARTIAL)' : ''}`);
  signing.dispose();
  err(formatCoverage(cov));
  if (result.skipped.length > 0) {
    err(`pathproof: not run (disruptive; ${opts.allowDisruptive ? 'a twin kept up with `lab up` cannot rebuild itself: run without it' : 'add --allow-disruptive'}): ${result.skipped.join(', ')}`);
  }
  if (result.interrupted.length > 0) err(`pathproof: not run (interrupted): ${result.interrupted.length} checks${result.interrupted.length > 12 ? `, e.g. ${result.interrupted.slice(0, 12).join(', ')}, …` : `: ${result.interrupted.join(', ')}`} (all listed in run.json)`);
  // An interrupt during report writing still lets the (complete) reports finish, then says it was interrupted.
  return interrupts.exitCode() ?? gateExitCode(report, opts.failOn, { interrupted: false, reporterFailed: bundle.reporterErrors.length > 0 });
}

/** A run that never got to probe: every check is listed as not run. */
function notRunResult(runId: string, config: Config, checks: readonly Check[]): RunResult {
  const now = new Date().toISOString();
  return { runId, env: config.env.name, startedAt: now, finishedAt: now, plan: { runId, env: config.env.name, checks, batches: [], commands: [], untargeted: [] }, observations: [], verdicts: [], interrupted: checks.map((c) => c.id), skipped: [], couldNotLook: [] };
}

/** The release gate: --fail-on keeps only FAILs at those severities; ERROR and INCONCLUSIVE always break it. */
export function gateExitCode(report: Report, failOn: readonly string[], extra: { interrupted: boolean; reporterFailed: boolean }): 0 | 1 | 2 | 130 {
  const gated = report.verdicts.filter((v) => v.status !== 'FAIL' || v.policies.some((p) => failOn.includes(policyOf(report, p).severity)));
  return exitCodeFor(gated, { interrupted: extra.interrupted, harnessBroke: extra.reporterFailed });
}

export const baselineFile = (root: string, env: string) => path.join(root, 'fixtures', 'baselines', `${env}.json`);

function loadBaseline(root: string, env: string): { baseline?: unknown } {
  const f = baselineFile(root, env);
  return existsSync(f) ? { baseline: JSON.parse(readFileSync(f, 'utf8')) } : {};
}

/** `pathproof preflight --env NAME`: credentials, probe hosts Online in SSM, endpoints present. */
export async function preflightCommand(root: string, env: string): Promise<number> {
  const runId = newRunId();
  const config = loadConfig({ root, env, marker: runId });
  await using session = await openSession(config, runId, err);
  const items = await preflight(config, session);
  process.stdout.write(`${formatPreflight(items)}\n`);
  return items.every((i) => i.ok) ? 0 : 2;
}

/** `pathproof restore --env NAME`: puts back what a crashed disruptive run left changed (from the journal). */
export async function restoreCommand(root: string, env: string): Promise<number> {
  const runId = newRunId();
  const config = loadConfig({ root, env, marker: runId });
  const entries = pendingEntries(root, env);
  if (entries.length === 0) { process.stdout.write(`nothing to restore: the journal holds no change made in env ${env}\n`); return 0; }
  if (config.env.kind === 'twin') {
    // The emulator and the twin a change was made in end with their run: there is nothing left to put back.
    for (const { entry, file } of entries) {
      rmSync(file, { force: true });
      process.stdout.write(`dropped ${describeEntry(entry)} (run ${entry.runId}): the twin it changed ended with that run\n`);
    }
    return 0;
  }
  await using session = await openSession(config, runId, err);
  if (!session.disruption) throw new PathproofError('USAGE', `env ${env} cannot restore changes (no disruption support)`);
  for (const { entry, file } of entries) {
    await session.disruption.restore({ entry, file });
    process.stdout.write(`restored ${describeEntry(entry)} (${entry.fault}, run ${entry.runId}, check ${entry.checkId})\n`);
  }
  return 0;
}

/** `pathproof baseline --env NAME`: records the network configuration that no-drift compares against. */
export async function baselineCommand(root: string, env: string): Promise<number> {
  const runId = newRunId();
  const config = loadConfig({ root, env, marker: runId });
  await using session = await openSession(config, runId, err);
  const snap = snapshot(await session.inventory(), config.env);
  const f = baselineFile(root, env);
  mkdirSync(path.dirname(f), { recursive: true });
  writeFileSync(f, `${JSON.stringify(snap, null, 2)}\n`);
  process.stdout.write(`baseline written to ${path.relative(process.cwd(), f)}: commit it; the no-drift check compares every run with it\n`);
  return 0;
}

async function suitesCommit(root: string): Promise<{ suitesCommit?: string }> {
  const head = await execa('git', ['rev-parse', 'HEAD'], { cwd: root, reject: false });
  if (head.exitCode !== 0) return {};
  const dirty = await execa('git', ['status', '--porcelain', '--', 'suites', 'fixtures', 'probes'], { cwd: root, reject: false });
  return { suitesCommit: `${head.stdout.trim()}${dirty.stdout.trim() ? ' (with uncommitted changes)' : ''}` };
}

function countBy(xs: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}

/** The dry-run view: every target selection and the exact SendCommand that would be sent. */
export function renderPlan(plan: Plan, config: Config): string {
  const lines = [`pathproof dry run ${plan.runId}, env ${plan.env}: ${plan.checks.length} checks, ${plan.batches.length} batches, ${plan.commands.length} SendCommand calls. Nothing is sent.`, ''];
  for (const b of plan.batches) {
    lines.push(`== batch ${b.id}: zone ${b.zone}, account ${b.account} (${config.env.accounts[b.account]!.id}), region ${b.region}`);
    lines.push(`   targets: ${b.targets.map((t) => t.instanceId).join(', ')}`);
    for (const p of b.probes) lines.push(`   [${p.index}] ${p.key}: ${p.probe} ${Object.entries(p.params).map(([k, v]) => `${k}=${v}`).join(' ')} (timeout ${p.timeoutSeconds} s)`);
    for (const c of plan.commands.filter((c) => c.batch === b.id)) {
      lines.push(`   aws ssm send-command --region ${b.region} --document-name AWS-RunShellScript --instance-ids ${c.instanceIds.join(' ')} --comment ${JSON.stringify(c.comment)} --timeout-seconds ${config.env.timeouts.deliverySeconds} --max-errors 100% --parameters executionTimeout=${b.executionTimeoutSeconds},commands=<script below>`);
    }
    lines.push('   --- script ---', b.script.trimEnd(), '   --- end of script ---', '');
  }
  const configChecks = plan.checks.filter(isConfigCheck);
  if (configChecks.length) lines.push(`config checks (read from the AWS API at run time, no command sent): ${configChecks.map((c) => `${c.id} [${c.assert}]`).join(', ')}`);
  for (const z of plan.untargeted) lines.push(`!! zone ${z} has checks but no targets: they would be ERROR`);
  return `${lines.join('\n')}\n`;
}
