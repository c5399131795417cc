import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { PathproofError } from '../../src/model/errors.ts';

/** Where every run records what it created, so that `lab reap` can remove what a killed run left. */
export const RUNS_DIR = '/run/pathproof';

/** A process a run started, pinned by its start time so that a reused pid is never taken for it. */
export interface RecordedProcess { readonly pid: number; readonly start: string }

/**
 * What a run created, written (mode 0600) the moment each thing exists. `lab reap` acts on a record
 * only when its owner is dead, and only on what the record names.
 */
export interface RunRecord { runId: string; short: string; owner: RecordedProcess; prefix: string; processes: RecordedProcess[]; dir: string }

export async function checkPrerequisites(): Promise<void> {
  const uid = process.getuid?.() ?? -1;
  if (uid !== 0) {
    const status = existsSync('/proc/self/status') ? readFileSync('/proc/self/status', 'utf8') : '';
    const eff = BigInt(`0x${/CapEff:\s*([0-9a-f]+)/.exec(status)?.[1] ?? '0'}`);
    const CAP_NET_ADMIN = 1n << 12n;
    const CAP_SYS_ADMIN = 1n << 21n;
    if ((eff & CAP_NET_ADMIN) === 0n || (eff & CAP_SYS_ADMIN) === 0n) {
      throw new PathproofError('LAB_NEEDS_ROOT', 'the local twin creates network namespaces, which needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN). Run `sudo npm test`, or use --env=prod against real accounts.');
    }
  }
  const missing: string[] = [];
  for (const [tool, pkg] of [['ip', 'iproute2'], ['nft', 'nftables'], ['dnsmasq', 'dnsmasq-base'], ['openssl', 'openssl'], ['moto_server', 'pip: moto[server]']] as const) {
    const found = await execa('sh', ['-c', `command -v ${tool}`], { reject: false });
    if (found.exitCode !== 0) missing.push(`${tool} (${pkg})`);
  }
  if (missing.length) {
    throw new PathproofError('LAB_TOOL_MISSING', `the local twin needs ${missing.join(', ')}: install with apt-get install nftables dnsmasq-base iproute2 openssl (and pip install "moto[server]")`);
  }
}

export function recordPath(runId: string): string {
  return path.join(RUNS_DIR, `${runId}.json`);
}

export function writeRecord(r: RunRecord): void {
  mkdirSync(RUNS_DIR, { recursive: true, mode: 0o700 });
  writeFileSync(recordPath(r.runId), JSON.stringify(r), { mode: 0o600 });
}

/** The kernel's start time of a process (clock ticks since boot, /proc/PID/stat field 22), or undefined when it is gone. */
export function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // A zombie (killed, not yet waited for by its parent) has ended: it is not the process any more.
    if (fields[0] === 'Z' || fields[0] === 'X') return undefined;
    return fields[19];
  } catch {
    return undefined;
  }
}

export function recordProcess(pid: number): RecordedProcess {
  return { pid, start: startTime(pid) ?? '' };
}

/** Still the same process: same pid, same start time. */
export function sameProcess(p: RecordedProcess): boolean {
  return p.start !== '' && startTime(p.pid) === p.start;
}

/** The process is the run's own: its command line or environment names the run id. */
function carriesRunId(pid: number, runId: string): boolean {
  for (const f of ['cmdline', 'environ']) {
    try { if (readFileSync(`/proc/${pid}/${f}`, 'utf8').includes(runId)) return true; } catch { /* gone or not readable */ }
  }
  return false;
}

