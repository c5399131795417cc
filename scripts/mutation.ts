/**
 * Mutation proof: applies each fault scenario to an emptied emulator (one moto, reset between
 * scenarios), rebuilds the twin from the API,
 * runs every suite, and prints the kill table (scenario → failing checks) and the kill rate.
 * `npm run mutation` (root). The twin test project asserts the same table.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FaultApi, SCENARIOS, type FaultScenario } from '../infra/twin/faults.ts';
import { startLab } from '../infra/twin/lab.ts';
import { resetMoto, startMoto, type StartedEmulator } from '../infra/twin/emulator.ts';
import type { AwsEndpoint } from '../infra/twin/seed.ts';
import { DEFAULT_DENY } from '../src/model/suite-schema.ts';
import type { Verdict } from '../src/model/result.ts';
import { runOnLab } from './twin-run.ts';
import { loadConfig } from '../src/load/config.ts';
import { exitAfterFlush } from '../src/cli/exit.ts';

export interface ScenarioOutcome {
  readonly scenario: string;
  readonly verdicts: readonly Verdict[];
  readonly failing: readonly string[];
  readonly failingPolicies: readonly string[];
  readonly broken: readonly string[];
  /** Every expected check FAILs, every expected policy shows a FAIL, and nothing is ERROR/INCONCLUSIVE. */
  readonly killed: boolean;
  readonly missed: readonly string[];
  readonly ms: number;
  /** A conformant change (or the baseline): passing means staying green. */
  readonly green: boolean;
}

/**
 * One scenario on a fresh twin. `focus` runs a mistake against the checks that must kill it and every
 * config check (all of which read the API once), and a conformant change against every config check
 * and every check from the zones it touches, instead of every suite: `npm test` (the reference) and
 * `npm run mutation` (every suite for every scenario) show that nothing else breaks.
 */
export async function runScenario(root: string, scenario: FaultScenario | undefined, log: (l: string) => void = () => {}, onRunId: (runId: string) => void = () => {}, opts: { focus?: boolean; /** A moto this process started, emptied and re-seeded for this scenario instead of a new one. */ emulator?: StartedEmulator } = {}): Promise<ScenarioOutcome> {
  const t0 = Date.now();
  const runId = `pp-mut-${(scenario?.id ?? 'baseline').slice(0, 20)}-${Math.random().toString(16).slice(2, 6)}`;
  onRunId(runId);
  // The fault goes into the emulator before the twin is first built: the twin is built once, from the API.
  const beforeBuild = scenario && (async (aws: AwsEndpoint) => {
    const api = new FaultApi(aws);
    try { await scenario.apply(api); } finally { api.destroy(); }
  });
  if (opts.emulator) await resetMoto(opts.emulator);
  await using lab = await startLab({ root, runId, log, ...(opts.emulator ? { emulatorUrl: opts.emulator.url, seed: true } : {}), ...(beforeBuild ? { beforeBuild } : {}) });
  const all = loadConfig({ root, env: 'local', marker: runId }).checks;
  // A conformant change runs against every config check and every check from the zones it touches.
  const zones = new Set(scenario?.zones ?? []);
  const focused = opts.focus && scenario
    ? new Set([...scenario.checks, ...all.filter((c) => c.category === 'config' || (scenario.green && zones.has(c.from))).map((c) => c.id)])
    : undefined;
  const result = await runOnLab(root, lab, runId, focused ? { checks: (id) => focused.has(id) } : {});
  const failing = [...new Set(result.verdicts.filter((v) => v.status === 'FAIL').map((v) => v.checkId))].sort();
  // A blanket check (drift cites every policy) would name every policy on any change: the policy
  // column counts only the checks that point at specific policies.
  const cited = new Set(all.flatMap((c) => c.policies).filter((p) => p !== DEFAULT_DENY));
  const specific = (v: Verdict) => !(v.policies.length >= cited.size && [...cited].every((p) => v.policies.includes(p)));
  const failingPolicies = [...new Set(result.verdicts.filter((v) => v.status === 'FAIL' && specific(v)).flatMap((v) => v.policies))].sort();
  const broken = result.verdicts.filter((v) => v.status === 'ERROR' || v.status === 'INCONCLUSIVE').map((v) => `${v.status} ${v.checkId}: ${v.sentence}`);
  const missed = scenario ? [...scenario.checks.filter((c) => !failing.includes(c)), ...scenario.policies.filter((p) => !failingPolicies.includes(p))] : [];
  // The baseline and a conformant change must stay green; a mistake must FAIL where expected.
  const killed = scenario && !scenario.green ? missed.length === 0 && broken.length === 0 && failing.length > 0 : failing.length === 0 && broken.length === 0;
  return { scenario: scenario?.id ?? 'baseline', verdicts: result.verdicts, failing, failingPolicies, broken, killed, missed, ms: Date.now() - t0, green: !scenario || !!scenario.green };
}

export function killTable(outcomes: readonly ScenarioOutcome[]): string {
  const rows = outcomes.map((o) => `${o.green ? (o.killed ? 'green  ' : 'NOT GREEN') : o.killed ? 'killed ' : 'SURVIVED'}  ${o.scenario.padEnd(28)} ${String(o.failing.length).padStart(3)} failing  [${o.failingPolicies.join(', ')}]  ${o.failing.slice(0, 6).join(', ')}${o.failing.length > 6 ? ', …' : ''}${o.missed.length ? `  missed: ${o.missed.join(', ')}` : ''}${o.broken.length ? `  broken: ${o.broken.length}` : ''}`);
  const mutants = outcomes.filter((o) => !o.green);
  const killed = mutants.filter((o) => o.killed).length;
  return [...rows, `kill rate: ${killed}/${mutants.length} (${mutants.length ? Math.round((100 * killed) / mutants.length) : 0}%)`].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const only = process.argv.slice(2);
  await using emulator = await startMoto({ runId: `pp-mut-emulator-${Math.random().toString(16).slice(2, 6)}` });
  const outcomes: ScenarioOutcome[] = [await runScenario(root, undefined, () => {}, () => {}, { emulator })];
  for (const s of SCENARIOS.filter((x) => only.length === 0 || only.includes(x.id))) {
    outcomes.push(await runScenario(root, s, () => {}, () => {}, { emulator }));
    process.stderr.write(`${s.id}: ${outcomes.at(-1)!.killed ? 'killed' : 'SURVIVED'} (${outcomes.at(-1)!.ms} ms)\n`);
  }
  process.stdout.write(`${killTable(outcomes)}\n`);
  exitAfterFlush(outcomes.every((o) => o.killed) ? 0 : 1);
}
