import { spawn } from 'node:child_process';
import { chmodSync, closeSync, existsSync, renameSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PathproofError } from '../../src/model/errors.ts';

import { startLab } from './lab.ts';
import { flowHosts, type FlowHost } from './flow-logs.ts';
import { alive, reap } from './netns.ts';
import type { LabCredentials } from './sigv4.ts';
import { newRunId, RUN_ID } from '../../src/model/run-id.ts';

/** Where `lab up` leaves the running twin's endpoint and owner, for `npm test` and `lab down`. */
export const labFile = (root: string) => path.join(root, '.pathproof', 'lab.json');

export interface LabInfo {
  /** Bumped by every `lab reload`; `reloadError` says why the last one failed. */
  generation?: number; reloadError?: string;
  runId: string; /** The environment the lab serves (it is the reference twin: local). */ env?: string; endpoint: string; credentials: LabCredentials; emulator: string; pid: number; ca: string; records: Record<string, string>; flowHosts: FlowHost[] }

export function runningLab(root: string): LabInfo | undefined {
  const f = labFile(root);
  if (!existsSync(f)) return undefined;
  let info: LabInfo;
  try {
    info = JSON.parse(readFileSync(f, 'utf8')) as LabInfo;
  } catch {
    // A lab file from before atomic writes, or one being replaced on a filesystem without atomic rename: not a running lab.
    return undefined;
  }
  return alive(info.pid) ? info : undefined;
}

