import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { PathproofError } from '../../src/model/errors.ts';
import type { TwinLayout, ProcessPlan } from './layout.ts';
import { deleteNamespaces } from './netns.ts';
import type { TeardownStack } from './teardown.ts';

const SERVE = path.join(import.meta.dirname, 'servers', 'serve.ts');

/**
 * The service emulator bundled into one plain ESM file (node builtins only), so that each of the
 * twin's services starts as bare `node`: a dozen tsx start-ups at once cost seconds of CPU on two
 * cores, a bundle costs one esbuild call of a few tens of milliseconds per twin.
 */
async function bundleServe(runDir: string): Promise<string> {
  const outdir = path.join(runDir, 'serve');
  const out = path.join(outdir, 'serve.mjs');
  if (existsSync(out)) return out;
  const { build } = await import('esbuild');
  // CommonJS dependencies (dns-packet) require Node's built-ins: an ESM bundle gives them `require`.
  const banner = "import { createRequire as __ppRequire } from 'node:module'; const require = __ppRequire(import.meta.url);";
  // Split: each listener kind's code is a chunk loaded only by the processes that serve it.
  await build({ entryPoints: [SERVE], bundle: true, splitting: true, platform: 'node', format: 'esm', target: 'node20', outdir, outExtension: { '.js': '.mjs' }, logLevel: 'silent', banner: { js: banner } });
  return out;
}

async function must(cmd: string, args: string[], what: string, input?: string): Promise<void> {
  const r = await execa(cmd, args, { reject: false, ...(input !== undefined ? { input } : {}) });
  if (r.exitCode !== 0) throw new PathproofError('LAB_START_FAILED', `${what} failed: ${r.stderr || r.stdout}`);
}

export interface AppliedLayout {
  /** Where each process records what reached it (JSON lines), by process name. */
  readonly records: Record<string, string>;
  /** Names of started processes and their pids. */
  readonly pids: number[];
  /** Milliseconds per step: namespaces and veths, addresses/routes/nftables/resolv.conf, services. */
  readonly phases: { readonly namespaces: number; readonly network: number; readonly services: number };
}

/**
 * Creates the namespaces, links, addresses, routes, rulesets and processes of a layout. Every
 * resource is registered on the teardown stack the moment it exists.
 */
export async function applyLayout(layout: TwinLayout, ctx: { stack: TeardownStack; runDir: string; root: string; onPid: (pid: number) => void; log: (l: string) => void }): Promise<AppliedLayout> {
  // One `ip -batch` for every namespace, and one per namespace for the veths it holds (each end is
  // created inside a twin namespace, never in the host's): a handful of processes instead of dozens.
  let t = Date.now();
  const lap = () => { const now = Date.now(); const ms = now - t; t = now; return ms; };
  // One teardown step for all namespaces, deleted at once (one `ip -force -batch`).
  ctx.stack.defer(`${layout.namespaces.length} namespaces`, async () => {
    const failed = await deleteNamespaces(layout.namespaces.map((ns) => ns.name));
    if (failed.length) throw new Error(failed.map((f) => f.message).join('; '));
  });
  await must('ip', ['-batch', '-'], `ip netns add (${layout.namespaces.length} namespaces)`, `${layout.namespaces.map((ns) => `netns add ${ns.name}`).join('\n')}\n`);
  const linksBy = new Map<string, TwinLayout['links'][number][]>();
  for (const l of layout.links) linksBy.set(l.a, [...(linksBy.get(l.a) ?? []), l]);
  await Promise.all([...linksBy].map(([a, links]) => must('ip', ['-n', a, '-batch', '-'], `veths of ${a}`, `${links.map((l) => `link add ${l.aIf} type veth peer name ${l.bIf} netns ${l.b}`).join('\n')}\n`)));
  const namespaces = lap();
  // Inside each namespace one shell applies its sysctls, addresses and routes (`ip -batch`) and
  // ruleset (`nft -f`), from files: one process started from here per namespace, not three.
  const netDir = path.join(ctx.runDir, 'net');
  mkdirSync(netDir, { recursive: true });
  await Promise.all(layout.namespaces.map(async (ns) => {
    const ipFile = path.join(netDir, `${ns.name}.ip`);
    const nftFile = path.join(netDir, `${ns.name}.nft`);
    writeFileSync(ipFile, `${ns.ip.join('\n')}\n`);
    if (ns.nft) writeFileSync(nftFile, ns.nft);
    // The files and the sysctl settings are positional arguments, never part of the script text.
    const script = [
      'ip_file=$1; nft_file=$2; shift 2',
      ...(ns.sysctl.length ? ['sysctl -q -w "$@" || { echo "sysctl failed" >&2; exit 1; }'] : []),
      'ip -batch "$ip_file" || { echo "ip -batch failed" >&2; exit 1; }',
      ...(ns.nft ? ['nft -f "$nft_file" || { echo "nft ruleset failed" >&2; exit 1; }'] : []),
    ].join('\n');
    await must('ip', ['netns', 'exec', ns.name, 'sh', '-c', script, 'sh', ipFile, nftFile, ...ns.sysctl], `network of ${ns.name}`);
    if (ns.resolvConf) {
      mkdirSync(path.join('/etc/netns', ns.name), { recursive: true });
      writeFileSync(path.join('/etc/netns', ns.name, 'resolv.conf'), ns.resolvConf);
    }
  }));
  for (const n of layout.notes) ctx.log(`twin: note: ${n}`);
  const network = lap();

  const records: Record<string, string> = {};
  const pids: number[] = [];
  const serve = layout.processes.some((p) => p.kind === 'serve') ? await bundleServe(ctx.runDir) : '';
  // Services are stopped together too: one step, every process killed at once, each awaited.
  const started: ResultPromise[] = [];
  ctx.stack.defer(`${layout.processes.length} services`, async () => {
    await Promise.all(started.map(async (proc) => {
      if (proc.exitCode === null && !proc.killed) proc.kill('SIGKILL');
      await proc;
    }));
  });
  await Promise.all([
    linksUp(layout),
    ...layout.processes.map(async (p) => {
      const proc = await startProcess(p, { ...ctx, serve, started });
      if (proc.pid) { pids.push(proc.pid); ctx.onPid(proc.pid); }
      records[p.name] = proc.record;
    }),
  ]);
  return { records, pids, phases: { namespaces, network, services: lap() } };
}

