import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config, ProbeCheck } from '../model/check.ts';
import type { JournalEntry } from '../model/ports.ts';

/**
 * The journal of disruptive changes (.pathproof/journal/): written before a change is made and
 * removed once its restore is verified, so that a crash never leaves an unrecorded change.
 */
export const journalDir = (root: string) => path.join(root, '.pathproof', 'journal');

/** Journal first, change second: a crash between the two leaves a harmless entry, never an unrecorded change. */
export function journal(root: string, entry: JournalEntry): string {
  mkdirSync(journalDir(root), { recursive: true });
  const file = path.join(journalDir(root), `${entry.runId}-${entry.checkId}.json`);
  writeFileSync(file, `${JSON.stringify(entry, null, 2)}\n`);
  return file;
}

/** What the journal entry changes, in words (logs and the restore command). */
export function describeEntry(e: JournalEntry): string {
  return e.fault === 'remove-phz-record'
    ? `the A record ${e.record.Name} of hosted zone ${e.zoneId}`
    : `route${e.routes.length > 1 ? 's' : ''} ${e.routes.map((r) => `${r.destination} → ${r.peeringId} in ${r.routeTableId}`).join(', ')}`;
}

/** What `disrupt` would change for a check, in words (the dry run's view). */
export function describeFault(check: ProbeCheck, config: Config): string {
  const d = check.disruptive!;
  return d.fault === 'remove-phz-record'
    ? `delete the A record of the private hosted zone ${d.service}.${config.env.bedrock.region}.amazonaws.com`
    : `delete the routes of zone ${check.from} (${config.env.zones[check.from]!.cidr}) to ${config.env.bedrock.endpointCidrs.join(', ')} over the peering`;
}

/** Drops an entry once its restore is verified. */
export function dropEntry(file: string): void {
  rmSync(file, { force: true });
}

/** The journal's entries for one environment: changes made there and not (yet) restored. */
export function pendingEntries(root: string, env: string): { entry: JournalEntry; file: string }[] {
  let names: string[] = [];
  try { names = readdirSync(journalDir(root)).filter((n) => n.endsWith('.json')); } catch { return []; }
  return names
    .map((n) => ({ file: path.join(journalDir(root), n), entry: JSON.parse(readFileSync(path.join(journalDir(root), n), 'utf8')) as JournalEntry }))
    .filter((e) => e.entry.env === env);
}

