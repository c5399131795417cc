import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer as createHttps } from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isRoot, runProbes } from '../helpers/run-probes.ts';
import { MAX_PROBE_LINE, MAX_WRAPPED_LINE } from '../../src/model/batch-protocol.ts';

// Everything here stays on loopback: a TCP listener, an HTTPS server with a test CA and a
// dnsmasq on 127.0.0.77 that the probes' private /etc/resolv.conf points at.
const DNS = '127.0.0.77';
let tcp: net.Server;
let tcpPort = 0;
let closedPort = 0;
let https: ReturnType<typeof createHttps>;
let httpsPort = 0;
let dnsmasq: ResultPromise | undefined;
let caFile = '';

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as net.AddressInfo).port;
}

beforeAll(async () => {
  tcp = net.createServer((s) => s.end());
  tcpPort = await listen(tcp);
  const spare = net.createServer();
  closedPort = await listen(spare);
  await new Promise((r) => spare.close(r));

  const dir = mkdtempSync(path.join(tmpdir(), 'pp-ca-'));
  const o = (args: string[]) => execa('openssl', args, { cwd: dir });
  await o(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=pathproof test CA']);
  await o(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'svc.key', '-out', 'svc.csr', '-subj', '/CN=svc.pathproof.test']);
  await execa('sh', ['-c', `printf 'subjectAltName=DNS:svc.pathproof.test\\n' > ext && openssl x509 -req -in svc.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out svc.pem -days 1 -extfile ext`], { cwd: dir });
  caFile = path.join(dir, 'ca.pem');
  https = createHttps({ key: readFileSync(path.join(dir, 'svc.key')), cert: readFileSync(path.join(dir, 'svc.pem')) }, (req, res) => {
    res.setHeader('x-amzn-RequestId', 'req-123');
    res.statusCode = req.url?.includes('denied') ? 403 : 200;
    res.end('{}');
  });
  httpsPort = await listen(https as unknown as net.Server);

  if (isRoot) {
    dnsmasq = execa('dnsmasq', ['--keep-in-foreground', '--no-resolv', '--no-hosts', '--bind-interfaces', `--listen-address=${DNS}`, '--port=53',
      '--address=/ok.pathproof.test/10.1.1.10', '--address=/loop.pathproof.test/127.0.0.1', '--local=/pathproof.test/', '--pid-file=', '--log-facility=-'], { reject: false });
    await new Promise((r) => setTimeout(r, 300));
  }
});

afterAll(async () => {
  tcp?.close();
  https?.close();
  dnsmasq?.kill();
  await dnsmasq;
});

const tcpCall = (port: number) => ({ probe: 'tcp-connect', params: { host: '127.0.0.1', port: String(port), connect_timeout: '2', attempts: '1' } });

