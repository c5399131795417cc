import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { snapshot } from '../verdict/assertions/drift.ts';
import { PathproofError } from '../model/errors.ts';
import { baselineFile } from '../load/baseline.ts';
import { describeEntry, pendingEntries } from '../shared/journal.ts';
import { formatPreflight } from '../model/ports.ts';
import { PathproofError as NoPreflight } from '../model/errors.ts';
import { loadConfig } from '../load/config.ts';
import { newRunId } from '../model/run-id.ts';
import { openSession } from '../run/session.ts';
const err = (line: string) => process.stderr.write(`${line}\n`);

/** `pathproof preflight --env NAME`: credentials, probe hosts Online in SSM, endpoints present. */
export async function preflightCommand(root: string, env: string): Promise<number> {
  const runId = newRunId();
  const config = loadConfig({ root, env, marker: runId });
  await using session = await openSession(config, runId, err);
  if (!session.preflight) throw new NoPreflight('USAGE', `env ${env} is a twin: preflight is for real accounts`);
  const items = await session.preflight();
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

/** `pathproof baseline --env NAME`: records the network configuration each run lists its changes against (information, not a gate). */
export async function baselineCommand(root: string, env: string): Promise<number> {
  const runId = newRunId();
  const config = loadConfig({ root, env, marker: runId });
  await using session = await openSession(config, runId, err);
  const snap = snapshot(await session.inventory(), config.env);
  const f = baselineFile(root, env);
  mkdirSync(path.dirname(f), { recursive: true });
  writeFileSync(f, `${JSON.stringify(snap, null, 2)}\n`);
  process.stdout.write(`baseline written to ${path.relative(process.cwd(), f)}: commit it; every run lists what changed since (information: the catalog checks judge the changes)\n`);
  return 0;
}
