/**
 * Mutation proof: every common mistake, applied to the emulator, must make the suite FAIL on the
 * expected policies and checks — never ERROR or INCONCLUSIVE in their place — and the unmutated
 * reference must report nothing. Prints the kill table (also: `npm run mutation`).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SCENARIOS } from '../../infra/twin/faults.ts';
import { killTable, runScenario, type ScenarioOutcome } from '../../scripts/mutation.ts';
import { startMoto, type StartedEmulator } from '../../infra/twin/emulator.ts';
import { newTestRunId, ownLeftovers } from '../helpers/lab.ts';
import { ROOT } from '../helpers/paths.ts';

const outcomes: ScenarioOutcome[] = [];
const runIds: string[] = [];
const track = (id: string) => { runIds.push(id); };

// One moto for every scenario, emptied before each (moto's own reset): a new one per scenario
// cost each lab moto's start and its first-use loading of every service, about 4 CPU-seconds.
let emulator: StartedEmulator;
beforeAll(async () => { emulator = await startMoto({ runId: newTestRunId('mut-emulator', runIds) }); });

afterAll(async () => {
  await emulator?.[Symbol.asyncDispose]();
  process.stdout.write(`\nkill table\n${killTable(outcomes)}\n`);
  expect(await ownLeftovers(runIds)).toEqual({ namespaces: [], processes: [] });
});

// The unmutated reference reporting nothing is what `npm test` itself proves (CI runs it first, the
// same checks on the same twin); `npm run mutation` runs it again beside the mutants.
describe('mutation proof', () => {
  test('there is a scenario for every category and every common mistake', () => {
    expect(new Set(SCENARIOS.map((s) => s.category))).toEqual(new Set(['positive', 'negative', 'exfiltration', 'dns-leak', 'failover', 'lateral-movement', 'agent-sandbox', 'config']));
    const mistakes = SCENARIOS.map((s) => s.id);
    for (const m of ['endpoint-sg-whole-vpc', 'phz-deleted', 'vpc-dns-hostnames-off', 'management-public', 'app-public-fallback', 'endpoint-deleted']) expect(mistakes).toContain(m);
  });

  test.each(SCENARIOS.map((s) => [s.id, s] as const))('%s is killed', async (_, scenario) => {
    // A mistake runs against the checks that must kill it and every config check, the conformant
    // change against every config check and every check from the zone it touches (npm run mutation
    // runs every suite for every scenario).
    const o = await runScenario(ROOT, scenario, () => {}, track, { focus: true, emulator });
    outcomes.push(o);
    expect(o.broken, 'a mistake must read as FAIL, never as ERROR or INCONCLUSIVE').toEqual([]);
    if (scenario.green) expect(o.failing, 'a change the catalog allows must not fail the gate').toEqual([]);
    expect(o.failing).toEqual(expect.arrayContaining([...scenario.checks]));
    expect(o.failingPolicies).toEqual(expect.arrayContaining([...scenario.policies]));
  });
});
