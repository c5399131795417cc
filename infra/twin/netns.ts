import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { PathproofError } from '../../src/errors.ts';

/** Where every run records what it created, so that `lab reap` can remove what a killed run left. */
export const RUNS_DIR = '/run/pathproof';

export interface RunRecord { runId: string; short: string; owner: number; prefix: string; pids: number[]; dir: string }

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
  mkdirSync(RUNS_DIR, { recursive: true });
  writeFileSync(recordPath(r.runId), JSON.stringify(r));
}

export function readRecords(): RunRecord[] {
  if (!existsSync(RUNS_DIR)) return [];
  return readdirSync(RUNS_DIR).filter((n) => n.endsWith('.json')).flatMap((n) => {
    try { return [JSON.parse(readFileSync(path.join(RUNS_DIR, n), 'utf8')) as RunRecord]; } catch { return []; }
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
  const pids = await execa('ip', ['netns', 'pids', name], { reject: false });
  for (const p of pids.stdout.split('\n').map(Number).filter((n) => n > 0)) {
    try { process.kill(p, 'SIGKILL'); } catch { /* already gone */ }
  }
  const r = await execa('ip', ['netns', 'delete', name], { reject: false });
  rmSync(path.join('/etc/netns', name), { recursive: true, force: true });
  if (r.exitCode !== 0 && !/No such file/.test(r.stderr)) throw new Error(`ip netns delete ${name}: ${r.stderr}`);
}

/**
 * Removes what dead runs left: their processes, namespaces (by the run's prefix) and records.
 * Namespaces named pp-* that no live run owns are removed too. Returns what was removed.
 */
export async function reap(): Promise<string[]> {
  const removed: string[] = [];
  const live = new Set<string>();
  for (const r of readRecords()) {
    if (alive(r.owner)) { live.add(r.prefix); continue; }
    for (const pid of r.pids) if (alive(pid)) { try { process.kill(pid, 'SIGKILL'); removed.push(`process ${pid}`); } catch { /* gone */ } }
    rmSync(recordPath(r.runId), { force: true });
    rmSync(r.dir, { recursive: true, force: true });
    removed.push(`run ${r.runId}`);
  }
  for (const ns of await listNamespaces()) {
    if ([...live].some((p) => ns.startsWith(p))) continue;
    await deleteNamespace(ns);
    removed.push(`namespace ${ns}`);
  }
  return removed;
}
