/**
 * `lab reap` removes only what belongs to runs whose owner is dead, and verifies each process before
 * killing it: a reused pid or an unrelated process is never killed, and a namespace no record names
 * is left alone. Everything here carries this test's own ids.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { execa, type ResultPromise } from 'execa';
import { afterAll, describe, expect, test } from 'vitest';
import { alive, deleteNamespace, listNamespaces, reap, recordProcess, RUNS_DIR, unclaimedNamespaces, writeRecord } from '../../infra/twin/netns.ts';

const tag = () => randomBytes(2).toString('hex');
const started: ResultPromise[] = [];
const made: string[] = [];
const sleeper = (env: Record<string, string> = {}) => { const p = execa('sleep', ['60'], { reject: false, env }); started.push(p); return p; };

afterAll(async () => {
  for (const p of started) p.kill('SIGKILL');
  for (const ns of made) await deleteNamespace(ns).catch(() => {});
});

describe('lab reap', () => {
  test('kills only verified processes of dead runs, deletes only namespaces their records name', async () => {
    const dead = execa('true');
    const deadPid = dead.pid!;
    await dead; // exited: its record's owner is gone
    const mine = `pp-test-reap-${tag()}`;
    const short = mine.slice(-4);
    const ours = sleeper({ PATHPROOF_RUN: mine });
    const unrelated = sleeper();
    const reused = sleeper({ PATHPROOF_RUN: mine });
    const nsOurs = `pp-${short}-x`;
    const orphan = `pp-${tag()}-orphan`;
    const liveRun = `pp-test-live-${tag()}`;
    const nsLive = `pp-${liveRun.slice(-4)}-x`;
    for (const ns of [nsOurs, orphan, nsLive]) { await execa('ip', ['netns', 'add', ns]); made.push(ns); }
    const dir = path.join(RUNS_DIR, mine);
    mkdirSync(dir, { recursive: true });
    await new Promise((r) => setTimeout(r, 50));
    writeRecord({ runId: mine, short, owner: { pid: deadPid, start: '1' }, prefix: `pp-${short}-`, dir, processes: [
      recordProcess(ours.pid!),
      recordProcess(unrelated.pid!), // listed, but it does not carry the run id: never killed
      { pid: reused.pid!, start: '1' }, // same pid, another start time: a reused pid, never killed
    ] });
    // A live run (this test process owns it): nothing of it is touched.
    writeRecord({ runId: liveRun, short: liveRun.slice(-4), owner: recordProcess(process.pid), prefix: `pp-${liveRun.slice(-4)}-`, dir: path.join(RUNS_DIR, liveRun), processes: [] });

    // Scoped to this test's two runs: another job's dead run on this machine is that job's to reap.
    const { removed, left } = await reap([mine, liveRun]);
    await new Promise((r) => setTimeout(r, 100));
    expect(alive(ours.pid!)).toBe(false);
    expect(alive(unrelated.pid!)).toBe(true);
    expect(alive(reused.pid!)).toBe(true);
    const now = await listNamespaces();
    expect(now).not.toContain(nsOurs);
    expect(now).toContain(orphan);
    expect(now).toContain(nsLive);
    expect(removed).toEqual(expect.arrayContaining([`process ${ours.pid}`, `namespace ${nsOurs}`, `run ${mine}`]));
    expect(left).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^process ${unrelated.pid}: no longer the process`))]));
    // What an unscoped reap reports and leaves alone: a namespace no record names, never a live run's.
    const unclaimed = await unclaimedNamespaces();
    expect(unclaimed).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^namespace ${orphan}: no run record names it`))]));
    expect(unclaimed.filter((u) => u.includes(nsLive))).toEqual([]);
    const { removed: again } = await reap([mine, liveRun]);
    expect(again.filter((r) => r.includes(liveRun))).toEqual([]);
    const { rmSync } = await import('node:fs');
    rmSync(path.join(RUNS_DIR, `${liveRun}.json`), { force: true });
  });
});
