import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../load/config.ts';
import type { RunResult } from '../model/result.ts';
import { describeError } from '../model/errors.ts';
import { execute, resolveTargets } from '../run/execute.ts';
import type { SystemUnderTest } from '../run/session.ts';
import type { Session } from '../model/ports.ts';
import type { Inventory } from '../model/inventory.ts';
import { ConfigError } from '../shared/issues.ts';
import { PLACEHOLDER } from '../model/discovery.ts';
import { planRun } from '../plan/plan.ts';
import { DeclaredTargetResolver } from '../plan/declared-targets.ts';
import { execa } from 'execa';
import type { Report } from '../model/report.ts';
import { buildReport } from '../report/build.ts';
import { suitesFloor } from '../report/floor.ts';
import type { Coverage } from '../model/report.ts';
import type { Signer } from '../model/signing.ts';
import { writeBundle, type BundleOutcome } from '../report/bundle.ts';
import { coverage, formatCoverage } from '../report/coverage.ts';
import { formatPreflight } from '../model/ports.ts';
import { describeEntry, describeFault, pendingEntries } from '../shared/journal.ts';
import type { SigningOption } from './signing-setup.ts';
import { handleInterrupts, type Interrupts } from './interrupt.ts';
import { progressPrinter } from './progress.ts';
import { present } from '../report/present.ts';
import { runTasks, type Task, type TaskRun } from '../run/task-runner.ts';
import { isProbeCheck, type Check, type Config } from '../model/check.ts';
import { newRunId } from '../model/run-id.ts';
import { gateExitCode } from '../report/gate.ts';
import { loadBaseline } from '../load/baseline.ts';
import { renderPlan } from '../plan/render-plan.ts';
import { selectChecks } from '../load/select.ts';

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
  /** Extra console output: `github` adds workflow commands (annotations on the suite lines). */
  readonly reporters?: readonly 'github'[];
}

const err = (line: string) => process.stderr.write(`${line}\n`);

/** What the tasks of one run share; each task fills in what it produces. */
interface RunContext {
  readonly opts: RunOptions;
  readonly runId: string;
  config: Config;
  checks: Check[];
  cov: Coverage;
  signer?: Signer;
  interrupts: Interrupts;
  sut: SystemUnderTest;
  session?: Session;
  result: RunResult;
  callers: Record<string, string>;
  timing: { start: number; suitesMs: number; runMs: number };
  report?: Report;
  bundle?: BundleOutcome;
  /** The vitest view, started as soon as the verdicts exist (it overlaps the teardown and the reports). */
  vitestView?: Promise<void>;
}

/**
 * vitest stays the engine underneath (one test per check × target; the console summary is what a
 * person reads), in a process of its own: it would double this process's peak memory. Started as
 * soon as the verdicts exist, so that it runs while the twin is torn down and the reports written.
 */