export function readRecords(): RunRecord[] {
  if (!existsSync(RUNS_DIR)) return [];
  return readdirSync(RUNS_DIR).filter((n) => n.endsWith('.json')).flatMap((n) => {
    try {
      const r = JSON.parse(readFileSync(path.join(RUNS_DIR, n), 'utf8')) as RunRecord;
      // A record without the fields this version writes is not one we can act on safely.
      return r.owner && typeof r.owner === 'object' && Array.isArray(r.processes) && typeof r.prefix === 'string' && /^pp-[a-z0-9]{4}-$/.test(r.prefix) ? [r] : [];
    } catch { return []; }
  });
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function listNamespaces(prefix = 'pp-'): Promise<string[]> {
  const r = await execa('ip', ['netns', 'list'], { reject: false });
  return r.stdout.split('\n').map((l) => l.split(' ')[0] ?? '').filter((n) => n.startsWith(prefix));
}

/** Kills whatever runs inside the namespace, then deletes it and its /etc/netns folder. */
export async function deleteNamespace(name: string): Promise<void> {
  const failed = await deleteNamespaces([name]);
  if (failed.length) throw new Error(failed.map((f) => f.message).join('; '));
}

/**
 * Kills whatever runs inside these namespaces, then deletes them and their /etc/netns folders with
 * one `ip -force -batch` (a run holds a dozen or more: one process, not two per namespace). The
 * processes are found as `ip netns pids` finds them: those whose /proc/PID/ns/net is the namespace's
 * /run/netns file (same device and inode). Returns the namespaces that could not be deleted, and why.
 */
export async function deleteNamespaces(names: readonly string[]): Promise<{ name: string; message: string }[]> {
  const ours = new Map<string, string>();
  for (const name of names) {
    try { const st = statSync(path.join('/run/netns', name)); ours.set(`${st.dev}:${st.ino}`, name); } catch { /* already gone */ }
  }
  if (ours.size > 0) {
    for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      try {
        const st = statSync(`/proc/${pid}/ns/net`);
        if (ours.has(`${st.dev}:${st.ino}`)) process.kill(Number(pid), 'SIGKILL');
      } catch { /* gone, or not ours to read */ }
    }
  }
  const present = [...ours.values()];
  const r = present.length ? await execa('ip', ['-force', '-batch', '-'], { input: `${present.map((n) => `netns delete ${n}`).join('\n')}\n`, reject: false }) : undefined;
  for (const name of names) rmSync(path.join('/etc/netns', name), { recursive: true, force: true });
  if (!r || r.exitCode === 0) return [];
  // `ip -force -batch` goes on after a failed line; whatever is still there failed.
  const left = new Set(await listNamespaces(''));
  return present.filter((n) => left.has(n)).map((name) => ({ name, message: `ip netns delete ${name}: ${r.stderr.trim() || `exit ${r.exitCode}`}` }));
}

/**
 * Removes what dead runs left: for every run record whose owner is gone, the processes it recorded
 * (each verified first: same start time, and its command line or environment names the run), the
 * namespaces with its prefix, and the record. Namespaces that no record names are left alone and
 * reported: they are not provably ours. With `only` (run ids), just those runs are looked at: other
 * runs on the machine, dead or alive, and unclaimed namespaces are not this caller's business.
 * Returns what was removed and what was left.
 */
export async function reap(only?: readonly string[]): Promise<{ removed: string[]; left: string[] }> {
  const removed: string[] = [];
  const left: string[] = [];
  const records = readRecords();
  const dead = records.filter((r) => !sameProcess(r.owner) && (!only || only.includes(r.runId)));
  for (const r of dead) {
    for (const p of r.processes) {
      if (!alive(p.pid)) continue;
      if (!sameProcess(p) || !carriesRunId(p.pid, r.runId)) { left.push(`process ${p.pid}: no longer the process run ${r.runId} started (pid reused), not killed`); continue; }
      try { process.kill(p.pid, 'SIGKILL'); removed.push(`process ${p.pid}`); } catch { /* gone */ }
    }
  }
  const namespaces = await listNamespaces();
  for (const r of dead) {
    const theirs = namespaces.filter((n) => n.startsWith(r.prefix));
    const failed = await deleteNamespaces(theirs);
    const kept = new Set(failed.map((f) => f.name));
    removed.push(...theirs.filter((ns) => !kept.has(ns)).map((ns) => `namespace ${ns}`));
    // The record stays while anything it names is left: the next reap tries again.
    if (failed.length) { left.push(...failed.map((f) => f.message)); continue; }
    rmSync(recordPath(r.runId), { force: true });
    rmSync(r.dir, { recursive: true, force: true });
    removed.push(`run ${r.runId}`);
  }
  if (!only) left.push(...unclaimed(namespaces, records));
  return { removed, left };
}

/** pp- namespaces no run record names, as reap reports them: not provably pathproof's, so never deleted. Reads only. */
export async function unclaimedNamespaces(): Promise<string[]> {
  return unclaimed(await listNamespaces(), readRecords());
}

function unclaimed(namespaces: readonly string[], records: readonly RunRecord[]): string[] {
  const claimed = records.map((r) => r.prefix);
  return namespaces.filter((n) => !claimed.some((p) => n.startsWith(p))).map((ns) => `namespace ${ns}: no run record names it, so it is not provably pathproof's; remove it with \`ip netns delete ${ns}\` if it is`);
}
