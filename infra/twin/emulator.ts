import net from 'node:net';
import { execa, type ResultPromise } from 'execa';
import { PathproofError } from '../../src/model/errors.ts';

/** A started AWS API emulator. Dispose to stop what was started (an existing endpoint is left alone). */
export interface StartedEmulator extends AsyncDisposable {
  readonly url: string;
  readonly kind: 'moto' | 'localstack';
  readonly pid?: number;
}

export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** Polls `url` until it answers 200, or fails naming what was awaited. */
export async function waitForHttp(url: string, timeoutMs: number, what: string, alive?: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (alive && !alive()) throw new PathproofError('EMULATOR_START_FAILED', `${what} exited before it answered at ${url}`);
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (r.ok) return;
      last = `HTTP ${r.status}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new PathproofError('EMULATOR_START_FAILED', `${what} did not answer at ${url} within ${timeoutMs / 1000} s (last: ${last})`);
}

/** Starts moto_server on a free loopback port and waits until it is ready. */
export async function startMoto(opts: {
  runId: string; timeoutMs?: number; onPid?: (pid: number) => void;
  /** Load the AWS managed IAM policies (AmazonSSMManagedInstanceCore, …); slower, so off by default. */
  managedPolicies?: boolean;
}): Promise<StartedEmulator> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let proc: ResultPromise;
  try {
    proc = execa('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
      // A process group of its own: a terminal's Ctrl-C reaches pathproof, which stops moto in
      // order (after the probes are cancelled), instead of killing it under a running twin.
      reject: false, stdio: ['ignore', 'ignore', 'pipe'], detached: true,
      env: { PATHPROOF_RUN: opts.runId, MOTO_ALLOW_NONEXISTENT_REGION: 'true', ...(opts.managedPolicies ? { MOTO_IAM_LOAD_MANAGED_POLICIES: 'true' } : {}) },
    });
  } catch (cause) {
    throw new PathproofError('EMULATOR_START_FAILED', 'moto_server could not be started; install it with `pip install "moto[server]"`', { cause });
  }
  let exited = false;
  void proc.then(() => { exited = true; });
  if (proc.pid) opts.onPid?.(proc.pid);
  try {
    await waitForHttp(`${url}/moto-api/`, opts.timeoutMs ?? 20_000, `moto_server (pid ${proc.pid})`, () => !exited);
  } catch (e) {
    proc.kill('SIGKILL');
    throw e;
  }
  return {
    url, kind: 'moto', pid: proc.pid,
    async [Symbol.asyncDispose]() {
      if (exited) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 3000);
      await proc;
      clearTimeout(timer);
    },
  };
}

/** An existing LocalStack (or moto) endpoint given by URL: checked, never stopped by us. */
export async function useExistingEndpoint(url: string): Promise<StartedEmulator> {
  const health = url.replace(/\/$/, '');
  try {
    const r = await fetch(`${health}/_localstack/health`, { signal: AbortSignal.timeout(3000) });
    if (!r.ok) await waitForHttp(`${health}/moto-api/`, 3000, `the emulator at ${url}`);
  } catch {
    await waitForHttp(`${health}/moto-api/`, 3000, `the emulator at ${url}`);
  }
  return { url: health, kind: 'localstack', async [Symbol.asyncDispose]() {} };
}

/**
 * Empties a moto emulator this process started (every backend, every region: `POST /moto-api/reset`,
 * moto's own reset), so that the next lab seeds it as if it were new. Reusing one warm emulator
 * saves each later lab moto's start and the first-use loading of every service it models (about
 * 4 CPU-seconds); only for labs run one after another by the same owner.
 */
export async function resetMoto(emulator: StartedEmulator): Promise<void> {
  if (emulator.kind !== 'moto') throw new PathproofError('EMULATOR_START_FAILED', `only a moto emulator this process started can be reset (${emulator.url} is ${emulator.kind})`);
  const r = await fetch(`${emulator.url}/moto-api/reset`, { method: 'POST', signal: AbortSignal.timeout(10_000) });
  if (!r.ok) throw new PathproofError('EMULATOR_START_FAILED', `resetting moto at ${emulator.url} answered HTTP ${r.status}`);
}

/**
 * The LocalStack image a container run starts. Since 23 March 2026 `localstack/localstack:latest`
 * (release 2026.3.0 on) exits at start without LOCALSTACK_AUTH_TOKEN; 4.14.0 is a community
 * release from before that change which others pin for the same reason. Override with
 * PATHPROOF_LOCALSTACK_IMAGE (a newer image then needs the token).
 */
export const LOCALSTACK_IMAGE = 'localstack/localstack:4.14.0';

/** The container's image and environment: LOCALSTACK_AUTH_TOKEN is passed through when set, never printed. */
export function localstackContainerSpec(vars: NodeJS.ProcessEnv): { image: string; environment: Record<string, string> } {
  return {
    image: vars.PATHPROOF_LOCALSTACK_IMAGE || LOCALSTACK_IMAGE,
    environment: vars.LOCALSTACK_AUTH_TOKEN ? { LOCALSTACK_AUTH_TOKEN: vars.LOCALSTACK_AUTH_TOKEN } : {},
  };
}

/**
 * LocalStack in a container via @testcontainers/localstack. Needs a Docker engine; where none
 * runs (as on this project's CI) it fails at once with what to do instead.
 */
export async function startLocalstackContainer(): Promise<StartedEmulator> {
  const socket = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  const reachable = await dockerReachable(socket);
  if (!reachable) {
    throw new PathproofError('DOCKER_UNAVAILABLE',
      `no Docker engine answers at ${socket}, so LocalStack cannot be started in a container. ` +
      'Start Docker, or point PATHPROOF_LOCALSTACK_URL at a running LocalStack, or use env local (moto).');
  }
  const { LocalstackContainer } = await import('@testcontainers/localstack');
  const spec = localstackContainerSpec(process.env);
  const c = await new LocalstackContainer(spec.image).withEnvironment(spec.environment).start();
  return { url: c.getConnectionUri(), kind: 'localstack', async [Symbol.asyncDispose]() { await c.stop(); } };
}

async function dockerReachable(host: string): Promise<boolean> {
  if (!host.startsWith('unix://')) return false;
  return new Promise((resolve) => {
    const s = net.connect(host.slice('unix://'.length));
    const done = (ok: boolean) => { s.destroy(); resolve(ok); };
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
    setTimeout(() => done(false), 1000);
  });
}