async function vitestView(ctx: RunContext): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pp-present-'));
  try {
    const file = path.join(dir, 'verdicts.json');
    writeFileSync(file, JSON.stringify({ runId: ctx.runId, env: ctx.config.env.name, verdicts: ctx.result.verdicts }), { mode: 0o600 });
    // Bare node: the presenter is plain JavaScript (see its header for why).
    const shown = await execa(process.execPath, [fileURLToPath(new URL('./vitest-present.mjs', import.meta.url)), file, ctx.opts.root], { stdio: 'inherit', reject: false, cwd: ctx.opts.root });
    if (shown.exitCode !== 0 && !ctx.interrupts.signal.aborted) err(`pathproof: the vitest view of the verdicts exited ${shown.exitCode} (the verdicts, reports and exit code do not depend on it)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `npm test`: the tasks of a run, in the order the README's diagram draws them. Teardowns (the
 * signer's client, the interrupt handlers, the session and its twin) always run, newest first.
 */
const RUN_TASKS: readonly Task<RunContext>[] = [
  {
    title: 'sign',
    // A bad signing key stops the run here, before anything is started or sent.
    async setup(ctx) {
      // The AWS SDK (KMS) and the session's adapters load only in a run that sends: a dry run, a
      // bad configuration and --help start in a fraction of the time.
      const { resolveSigner } = await import('./signing-setup.ts');
      const signing = await resolveSigner(ctx.opts.signing, ctx.config.env);
      if (signing.signer) ctx.signer = signing.signer;
      return () => signing.dispose();
    },
  },
  {
    title: 'journal',
    // A change a crashed disruptive run left behind makes every verdict describe a network nobody intended.
    setup(ctx) {
      const env = ctx.config.env;
      const unrestored = env.kind === 'twin' ? [] : pendingEntries(ctx.opts.root, env.name);
      if (unrestored.length === 0) return;
      err(`pathproof: a disruptive run did not restore ${unrestored.map((e) => describeEntry(e.entry)).join('; ')} in env ${env.name}: run \`npm run pathproof -- restore --env=${env.name}\` first`);
      return ctx.opts.allowDisruptive ? { stop: 2 } : undefined;
    },
  },
  {
    title: 'interrupts',
    async setup(ctx) {
      ctx.interrupts = handleInterrupts(err);
      // The first line of every run says exactly what is under test.
      const { whatIsTested } = await import('../run/session.ts');
      ctx.sut = await whatIsTested(ctx.config, ctx.runId);
      err(`pathproof: run ${ctx.runId}, env ${ctx.config.env.name}: testing ${ctx.sut.describe}`);
      ctx.timing.start = Date.now();
      return () => ctx.interrupts[Symbol.dispose]();
    },
  },
  {
    title: 'session, preflight, probe, judge',
    async setup(ctx) {
      // Its own task list: the session (and the twin) is torn down before the reports are written.
      const inner = await runTasks(EXECUTION_TASKS, ctx).catch((e: unknown) => {
        // Ctrl-C while the twin is being built also reaches the tools it runs (openssl, ip): whatever
        // then fails, an interrupted run still ends as one — torn down, a partial report, exit 130/143.
        if (!ctx.interrupts.signal.aborted) throw e;
        err(`pathproof: the interrupt stopped the start (${describeError(e)})`);
        ctx.result = notRunResult(ctx.runId, ctx.config, ctx.checks);
        return { teardownErrors: [] } as TaskRun;
      });
      if (inner.teardownErrors.length) err(`pathproof: teardown problems:\n${inner.teardownErrors.map((e) => `  ${e}`).join('\n')}`);
      ctx.timing.runMs = Date.now() - ctx.timing.start;
      return inner.stoppedWith !== undefined ? { stop: inner.stoppedWith } : undefined;
    },
  },
  {
    title: 'report',
    // Reports are written whatever happened: partial and marked so when the run was cut short.
    async setup(ctx) {
      const dir = path.join(ctx.opts.out, ctx.runId);
      err(`pathproof: writing the evidence bundle to ${path.relative(process.cwd(), dir)}/`);
      ctx.report = buildReport(ctx.config, ctx.result, { partial: ctx.interrupts.signal.aborted, callers: ctx.callers, coverage: ctx.cov, ...(await suitesCommit(ctx.opts.root)) });
      ctx.bundle = await writeBundle(dir, ctx.report, ctx.result, { root: ctx.opts.root, ...(ctx.signer ? { signer: ctx.signer } : {}), extra: { 'coverage.json': `${JSON.stringify(ctx.cov, null, 2)}\n` } });
      for (const e of ctx.bundle.reporterErrors) err(`pathproof: reporter ${e.reporter} failed (the others were written): ${e.error.split('\n')[0]}`);
      // Said before vitest starts: an interrupt while vitest runs ends the process from vitest's own handler.
      err(`pathproof: evidence in ${path.relative(process.cwd(), dir)}/ (report.html, junit.xml, pathproof.sarif, pathproof-complete.sarif, findings.ocsf.json, securityhub.asff.json, signed manifest.json)`);
      err(`pathproof: evidence signed by ${ctx.bundle.fingerprint} (${ctx.signer?.source ?? 'a key generated for this run: it proves only that nothing changed after signing'})`);
    },
  },
  {
    title: 'present',
    // One vitest test per check × target, named with its policies, for people and CI viewers.
    async setup(ctx) {
      if (ctx.vitestView) await ctx.vitestView;
      else if (!ctx.interrupts.signal.aborted) await vitestView(ctx);
      const shown = present(ctx.report!, { dir: path.relative(process.cwd(), path.join(ctx.opts.out, ctx.runId)), root: ctx.opts.root, github: ctx.opts.reporters?.includes('github') ?? false });
      process.stderr.write(shown.stderr);
      process.stdout.write(shown.stdout);
      const counts = countBy(ctx.result.verdicts.map((v) => v.status));
      err(`pathproof: ${ctx.result.verdicts.length} verdicts (suites ${(ctx.timing.suitesMs / 1000).toFixed(1)} s, whole run ${(ctx.timing.runMs / 1000).toFixed(1)} s): ${Object.entries(counts).map(([k, n]) => `${n} ${k}`).join(', ') || 'none'}${ctx.report!.partial ? ' (PARTIAL)' : ''}`);
      const floor = suitesFloor(ctx.result, ctx.timing.suitesMs);
      if (floor) err(`pathproof: suites ${(ctx.timing.suitesMs / 1000).toFixed(1)} s against a floor of ${(floor.floorMs / 1000).toFixed(1)} s (the slowest probe ${(floor.slowestProbeMs / 1000).toFixed(1)} s + one command round trip ${(floor.roundTripMs / 1000).toFixed(1)} s): ${floor.ratio.toFixed(2)}×`);
      err(formatCoverage(ctx.cov));
      const { skipped, interrupted } = ctx.result;
      if (skipped.length > 0) err(`pathproof: not run (disruptive; ${ctx.opts.allowDisruptive ? 'a twin kept up with `lab up` cannot rebuild itself: run without it' : 'add --allow-disruptive'}): ${skipped.join(', ')}`);
      if (interrupted.length > 0) err(`pathproof: not run (interrupted): ${interrupted.length} checks${interrupted.length > 12 ? `, e.g. ${interrupted.slice(0, 12).join(', ')}, …` : `: ${interrupted.join(', ')}`} (all listed in run.json)`);
    },
  },
];

