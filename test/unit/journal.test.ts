/**
 * The disruptive journal across runs: a change a crashed run left behind blocks further disruption
 * in that environment until `restore`, and a twin's entries are dropped (the twin ended with its run).
 */
import { mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { runCommand } from '../../src/cli/run.ts';
import { journalDir } from '../../src/shared/journal.ts';
import type { JournalEntry } from '../../src/model/ports.ts';
import { ROOT } from '../helpers/paths.ts';
import { restoreCommand } from '../../src/cli/commands.ts';

/** A project root of its own (suites, fixtures and probes shared), so that its journal is private. */
function scratchRoot(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'pp-journal-'));
  for (const d of ['suites', 'fixtures', 'probes']) symlinkSync(path.join(ROOT, d), path.join(root, d));
  mkdirSync(journalDir(root), { recursive: true });
  return root;
}

const routeEntry = (env: string): JournalEntry => ({
  runId: 'pp-20261124t000000-dead', checkId: 'failover-endpoint-route-removed', at: '2026-11-24T00:00:00.000Z', env, account: 'nz',
  fault: 'remove-peering-route', region: 'ap-southeast-6', routes: [{ routeTableId: 'rtb-0abc', destination: '10.1.1.0/24', peeringId: 'pcx-0abc' }],
});

function capture(): { text: () => string } {
  const chunks: string[] = [];
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((c) => { chunks.push(String(c)); return true; });
  const errs = vi.spyOn(process.stderr, 'write').mockImplementation((c) => { chunks.push(String(c)); return true; });
  return { text: () => { out.mockRestore(); errs.mockRestore(); return chunks.join(''); } };
}

afterEach(() => { vi.restoreAllMocks(); });

describe('the disruptive journal', () => {
  test('an unrestored change in prod stops a disruptive run before anything is sent, and names the restore command', async () => {
    const root = scratchRoot();
    writeFileSync(path.join(journalDir(root), 'a.json'), JSON.stringify(routeEntry('prod')));
    const c = capture();
    const code = await runCommand({ root, env: 'prod', dryRun: false, suites: ['failover'], policies: [], out: path.join(root, 'reports'), allowDisruptive: true, failOn: [] });
    const text = c.text();
    expect(code).toBe(2);
    expect(text).toContain('did not restore route 10.1.1.0/24 → pcx-0abc in rtb-0abc in env prod');
    expect(text).toContain('npm run pathproof -- restore --env=prod');
    expect(readdirSync(journalDir(root))).toEqual(['a.json']);
  });

  test("another environment's entries are not this one's business", async () => {
    const root = scratchRoot();
    writeFileSync(path.join(journalDir(root), 'a.json'), JSON.stringify(routeEntry('prod')));
    const c = capture();
    const code = await restoreCommand(root, 'local');
    expect(c.text()).toContain('nothing to restore: the journal holds no change made in env local');
    expect(code).toBe(0);
    expect(readdirSync(journalDir(root))).toEqual(['a.json']);
  });

  test("a twin's entries are dropped by restore: the twin they changed ended with its run", async () => {
    const root = scratchRoot();
    writeFileSync(path.join(journalDir(root), 'a.json'), JSON.stringify(routeEntry('local')));
    const c = capture();
    const code = await restoreCommand(root, 'local');
    expect(c.text()).toContain('dropped route 10.1.1.0/24 → pcx-0abc in rtb-0abc (run pp-20261124t000000-dead): the twin it changed ended with that run');
    expect(code).toBe(0);
    expect(readdirSync(journalDir(root))).toEqual([]);
  });
});