describe.runIf(isRoot)('real probe scripts through sh', () => {
  test('tcp-connect: connected, refused, and an unreachable resolver name', async () => {
    const { obs } = await runProbes([tcpCall(tcpPort), tcpCall(tcpPort), tcpCall(closedPort),
      { probe: 'tcp-connect', params: { host: 'nope.pathproof.test', port: '443', connect_timeout: '3', attempts: '2' } }]);
    expect(obs.truncated).toBe(false);
    const [c, a, b, d] = obs.probes;
    expect(c!.outcome).toBe('connected');
    expect(a).toMatchObject({ outcome: 'connected', class: 'success', data: { attempts: 1, successes: 1 } });
    expect(b).toMatchObject({ outcome: 'refused', class: 'block', data: { successes: 0 } });
    expect(d).toMatchObject({ outcome: 'nxdomain', class: 'block', data: { attempts: 0, successes: 0 } });
  });

  test('dns-resolve with getent and with dig: answers, NXDOMAIN, and the server that answered', async () => {
    const { obs } = await runProbes([
      tcpCall(tcpPort),
      { probe: 'dns-resolve', params: { name: 'ok.pathproof.test', tool: 'getent', resolve_timeout: '3' } },
      { probe: 'dns-resolve', params: { name: 'ok.pathproof.test', tool: 'dig', resolve_timeout: '3' } },
      { probe: 'dns-resolve', params: { name: 'missing.pathproof.test', tool: 'dig', resolve_timeout: '3' } },
      { probe: 'dns-exfil', params: { domain: 'pathproof.test', marker: 'pp-abc', tool: 'dig', resolve_timeout: '3' } },
    ]);
    const [, getent, dig, nx, exfil] = obs.probes;
    expect(getent).toMatchObject({ outcome: 'resolved', data: { addresses: ['10.1.1.10'], via: 'getent', server: DNS } });
    expect(dig).toMatchObject({ outcome: 'resolved', data: { addresses: ['10.1.1.10'], via: 'dig', server: DNS } });
    expect(nx).toMatchObject({ outcome: 'nxdomain', class: 'block', data: { addresses: [] } });
    expect(exfil).toMatchObject({ outcome: 'nxdomain', data: { query: 'pp-abc.pathproof.test' } });
  });

  test('dns-resolve with a dead resolver times out instead of guessing', async () => {
    const { obs } = await runProbes([tcpCall(tcpPort), { probe: 'dns-resolve', params: { name: 'ok.pathproof.test', tool: 'dig', resolve_timeout: '2' } }], { nameserver: '127.0.0.78' });
    expect(obs.probes[1]!.class).toBe('block');
    expect(['timeout', 'refused']).toContain(obs.probes[1]!.outcome);
  });

  test('a dig or getent that printed its answer but was ended by timeout (a busy host) reports the answer, not a timeout', async () => {
    // The real dig answers; the wrapper then outlives the probe's timeout, as a starved process does.
    const real = (await execa('sh', ['-c', 'command -v dig'])).stdout.trim();
    const bin = mkdtempSync(path.join(tmpdir(), 'pp-slow-dig-'));
    writeFileSync(path.join(bin, 'dig'), `#!/bin/sh\n"${real}" "$@"\nsleep 5\n`, { mode: 0o755 });
    const getent = (await execa('sh', ['-c', 'command -v getent'])).stdout.trim();
    writeFileSync(path.join(bin, 'getent'), `#!/bin/sh\n"${getent}" "$@"\nsleep 5\n`, { mode: 0o755 });
    const env = { PATH: `${bin}:${process.env.PATH ?? ''}` };
    const { obs } = await runProbes([tcpCall(tcpPort),
      { probe: 'dns-resolve', params: { name: 'missing.pathproof.test', tool: 'dig', resolve_timeout: '2' } },
      { probe: 'dns-resolve', params: { name: 'ok.pathproof.test', tool: 'dig', resolve_timeout: '2' } },
      { probe: 'dns-resolve', params: { name: 'ok.pathproof.test', tool: 'getent', resolve_timeout: '2' } }], { env });
    expect(obs.probes[1]).toMatchObject({ outcome: 'nxdomain', class: 'block' });
    expect(obs.probes[2]).toMatchObject({ outcome: 'resolved', data: { addresses: ['10.1.1.10'] } });
    expect(obs.probes[3]).toMatchObject({ outcome: 'resolved', data: { addresses: ['10.1.1.10'], via: 'getent' } });
  });

  test('what bash said about a connection counts even when timeout ended bash afterwards (a busy host): connected, refused', async () => {
    const real = (await execa('sh', ['-c', 'command -v bash'])).stdout.trim();
    const bin = mkdtempSync(path.join(tmpdir(), 'pp-slow-bash-'));
    writeFileSync(path.join(bin, 'bash'), `#!/bin/sh\n"${real}" "$@"\nsleep 5\n`, { mode: 0o755 });
    const env = { PATH: `${bin}:${process.env.PATH ?? ''}` };
    const { obs } = await runProbes([tcpCall(tcpPort),
      { probe: 'tcp-connect', params: { host: '127.0.0.1', port: String(tcpPort), connect_timeout: '2', attempts: '1' } },
      { probe: 'tcp-connect', params: { host: '127.0.0.1', port: String(closedPort), connect_timeout: '2', attempts: '1' } }], { env });
    expect(obs.probes[1]).toMatchObject({ outcome: 'connected', class: 'success', data: { successes: 1 } });
    // A refusal bash reported stays a refusal, not a timeout.
    expect(obs.probes[2]).toMatchObject({ outcome: 'refused', class: 'block', data: { successes: 0 } });
  });

  test('tcp-connect to a name: the evidence names the address actually used', async () => {
    const { obs } = await runProbes([tcpCall(tcpPort), { probe: 'tcp-connect', params: { host: 'loop.pathproof.test', port: String(tcpPort), connect_timeout: '2', attempts: '1' } }]);
    expect(obs.probes[1]).toMatchObject({ outcome: 'connected', data: { address: '127.0.0.1', successes: 1 } });
  });

  test('tcp-connect after a first lookup that failed (a busy host): the second lookup\'s address is used, never a guess', async () => {
    // A getent that always fails stands for a first lookup that ran out of time; dig then answers.
    const bin = mkdtempSync(path.join(tmpdir(), 'pp-slow-getent-'));
    writeFileSync(path.join(bin, 'getent'), '#!/bin/sh\nexit 2\n', { mode: 0o755 });
    const env = { PATH: `${bin}:${process.env.PATH ?? ''}` };
    const { obs } = await runProbes([tcpCall(tcpPort), { probe: 'tcp-connect', params: { host: 'loop.pathproof.test', port: String(tcpPort), connect_timeout: '2', attempts: '1' } }], { env });
    expect(obs.probes[1]).toMatchObject({ outcome: 'connected', data: { address: '127.0.0.1', successes: 1 } });
    // A name that does not exist still reads NXDOMAIN: the retry finds no address to use.
    const gone = await runProbes([tcpCall(tcpPort), { probe: 'tcp-connect', params: { host: 'gone.pathproof.test', port: String(tcpPort), connect_timeout: '2', attempts: '1' } }], { env });
    expect(gone.obs.probes[1]).toMatchObject({ outcome: 'nxdomain', data: { attempts: 0 } });
  });

  test('a resolver that does not answer is never reported as NXDOMAIN', async () => {
    const name = { probe: 'tcp-connect', params: { host: 'ok.pathproof.test', port: '443', connect_timeout: '2', attempts: '1' } };
    const https = { probe: 'https-request', params: { host: 'ok.pathproof.test', port: '443', connect_timeout: '2', max_time: '3' } };
    // With dig on the host the probe can tell: the resolver did not answer.
    const { obs } = await runProbes([tcpCall(tcpPort), name, https], { nameserver: '127.0.0.78' });
    expect(obs.probes[1]).toMatchObject({ outcome: 'no-resolver', class: 'block' });
    expect(obs.probes[2]).toMatchObject({ outcome: 'no-resolver', class: 'block' });
    // Without dig, getent cannot tell them apart, and the probe says so instead of guessing nxdomain.
    const bin = mkdtempSync(path.join(tmpdir(), 'pp-bin-'));
    for (const t of ['sh', 'bash', 'timeout', 'cat', 'head', 'tr', 'sed', 'grep', 'date', 'mkdir', 'mktemp', 'rm', 'getent', 'curl']) symlinkSync(`/usr/bin/${t}`.replace('/usr/bin/sh', '/bin/sh'), path.join(bin, t));
    const { obs: plain } = await runProbes([tcpCall(tcpPort), name, https], { nameserver: '127.0.0.78', env: { PATH: bin } });
    for (const p of plain.probes.slice(1)) expect(p).toMatchObject({ outcome: 'not-found', class: 'block', data: { detail: expect.stringMatching(/cannot tell them apart/) } });
  });

  test('option-like values never reach a tool as options (defence behind the parameter patterns)', async () => {
    // These bypass the loader on purpose: the scripts themselves must not be fooled.
    const { obs } = await runProbes([tcpCall(tcpPort),
      { probe: 'tcp-connect', params: { host: '--help', port: String(tcpPort), connect_timeout: '2', attempts: '1' } },
      { probe: 'tcp-connect', params: { host: '127.0.0.1', port: String(tcpPort), connect_timeout: '--help', attempts: '1' } },
      { probe: 'https-request', params: { host: '--help', port: '443', connect_timeout: '2', max_time: '3' } },
      { probe: 'tls-handshake', params: { host: '-V', port: '443', connect_timeout: '2', max_time: '3' } },
      { probe: 'dns-resolve', params: { name: '-v', tool: 'dig', resolve_timeout: '2' } },
      { probe: 'dns-resolve', params: { name: '--help', tool: 'getent', resolve_timeout: '2' } },
    ]);
    for (const p of obs.probes.slice(1)) expect(p.class, `${p.probe} ${p.raw}`).not.toBe('success');
  });

  test('tls-handshake and https-request: verified name, wrong name, untrusted CA, HTTP status and request id', async () => {
    const tls = (host: string) => ({ probe: 'tls-handshake', params: { host, port: String(httpsPort), address: '127.0.0.1', connect_timeout: '2', max_time: '4' } });
    const env = { CURL_CA_BUNDLE: caFile };
    const { obs } = await runProbes([
      tcpCall(tcpPort), tls('svc.pathproof.test'), tls('other.pathproof.test'),
      { probe: 'https-request', params: { host: 'svc.pathproof.test', port: String(httpsPort), address: '127.0.0.1', method: 'POST', path: '/model/anthropic.claude-3/invoke', scheme: 'https', connect_timeout: '2', max_time: '4' } },
      { probe: 'https-request', params: { host: 'svc.pathproof.test', port: String(httpsPort), address: '127.0.0.1', method: 'POST', path: '/model/denied/invoke', scheme: 'https', connect_timeout: '2', max_time: '4' } },
    ], { env });
    const [, ok, wrong, invoke, denied] = obs.probes;
    expect(ok).toMatchObject({ outcome: 'verified', class: 'success', data: { ip: '127.0.0.1', sni: 'svc.pathproof.test' } });
    expect(wrong).toMatchObject({ outcome: 'cert-invalid', class: 'block' });
    expect(invoke).toMatchObject({ outcome: 'http', data: { status: 200, requestId: 'req-123' } });
    expect(denied).toMatchObject({ outcome: 'http', data: { status: 403 } });
    const { obs: untrusted } = await runProbes([tcpCall(tcpPort), tls('svc.pathproof.test')]);
    expect(untrusted.probes[1]).toMatchObject({ outcome: 'cert-invalid' });
  });

  test('http-exfil reports delivered when a sink answers and refused when none listens', async () => {
    const sink = net.createServer((s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
    const port = await listen(sink);
    const { obs } = await runProbes([tcpCall(tcpPort),
      { probe: 'http-exfil', params: { host: '127.0.0.1', port: String(port), scheme: 'http', marker: 'pp-m1', attempts: '2', connect_timeout: '2', max_time: '3' } },
      { probe: 'http-exfil', params: { host: '127.0.0.1', port: String(closedPort), scheme: 'http', marker: 'pp-m1', attempts: '1', connect_timeout: '2', max_time: '3' } }]);
    sink.close();
    expect(obs.probes[1]).toMatchObject({ outcome: 'delivered', class: 'success', data: { successes: 2, status: 200, marker: 'pp-m1' } });
    expect(obs.probes[2]).toMatchObject({ outcome: 'refused', class: 'block', data: { successes: 0 } });
  });

  test('a missing tool is reported as tool-missing (class error), never as a block', async () => {
    // A PATH with only sh and the basics: no bash, no curl, no dig.
    const bin = mkdtempSync(path.join(tmpdir(), 'pp-bin-'));
    for (const t of ['sh', 'timeout', 'cat', 'head', 'tr', 'sed', 'grep', 'date', 'mkdir', 'mktemp', 'rm', 'getent']) symlinkSync(`/usr/bin/${t}`.replace('/usr/bin/sh', '/bin/sh'), path.join(bin, t));
    const { obs } = await runProbes([tcpCall(tcpPort), { probe: 'tls-handshake', params: { host: 'svc.pathproof.test', port: '443' } },
      { probe: 'dns-resolve', params: { name: 'ok.pathproof.test', tool: 'dig' } }, { probe: 'imds', params: {} }], { env: { PATH: bin } });
    expect(obs.probes[0]).toMatchObject({ outcome: 'tool-missing', class: 'error', data: { tool: 'bash' } });
    expect(obs.probes[1]).toMatchObject({ outcome: 'tool-missing', data: { tool: 'curl' } });
    expect(obs.probes[2]).toMatchObject({ outcome: 'tool-missing', data: { tool: 'dig' } });
    expect(obs.probes[3]).toMatchObject({ outcome: 'tool-missing', data: { tool: 'curl' } });
    expect(obs.truncated).toBe(false);
  });

  test('a probe that overruns its time-out is killed and reported probe-timeout; the batch still ends', async () => {
    const slow = new Map([['slow', { script: 'sleep 5\npp_emit done\n', outcomes: { done: 'success' as const } }]]);
    const t0 = Date.now();
    const { obs } = await runProbes([{ probe: 'slow', params: {}, timeoutSeconds: 1 }], { defs: slow });
    expect(Date.now() - t0).toBeLessThan(4500);
    expect(obs.probes[0]).toMatchObject({ outcome: 'probe-timeout', class: 'error', rc: 124 });
    expect(obs.truncated).toBe(false);
  });

  test('a probe line longer than the bound becomes an error line, so a batch can never outgrow its share of the output', async () => {
    const chatty = new Map([
      ['chatty', { script: `printf '{"r":"done","detail":"%s"}\\n' "$(head -c ${MAX_PROBE_LINE} /dev/zero | tr '\\0' x)"\n`, outcomes: { done: 'success' as const } }],
      ['terse', { script: `printf '{"r":"done","detail":"%s"}\\n' "$(head -c 700 /dev/zero | tr '\\0' x)"\n`, outcomes: { done: 'success' as const } }],
    ]);
    const { obs, stdout } = await runProbes([{ probe: 'terse', params: {} }, { probe: 'chatty', params: {} }], { defs: chatty });
    expect(obs.probes[0]).toMatchObject({ outcome: 'done', class: 'success' });
    expect(obs.probes[1]).toMatchObject({ outcome: 'probe-crashed', class: 'error', data: { stderr: `probe output longer than ${MAX_PROBE_LINE} characters` } });
    for (const line of stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(MAX_WRAPPED_LINE);
    expect(obs.truncated).toBe(false);
  });

  test('a control that fails its first try is tried once more, and the evidence says so; one that never succeeds stays failed', async () => {
    // Fails the first time it runs in a batch directory, succeeds the second: a slow start on a busy host.
    const flaky = new Map([
      ['flaky', { script: 'if [ -e "$PP_TMP/../seen" ]; then pp_emit up; else : >"$PP_TMP/../seen"; pp_emit down; fi\n', outcomes: { up: 'success' as const, down: 'error' as const } }],
      ['dead', { script: 'pp_emit down\n', outcomes: { up: 'success' as const, down: 'error' as const } }],
    ]);
    const once = await runProbes([{ probe: 'flaky', params: {}, retryUnless: ['up'] }], { defs: flaky });
    expect(once.obs.probes[0]).toMatchObject({ outcome: 'up', class: 'success', data: { tries: 2 } });
    const never = await runProbes([{ probe: 'dead', params: {}, retryUnless: ['up'] }], { defs: flaky });
    expect(never.obs.probes[0]).toMatchObject({ outcome: 'down', class: 'error', data: { tries: 2 } });
    const noRetry = await runProbes([{ probe: 'flaky', params: {} }], { defs: flaky });
    expect(noRetry.obs.probes[0]).toMatchObject({ outcome: 'down', class: 'error' });
    expect(noRetry.obs.probes[0]!.data.tries).toBeUndefined();
  });
});