/** Inside the run: the session (torn down when these end), preflight against real accounts, and the probes. */
const EXECUTION_TASKS: readonly Task<RunContext>[] = [
  {
    title: 'session',
    async setup(ctx) {
      // Addresses the environment leaves to discovery are read from what the session talks to, and
      // the configuration is loaded again with them: validated as strictly as written values.
      const complete = (inventory: Inventory) => loadConfig({ root: ctx.opts.root, env: ctx.opts.env, marker: ctx.runId, inventory });
      let session: Session;
      try {
        const { openSession } = await import('../run/session.ts');
        session = await openSession(ctx.config, ctx.runId, err, ctx.sut, complete);
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        err(`pathproof: the environment's addresses could not be discovered; ${e.message}`);
        return { stop: 2 };
      }
      ctx.session = session;
      if (session.config && session.config !== ctx.config) {
        ctx.config = session.config;
        ctx.checks = selectChecks(ctx.config, ctx.opts);
        err(describeDiscovered(ctx.config.env));
      }
      err(`pathproof: run ${ctx.runId}, env ${ctx.config.env.name} (${session.describe}), ${ctx.checks.length} checks`);
      return () => session[Symbol.asyncDispose]();
    },
  },
  {
    title: 'preflight',
    // Real accounts: fail fast, with what to do, before anything is sent.
    async setup(ctx) {
      if (!ctx.session!.preflight) return;
      const items = await ctx.session!.preflight();
      if (items.every((i) => i.ok)) return;
      err(`pathproof: preflight failed; nothing was sent:\n${formatPreflight(items)}`);
      return { stop: 2 };
    },
  },
  {
    title: 'probe and judge',
    async setup(ctx) {
      const session = ctx.session!;
      const t1 = Date.now();
      const progress = progressPrinter();
      ctx.result = await execute(ctx.config, ctx.checks, {
        onProgress: (e) => progress.onProgress(e),
        runId: ctx.runId, resolver: session.resolver, port: session.port, inventory: session.inventory, signal: ctx.interrupts.signal,
        ...(session.flowLogs ? { flowLogs: session.flowLogs } : {}),
        ...(session.queryLogs ? { queryLogs: session.queryLogs } : {}),
        ...(ctx.opts.allowDisruptive && session.disruption ? { disruption: session.disruption } : {}),
        ...(session.canary ? { canary: session.canary } : {}), ...loadBaseline(ctx.opts.root, ctx.config.env.name),
      });
      progress.done();
      ctx.timing.suitesMs = Date.now() - t1;
      if (!ctx.interrupts.signal.aborted) ctx.vitestView = vitestView(ctx).catch((e: unknown) => { err(`pathproof: the vitest view could not start (${describeError(e)})`); });
      Object.assign(ctx.callers, await session.callers());
    },
  },
];

