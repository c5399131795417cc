import { execa } from 'execa';
import type { StartedLab } from '../../infra/twin/lab.ts';
import { readdirSync, readFileSync } from 'node:fs';
import { short } from '../../infra/twin/lab.ts';
import { listNamespaces } from '../../infra/twin/netns.ts';

/** Runs a command inside the namespace of the instance whose Name tag is `name`. */
export function inInstance(lab: StartedLab, name: string) {
  const host = lab.model.hosts.find((h) => h.tags.Name === name);
  const ns = host && lab.layout.instances.get(host.id)?.ns;
  if (!ns) throw new Error(`no instance named ${name} in the twin`);
  const run = (cmd: string, args: string[], env: Record<string, string> = {}) =>
    execa('ip', ['netns', 'exec', ns, cmd, ...args], { reject: false, env, timeout: 15_000 });
  return {
    ns,
    /** connected | refused | timeout | unreachable */
    async tcp(host: string, port: number, seconds = 1): Promise<string> {
      const r = await run('timeout', [String(seconds), 'bash', '-c', 'exec 3<>"/dev/tcp/$0/$1"', host, String(port)]);
      if (r.exitCode === 0) return 'connected';
      if (r.exitCode === 124) return 'timeout';
      return /refused/.test(r.stderr) ? 'refused' : /route|nreachable/.test(r.stderr) ? 'unreachable' : `error: ${r.stderr}`;
    },
    async dig(name: string): Promise<{ status: string; answers: string[] }> {
      const r = await run('dig', ['+time=2', '+tries=1', '+noall', '+comments', '+answer', name, 'A']);
      const status = /status: ([A-Z]+)/.exec(r.stdout)?.[1] ?? (/timed out|no servers/.test(r.stdout) ? 'TIMEOUT' : 'ERROR');
      const answers = [...r.stdout.matchAll(/\sIN\s+A\s+([\d.]+)/g)].map((m) => m[1]!);
      return { status, answers };
    },
    curl: (args: string[]) => run('curl', ['-sS', '--connect-timeout', '1', '--max-time', '3', ...args]),
  };
}

/**
 * What the given runs left behind: their namespaces (by each run's prefix) and every process whose
 * command line or environment names one of them. Only these runs': other runs may be up at the same time.
 */
export async function ownLeftovers(runIds: readonly string[]): Promise<{ namespaces: string[]; processes: string[] }> {
  const prefixes = runIds.map((id) => `pp-${short(id)}-`);
  const namespaces = (await listNamespaces()).filter((n) => prefixes.some((p) => n.startsWith(p)));
  const processes: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d) && Number(d) !== process.pid)) {
    // Read once: a process can end between two reads of /proc.
    let cmdline = '';
    let environ = '';
    try { cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8'); environ = readFileSync(`/proc/${pid}/environ`, 'utf8'); } catch { continue; }
    const hit = runIds.find((id) => cmdline.includes(id) || environ.includes(id));
    if (hit) processes.push(`${pid} ${cmdline.replaceAll('\0', ' ').slice(0, 120)} (run ${hit})`);
  }
  return { namespaces, processes };
}

/** A run id for a test: unique per call, so that two test runs on one machine never share names. */
export function newTestRunId(what: string, into?: string[]): string {
  const id = `pp-test-${what}-${Math.random().toString(16).slice(2, 6).padEnd(4, '0')}`;
  into?.push(id);
  return id;
}