export async function labCommand(root: string, args: string[]): Promise<number> {
  const [sub] = args;
  switch (sub) {
    case 'up': {
      const running = runningLab(root);
      if (running) { process.stdout.write(`lab already up: ${running.endpoint} (run ${running.runId}, pid ${running.pid})\n`); return 0; }
      // Detach a keeper process that owns the twin until `lab down`.
      // Its output goes to .pathproof/lab.log: an inherited stream would hold the caller's pipe open.
      mkdirSync(path.dirname(labFile(root)), { recursive: true, mode: 0o700 });
      const logFile = path.join(path.dirname(labFile(root)), 'lab.log');
      const fd = openSync(logFile, 'w', 0o600);
      const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), 'keep', root], { detached: true, stdio: ['ignore', fd, fd], cwd: root });
      closeSync(fd);
      child.unref();
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        const info = runningLab(root);
        if (info) {
          process.stdout.write(`lab up: endpoint ${info.endpoint} (run ${info.runId}); 'npm test' now uses it; 'npm run lab -- down' stops it\n` +
            `The endpoint accepts only this lab's credentials (kept in .pathproof/lab.json, mode 0600). For the AWS CLI or Terraform:\n` +
            `  export AWS_ENDPOINT_URL=${info.endpoint} AWS_ACCESS_KEY_ID=${info.credentials.accessKeyId} AWS_SECRET_ACCESS_KEY=${info.credentials.secretAccessKey} AWS_REGION=ap-southeast-6\n`);
          return 0;
        }
        if (child.exitCode !== null) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new PathproofError('LAB_START_FAILED', `lab up: the twin did not come up:\n${readFileSync(logFile, 'utf8').slice(-2000)}`);
    }
    case 'down': {
      const info = runningLab(root);
      if (!info) { process.stdout.write('no lab is running\n'); rmSync(labFile(root), { force: true }); return 0; }
      process.kill(info.pid, 'SIGTERM');
      const deadline = Date.now() + 30_000;
      while (alive(info.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      process.stdout.write(`lab down: run ${info.runId} torn down\n`);
      return 0;
    }
    case 'reload': {
      // Rebuilds the running twin from the emulator's current state (after changes made with the
      // AWS CLI or Terraform against the lab's endpoint), keeping the emulator and the endpoint.
      const info = runningLab(root);
      if (!info) throw new PathproofError('USAGE', "no lab is running: start one with 'npm run lab -- up'");
      const before = info.generation ?? 0;
      const t0 = Date.now();
      process.kill(info.pid, 'SIGHUP');
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        const now = runningLab(root);
        if (!now && !alive(info.pid)) throw new PathproofError('LAB_START_FAILED', `the lab stopped while reloading:\n${tail(root)}`);
        if (!now) { await new Promise((r) => setTimeout(r, 100)); continue; }
        if ((now.generation ?? 0) > before) {
          if (now.reloadError) throw new PathproofError('LAB_START_FAILED', `lab reload failed: ${now.reloadError}`);
          process.stdout.write(`lab reloaded in ${((Date.now() - t0) / 1000).toFixed(1)} s: the twin of run ${now.runId} was rebuilt from the emulator's current state; run the checks again\n`);
          return 0;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new PathproofError('LAB_START_FAILED', `lab reload: no answer from the lab after 60 s:\n${tail(root)}`);
    }
    case 'reap': {
      // `lab reap RUN_ID …`: only those runs (each still only when its owner is dead).
      const only = args.slice(1);
      const bad = only.find((id) => !RUN_ID.test(id));
      if (bad !== undefined) throw new PathproofError('USAGE', `lab reap: "${bad}" is not a run id (pp-…, as a run prints it on its first line): usage: npm run lab -- reap [RUN_ID …]`);
      const { removed, left } = await reap(only.length ? only : undefined);
      process.stdout.write(removed.length ? `reaped:\n${removed.map((r) => `  ${r}`).join('\n')}\n` : 'nothing to reap\n');
      if (left.length) process.stdout.write(`left alone:\n${left.map((r) => `  ${r}`).join('\n')}\n`);
      return 0;
    }
    default:
      throw new PathproofError('USAGE', 'usage: npm run lab -- up | reload | down | reap [RUN_ID …]');
  }
}

/** The detached keeper: starts the twin, records it, waits for SIGTERM, tears down. */
async function keep(root: string): Promise<void> {
  const runId = newRunId();
  const lab = await startLab({ root, runId, log: (l) => process.stderr.write(`${l}\n`) });
  mkdirSync(path.dirname(labFile(root)), { recursive: true, mode: 0o700 });
  const info: LabInfo = { generation: 0, runId, env: 'local', endpoint: lab.endpoint, credentials: lab.credentials, emulator: lab.emulator.url, pid: process.pid, ca: path.join(lab.runDir, 'pki', 'ca.pem'), records: lab.applied.records, flowHosts: flowHosts(lab.layout, lab.model) };
  // The lab file holds the endpoint and its credentials: the owner's alone.
  chmodSync(path.dirname(labFile(root)), 0o700);
  writeLabFile(root, info);
  // SIGHUP: rebuild the twin from the emulator's current state (`lab reload`), one at a time.
  let reloading = Promise.resolve();
  process.on('SIGHUP', () => {
    reloading = reloading.then(async () => {
      try {
        await lab.rebuild();
        Object.assign(info, { records: lab.applied.records, flowHosts: flowHosts(lab.layout, lab.model), reloadError: undefined });
      } catch (e) {
        info.reloadError = (e as Error).message;
      }
      info.generation = (info.generation ?? 0) + 1;
      writeLabFile(root, info);
    });
  });
  await new Promise<void>((resolve) => { process.once('SIGTERM', resolve); process.once('SIGINT', resolve); });
  await reloading;
  await lab[Symbol.asyncDispose]();
  rmSync(labFile(root), { force: true });
}

if (process.argv[2] === 'keep' && process.argv[3]) {
  keep(process.argv[3]).then(() => process.exit(0), (e: unknown) => { process.stderr.write(`lab: ${(e as Error).message}\n`); process.exit(2); });
}

/** Written whole or not at all (a new file renamed over the old): a reader polling it never sees half of it. 0600: it holds the credentials. */
function writeLabFile(root: string, info: LabInfo): void {
  const tmp = `${labFile(root)}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(info, null, 2), { mode: 0o600 });
  renameSync(tmp, labFile(root));
}

function tail(root: string): string {
  try { return readFileSync(path.join(path.dirname(labFile(root)), 'lab.log'), 'utf8').slice(-2000); } catch { return ''; }
}