/**
 * Services run in process groups of their own (detached): a terminal's Ctrl-C reaches only
 * pathproof, which tears them down in order; `lab reap` removes them if pathproof itself is killed.
 */
async function startProcess(p: ProcessPlan, ctx: { runDir: string; root: string; serve: string; started: ResultPromise[] }): Promise<{ pid?: number; record: string }> {
  const record = path.join(ctx.runDir, `${p.name}.log`);
  writeFileSync(record, '');
  let proc: ResultPromise;
  let ready: Promise<void>;
  if (p.kind === 'dnsmasq') {
    proc = execa('ip', ['netns', 'exec', p.ns, 'dnsmasq', '--keep-in-foreground', '--conf-file=/dev/null', '--no-resolv', '--no-hosts', '--bind-interfaces',
      '--pid-file=', '--user=root', `--log-facility=${record}`, ...p.args], { reject: false, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    ready = waitFor(() => existsSync(record) && readFileSync(record, 'utf8').includes('started'), 5000, `dnsmasq ${p.name} in ${p.ns}`, proc);
  } else {
    const cfg = path.join(ctx.runDir, `${p.name}.json`);
    writeFileSync(cfg, JSON.stringify({ listeners: p.listeners, record }));
    proc = execa('ip', ['netns', 'exec', p.ns, process.execPath, ctx.serve, cfg], { reject: false, cwd: ctx.root, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    ready = new Promise<void>((resolve, reject) => {
      let out = '';
      proc.stdout?.on('data', (c: Buffer) => { out += c.toString(); if (out.includes('ready')) resolve(); });
      void proc.then((r) => reject(new PathproofError('LAB_START_FAILED', `service ${p.name} in ${p.ns} exited: ${String(r.stderr).slice(0, 500)}`)));
      setTimeout(() => reject(new PathproofError('LAB_START_FAILED', `service ${p.name} in ${p.ns} not ready after 15 s`)), 15_000);
    });
  }
  ctx.started.push(proc);
  await ready;
  return { ...(proc.pid ? { pid: proc.pid } : {}), record };
}

async function waitFor(cond: () => boolean, timeoutMs: number, what: string, proc: ResultPromise): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (proc.exitCode !== null && proc.exitCode !== undefined) throw new PathproofError('LAB_START_FAILED', `${what} exited: ${String((await proc).stderr).slice(0, 500)}`);
    if (Date.now() > deadline) throw new PathproofError('LAB_START_FAILED', `${what} not ready after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Waits until every link of every namespace is operationally up. The kernel applies a new veth's
 * carrier (and gives it a real queue) from its link-watch work, up to a second after `link set up`;
 * a packet sent before that is dropped, which no AWS network does to a first SYN.
 */
async function linksUp(layout: TwinLayout, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // One shell asks every namespace (`ip -j` prints one JSON line): one process started from here per look.
  const look = 'for ns do out=$(ip -n "$ns" -j link show 2>&1); printf \'%s\\t%s\\t%s\\n\' "$ns" "$?" "$out"; done';
  for (;;) {
    const r = await execa('sh', ['-c', look, 'sh', ...layout.namespaces.map((ns) => ns.name)], { reject: false });
    const down = r.stdout.split('\n').filter(Boolean).flatMap((line) => {
      const [ns, rc, out = ''] = line.split('\t');
      if (rc !== '0') return [`${ns}: ${out}`];
      const links = JSON.parse(out || '[]') as { ifname: string; operstate: string; flags?: string[] }[];
      return links.filter((l) => l.ifname !== 'lo' && l.flags?.includes('UP') && l.operstate !== 'UP' && l.operstate !== 'UNKNOWN').map((l) => `${ns}/${l.ifname} ${l.operstate}`);
    });
    if (r.exitCode !== 0 && down.length === 0) down.push(`ip link show: ${r.stderr || `exit ${r.exitCode}`}`);
    if (down.length === 0) return;
    if (Date.now() > deadline) throw new PathproofError('LAB_START_FAILED', `links not up after ${timeoutMs / 1000} s: ${down.slice(0, 5).join(', ')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
