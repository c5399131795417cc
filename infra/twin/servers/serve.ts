/**
 * The twin's service emulators, one process per namespace (`ip netns exec NS node --import tsx serve.ts CONFIG`).
 * Every hit is appended to a JSON-lines record so tests and checks can ask "what reached you?".
 * Prints "ready" once every listener is bound.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { randomUUID } from 'node:crypto';
import type { BedrockListener } from './bedrock.ts';
import type { ResolverListener } from './resolver.ts';
import type { AlbListener } from './alb.ts';
import type { InstanceCredentials } from './identities.ts';

export type Listener =
  | { kind: 'tcp'; host: string; port: number; name: string }
  | { kind: 'https'; host: string; port: number; name: string; cert: string; key: string }
  | BedrockListener
  | { kind: 'sink'; host: string; port: number; name: string }
  | { kind: 'imds'; host: string; port: number; name: string; instances: Record<string, { id: string; enabled: boolean; credentials?: InstanceCredentials }> }
  | ResolverListener
  | AlbListener;

export interface ServeConfig { readonly listeners: readonly Listener[]; readonly record: string }

function record(file: string, entry: Record<string, unknown>): void {
  appendFileSync(file, `${JSON.stringify({ t: new Date().toISOString(), ...entry })}\n`);
}

function body(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let data = '';
    req.on('data', (c: Buffer) => { if (data.length < 4096) data += c.toString('utf8'); });
    req.on('end', () => resolve(data));
    req.on('error', () => resolve(data));
  });
}

function json(res: http.ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-RequestId': randomUUID(), ...headers });
  res.end(JSON.stringify(payload));
}

async function start(l: Listener, file: string): Promise<void> {
  const from = (s: net.Socket) => s.remoteAddress?.replace(/^::ffff:/, '') ?? '';
  let server: net.Server;
  switch (l.kind) {
    case 'resolver':
      // Each kind's code loads only in the processes that serve it (most serve plain TCP or HTTP):
      // a dozen of these start with every twin.
      return (await import('./resolver.ts')).startResolver(l, (entry) => record(file, entry));
    case 'tcp':
      server = net.createServer((s) => { record(file, { kind: 'tcp', name: l.name, host: l.host, port: l.port, from: from(s) }); s.end(); });
      break;
    case 'sink':
      server = http.createServer(async (req, res) => {
        const text = await body(req);
        const marker = req.headers['x-pathproof-marker'] ?? /marker=([a-z0-9-]+)/.exec(text)?.[1] ?? null;
        record(file, { kind: 'sink', name: l.name, host: l.host, port: l.port, from: from(req.socket), method: req.method, path: req.url, marker });
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('received\n');
      });
      break;
    case 'imds':
      server = http.createServer((req, res) => {
        const src = from(req.socket);
        const inst = l.instances[src];
        record(file, { kind: 'imds', name: l.name, from: src, path: req.url, instance: inst?.id ?? null });
        if (!inst || !inst.enabled) { req.socket.destroy(); return; }
        if (req.method === 'PUT' && req.url === '/latest/api/token') { res.end(`token-${randomUUID()}`); return; }
        // IMDSv2 only (HttpTokens: required): every read needs the session token.
        if (req.url?.startsWith('/latest/meta-data/') && !req.headers['x-aws-ec2-metadata-token']) { res.writeHead(401); res.end(); return; }
        if (req.url === '/latest/meta-data/instance-id') { res.end(inst.id); return; }
        // The instance profile's credentials, in IMDS's shape (what the SDKs' and the CLI's credential chain reads).
        // https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html#instance-metadata-security-credentials
        const c = inst.credentials;
        if (c && req.url === '/latest/meta-data/iam/security-credentials/') { res.end(c.role); return; }
        if (c && req.url === `/latest/meta-data/iam/security-credentials/${c.role}`) {
          const now = new Date();
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end(JSON.stringify({ Code: 'Success', LastUpdated: now.toISOString().replace(/\.\d+Z$/, 'Z'), Type: 'AWS-HMAC', AccessKeyId: c.AccessKeyId, SecretAccessKey: c.SecretAccessKey, Token: c.Token, Expiration: new Date(now.getTime() + 6 * 3600_000).toISOString().replace(/\.\d+Z$/, 'Z') }, null, 2));
          return;
        }
        res.writeHead(404);
        res.end();
      });
      break;
    case 'https':
      server = https.createServer({ key: readFileSync(l.key), cert: readFileSync(l.cert) }, async (req, res) => {
        await body(req);
        record(file, { kind: 'https', name: l.name, host: l.host, port: l.port, from: from(req.socket), method: req.method, path: req.url });
        // A streamed answer with one idle gap, as a model proxy relays a model that pauses:
        // GET /stream/N sends an event, waits N seconds, sends the last one.
        const gap = /^\/stream\/(\d{1,3})$/.exec(req.url ?? '');
        if (gap) {
          res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
          res.write('event: start\ndata: {}\n\n');
          const t = setTimeout(() => res.end('event: stop\ndata: {}\n\n'), Math.min(Number(gap[1]), 900) * 1000);
          res.on('close', () => clearTimeout(t));
          return;
        }
        json(res, 200, { service: l.name, ok: true });
      });
      break;
    case 'bedrock':
      return (await import('./bedrock.ts')).startBedrock(l, (entry) => record(file, entry));
    case 'alb':
      return (await import('./alb.ts')).startAlb(l, (entry) => record(file, entry)).then(() => undefined);
  }
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(l.port, l.host, () => resolve());
  });
}

async function main(): Promise<void> {
  const config = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as ServeConfig;
  await Promise.all(config.listeners.map((l) => start(l, config.record)));
  process.stdout.write('ready\n');
  process.on('SIGTERM', () => process.exit(0));
}

if (process.argv[2]) {
  main().catch((e: unknown) => {
    process.stderr.write(`serve: ${(e as Error).message}\n`);
    process.exit(1);
  });
}
