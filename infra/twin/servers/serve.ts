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
// The twin's Bedrock endpoints and the endpoint-policy assertion share one evaluator (model/).
// That is acceptable because neither is the other's witness: the live NET-002 checks observe the
// twin's answer through a real TLS call, and the assertion reads the policy from the API; what the
// shared evaluator models (AWS's policy evaluation) is tested on its own in test/unit. A bug in it
// would misjudge both the same way, so the mutation proof (an allow-all policy must FAIL both the
// live 403 check and the assertion) keeps it honest against AWS's documented semantics.
import { evaluateEndpointPolicy } from '../../../src/model/endpoint-policy.ts';
import { startResolver, type ResolverListener } from './resolver.ts';

export type Listener =
  | { kind: 'tcp'; host: string; port: number; name: string }
  | { kind: 'https'; host: string; port: number; name: string; cert: string; key: string }
  | { kind: 'bedrock'; host: string; port: number; name: string; cert: string; key: string; service: string; region: string; policy: unknown; public: boolean }
  | { kind: 'sink'; host: string; port: number; name: string }
  | { kind: 'imds'; host: string; port: number; name: string; instances: Record<string, { id: string; enabled: boolean }> }
  | ResolverListener;

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

/** Maps a Bedrock request to the IAM action and resource an endpoint policy is evaluated on. */
export function bedrockAction(service: string, region: string, method: string, url: string): { action: string; resource: string } {
  const m = /^\/model\/([^/]+)\/(invoke-with-response-stream|invoke|converse-stream|converse)$/.exec(url.split('?')[0] ?? '');
  if (service === 'bedrock-runtime' && m) {
    const modelId = decodeURIComponent(m[1]!);
    const action = m[2]!.includes('stream') ? 'bedrock:InvokeModelWithResponseStream' : 'bedrock:InvokeModel';
    return { action, resource: `arn:aws:bedrock:${region}::foundation-model/${modelId}` };
  }
  if (service === 'bedrock-agent-runtime') return { action: method === 'GET' ? 'bedrock:GetAgentMemory' : 'bedrock:InvokeAgent', resource: '*' };
  if (service === 'bedrock-agent') return { action: 'bedrock:ListAgents', resource: '*' };
  return { action: 'bedrock:ListFoundationModels', resource: '*' };
}

function start(l: Listener, file: string): Promise<void> {
  const from = (s: net.Socket) => s.remoteAddress?.replace(/^::ffff:/, '') ?? '';
  let server: net.Server;
  switch (l.kind) {
    case 'resolver':
      return startResolver(l, (entry) => record(file, entry));
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
        if (req.url === '/latest/meta-data/instance-id') {
          if (!req.headers['x-aws-ec2-metadata-token']) { res.writeHead(401); res.end(); return; }
          res.end(inst.id);
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
        json(res, 200, { service: l.name, ok: true });
      });
      break;
    case 'bedrock':
      server = https.createServer({ key: readFileSync(l.key), cert: readFileSync(l.cert) }, async (req, res) => {
        await body(req);
        const { action, resource } = bedrockAction(l.service, l.region, req.method ?? 'GET', req.url ?? '/');
        const decision = l.public ? { allowed: true, reason: 'public endpoint' } : evaluateEndpointPolicy(l.policy, action, resource);
        record(file, { kind: 'bedrock', name: l.name, host: l.host, from: from(req.socket), method: req.method, path: req.url, action, resource, allowed: decision.allowed, public: l.public, sni: (req.socket as import('node:tls').TLSSocket).servername ?? null });
        if (!decision.allowed) {
          json(res, 403, { message: `User is not authorized to perform: ${action} on resource: ${resource} because ${decision.reason}` }, { 'x-amzn-ErrorType': 'AccessDeniedException' });
          return;
        }
        json(res, 200, action.startsWith('bedrock:Invoke')
          ? { id: randomUUID(), type: 'message', content: [{ type: 'text', text: 'pathproof twin' }], stop_reason: 'end_turn' }
          : { service: l.service, items: [] });
      });
      break;
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