export async function runCommand(opts: RunOptions): Promise<number> {
  const runId = newRunId();
  // Load and select: nothing runs from a configuration that failed validation.
  const config = loadConfig({ root: opts.root, env: opts.env, marker: runId });
  const checks = selectChecks(config, opts);
  if (checks.length === 0) {
    err(`pathproof: no check matches the selection (suites: ${opts.suites.join(',') || 'all'}, policies: ${opts.policies.join(',') || 'all'}, filter: ${opts.filter ?? 'none'})`);
    return 2;
  }
  const cov = coverage(config.catalog, Object.keys(config.env.zones), checks);
  if (opts.dryRun) return dryRun(opts, config, checks, runId, cov);
  const ctx = { opts, runId, config, checks, cov, callers: {}, timing: { start: Date.now(), suitesMs: 0, runMs: 0 }, result: notRunResult(runId, config, checks) } as RunContext;
  const run = await runTasks(RUN_TASKS, ctx);
  if (run.stoppedWith !== undefined) return run.stoppedWith;
  // The gate. An interrupt during report writing still lets the (complete) reports finish, then says it was interrupted.
  return ctx.interrupts.exitCode() ?? gateExitCode(ctx.report!, opts.failOn, { interrupted: false, reporterFailed: ctx.bundle!.reporterErrors.length > 0 });
}

/** --dry-run: the plan and every exact command; sends nothing and needs no credentials. */
async function dryRun(opts: RunOptions, config: Config, checks: readonly Check[], runId: string, cov: Coverage): Promise<number> {
  const { targets } = await resolveTargets(config, checks, new DeclaredTargetResolver(config.env));
  // Disruptive checks run in rounds of their own, after the change: the plan shows the rest, and names them.
  process.stdout.write(renderPlan(planRun(config, checks.filter((c) => !isProbeCheck(c) || !c.disruptive), targets, runId), config));
  for (const c of checks.filter(isProbeCheck).filter((k) => k.disruptive)) {
    process.stdout.write(`disruptive, ${opts.allowDisruptive ? 'would run' : 'not run without --allow-disruptive'}: ${c.id}: journal and ${describeFault(c, config)}; run ${c.probe} ${Object.entries(c.params).map(([k, v]) => `${k}=${v}`).join(' ')} from zone ${c.from} in its own SendCommand; restore and verify\n`);
  }
  process.stdout.write(`${formatCoverage(cov)}\n`);
  const gaps = config.env.discovery?.gaps ?? [];
  if (gaps.length > 0) process.stdout.write(`discovered at run time, shown above as ${PLACEHOLDER.host} and ${PLACEHOLDER.cidr}: ${gaps.join(', ')} (from the tags pathproof:zone and pathproof:service and the endpoints' subnets)\n`);
  return 0;
}

/** One line: how many addresses were discovered, from what (each one is in the evidence's run.json). */
function describeDiscovered(env: Config['env']): string {
  const found = env.discovery?.found ?? [];
  const kinds = [['zones', 'zone ranges'], ['services', 'service hosts'], ['bedrock', 'endpoint ranges']].map(([k, words]) => [found.filter((f) => f.path[0] === k).length, words] as const).filter(([n]) => n > 0);
  return `pathproof: discovered ${kinds.map(([n, w]) => `${w}: ${n}`).join(', ')}, from tags and the endpoints' subnets (${found.map((f) => `${f.path.join('.')}=${[f.value].flat().join(',')}`).join(' ')})`;
}

/** A run that never got to probe: every check is listed as not run. */
function notRunResult(runId: string, config: Config, checks: readonly Check[]): RunResult {
  const now = new Date().toISOString();
  return { runId, env: config.env.name, startedAt: now, finishedAt: now, plan: { runId, env: config.env.name, checks, batches: [], commands: [], untargeted: [] }, observations: [], verdicts: [], interrupted: checks.map((c) => c.id), skipped: [], couldNotLook: [] };
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

