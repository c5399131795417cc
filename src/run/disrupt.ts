import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ChangeResourceRecordSetsCommand, ListHostedZonesCommand, ListResourceRecordSetsCommand, type ResourceRecordSet, type Route53Client } from '@aws-sdk/client-route-53';

/** A change made on purpose to prove that losing the private path fails loudly; always restored. */
export interface JournalEntry {
  readonly runId: string;
  readonly checkId: string;
  readonly fault: 'remove-phz-record';
  readonly at: string;
  readonly zoneId: string;
  /** The record as it was: what `restore` puts back. */
  readonly record: ResourceRecordSet;
}

export const journalDir = (root: string) => path.join(root, '.pathproof', 'journal');

/** Journal first, change second: a crash between the two leaves a harmless entry, never an unrecorded change. */
export function journal(root: string, entry: JournalEntry): string {
  mkdirSync(journalDir(root), { recursive: true });
  const file = path.join(journalDir(root), `${entry.runId}-${entry.checkId}.json`);
  writeFileSync(file, `${JSON.stringify(entry, null, 2)}\n`);
  return file;
}

/** Removes the apex A record of the private hosted zone for `hostname`; returns the journaled original. */
export async function removePhzRecord(r53: Route53Client, root: string, runId: string, checkId: string, hostname: string): Promise<{ entry: JournalEntry; file: string }> {
  const zones = await r53.send(new ListHostedZonesCommand({}));
  const zone = zones.HostedZones?.find((z) => z.Config?.PrivateZone && z.Name?.replace(/\.$/, '') === hostname);
  if (!zone?.Id) throw new Error(`no private hosted zone ${hostname} to disrupt`);
  const zoneId = zone.Id.replace('/hostedzone/', '');
  const sets = await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }));
  const record = sets.ResourceRecordSets?.find((r) => r.Type === 'A' && r.Name?.replace(/\.$/, '') === hostname);
  if (!record) throw new Error(`the private hosted zone ${hostname} has no A record to disrupt`);
  const entry: JournalEntry = { runId, checkId, fault: 'remove-phz-record', at: new Date().toISOString(), zoneId, record };
  const file = journal(root, entry);
  await r53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Comment: `pathproof ${runId} ${checkId}: disruptive failover check`, Changes: [{ Action: 'DELETE', ResourceRecordSet: record }] } }));
  return { entry, file };
}

/** Puts a journaled record back (UPSERT, so restoring twice is harmless) and drops the entry. */
export async function restoreEntry(r53: Route53Client, entry: JournalEntry, file: string): Promise<void> {
  await r53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: entry.zoneId, ChangeBatch: { Comment: `pathproof restore ${entry.runId} ${entry.checkId}`, Changes: [{ Action: 'UPSERT', ResourceRecordSet: entry.record }] } }));
  rmSync(file, { force: true });
}

export function pendingEntries(root: string): { entry: JournalEntry; file: string }[] {
  let names: string[] = [];
  try { names = readdirSync(journalDir(root)).filter((n) => n.endsWith('.json')); } catch { return []; }
  return names.map((n) => ({ file: path.join(journalDir(root), n), entry: JSON.parse(readFileSync(path.join(journalDir(root), n), 'utf8')) as JournalEntry }));
}
