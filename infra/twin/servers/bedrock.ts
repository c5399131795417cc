/**
 * The twin's Bedrock endpoints speak Bedrock: HTTP/2 over TLS (ALPN h2, as the AWS SDK requires)
 * and HTTP/1.1 for curl, the runtime's four calls in their real shapes, streams in AWS's binary
 * event-stream framing, and errors with AWS's `x-amzn-ErrorType` header and JSON body.
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModelWithResponseStream.html
 *
 * The twin's own knobs ride in the request body, where a real model ignores unknown fields
 * (`additionalModelRequestFields` for Converse, the model body for InvokeModel):
 * `pathproof_gap_ms` paces a stream (a gap before every event, to test idle time-outs), and
 * `pathproof_corrupt_frame` sends a stream frame with a broken checksum (the SDK must fail).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http2 from 'node:http2';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
// The twin's Bedrock endpoints and the endpoint-policy assertion share one evaluator (model/).
// That is acceptable because neither is the other's witness: the live NET-002 checks observe the
// twin's answer through a real TLS call, and the assertion reads the policy from the API; what the
// shared evaluator models (AWS's policy evaluation) is tested on its own in test/unit. A bug in it
// would misjudge both the same way, so the mutation proof (an allow-all policy must FAIL both the
// live 403 check and the assertion) keeps it honest against AWS's documented semantics.
import { evaluateEndpointPolicy, explicitDeny, identityAllows } from '../../../src/model/endpoint-policy.ts';
import { verifySigV4 } from '../sigv4.ts';
import type { Identity } from './identities.ts';

const ACCOUNT = '123456789012';

/** Who signed the call (the access key IMDS handed out), as the request's authorization header names it. */
function signer(l: BedrockListener, req: Req): { keyId: string; who?: Identity } {
  const keyId = /Credential=([^/]+)\//.exec(String(req.headers.authorization ?? ''))?.[1] ?? '';
  return { keyId, who: l.identities?.[keyId] };
}

/** The caller's ARN as AWS prints it in a refusal: the role session of the instance profile. */
const roleArn = (who: Identity) => `arn:aws:sts::${ACCOUNT}:assumed-role/${who.role}/${who.instance}`;

/** The caller's ARN as AWS's messages give it: the role session of the signing key, or anonymous. */
function callerOf(l: BedrockListener, req: Req): string {
  const { who } = signer(l, req);
  return who ? roleArn(who) : 'anonymous';
}

/**
 * Only a signed call goes on: the access key must be one IMDS handed out, with its session token, and the
 * signature right (AWS's answers otherwise); then the role's identity policies decide, with the
 * request context a call through this listener carries: an endpoint adds aws:SourceVpce and
 * aws:SourceVpc, the public endpoint adds neither. Undefined when the call may go on.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
async function authorize(l: BedrockListener, req: Req, body: Buffer, action: string, resource: string): Promise<{ status: number; type: string; message: string; caller?: string } | undefined> {
  const auth = String(req.headers.authorization ?? '');
  // An unsigned call is refused before any policy is read, as Bedrock does: 403, x-amzn-ErrorType
  // AccessDeniedException, {"Message":"Authorization header is missing"}, with a request id (seen
  // in karthink/gptel#1397 and anthropics/claude-code#45000). A call that proves only the path may
  // be unsigned; one that tests a policy must sign.
  if (!auth) return { status: 403, type: 'AccessDeniedException', message: 'Authorization header is missing' };
  const { keyId, who } = signer(l, req);
  if (!who || req.headers['x-amz-security-token'] !== who.token) return { status: 403, type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
  const headers = { ...req.headers, host: req.headers.host ?? String(req.headers[':authority'] ?? '') };
  const bad = await verifySigV4({ method: req.method ?? 'GET', url: req.url ?? '/', headers }, body, { accessKeyId: keyId, secretAccessKey: who.secret });
  if (bad) return { status: 403, type: bad.code, message: bad.message };
  const caller = roleArn(who);
  const context = l.public ? {} : { 'aws:SourceVpce': l.vpce, 'aws:SourceVpc': l.vpcId };
  const deny = explicitDeny(who.policies, action, resource, context).deny;
  if (deny) return { status: 403, type: 'AccessDeniedException', message: `User: ${caller} is not authorized to perform: ${action} on resource: ${resource} with an explicit deny in an identity-based policy`, caller };
  if (!identityAllows(who.policies, action, resource, context)) return { status: 403, type: 'AccessDeniedException', message: `User: ${caller} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`, caller };
  return undefined;
}

export interface BedrockListener {
  kind: 'bedrock'; host: string; port: number; name: string; cert: string; key: string; service: string; region: string; policy: unknown; public: boolean;
  /** Instance-profile credentials by access key id: a signed call is verified and its role's identity policies evaluated. */
  identities?: Readonly<Record<string, Identity>>;
  /** For an endpoint's ENI: the request context keys a call through it carries (aws:SourceVpce, aws:SourceVpc). */
  vpce?: string;
  vpcId?: string;
}

type Req = IncomingMessage | http2.Http2ServerRequest;
type Res = ServerResponse | http2.Http2ServerResponse;

const codec = new EventStreamCodec(toUtf8, fromUtf8);
const TEXT = 'pathproof twin';

/** Maps a Bedrock request to the IAM action and resource an endpoint policy is evaluated on. */
export function bedrockAction(service: string, region: string, method: string, url: string): { action: string; resource: string } {
  const m = /^\/model\/([^/]+)\/(invoke-with-response-stream|invoke|converse-stream|converse)$/.exec(url.split('?')[0] ?? '');
  if (service === 'bedrock-runtime' && m) {
    const modelId = decodeURIComponent(m[1]!);
    // Converse and ConverseStream are authorized as InvokeModel and InvokeModelWithResponseStream.
    const action = m[2]!.includes('stream') ? 'bedrock:InvokeModelWithResponseStream' : 'bedrock:InvokeModel';
    return { action, resource: `arn:aws:bedrock:${region}::foundation-model/${modelId}` };
  }
  if (service === 'bedrock-agent-runtime') return { action: method === 'GET' ? 'bedrock:GetAgentMemory' : 'bedrock:InvokeAgent', resource: '*' };
  if (service === 'bedrock-agent') return { action: 'bedrock:ListAgents', resource: '*' };
  return { action: 'bedrock:ListFoundationModels', resource: '*' };
}

function send(res: Res, status: number, payload: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID(), ...headers });
  res.end(JSON.stringify(payload));
}

/** AWS's error shape: the type in x-amzn-ErrorType, the message in the body. */
function fail(res: Res, status: number, type: string, message: string): void {
  send(res, status, { message }, { 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/` });
}

function event(type: string, body: unknown, corrupt = false): Uint8Array {
  const frame = codec.encode({
    headers: { ':event-type': { type: 'string', value: type }, ':message-type': { type: 'string', value: 'event' }, ':content-type': { type: 'string', value: 'application/json' } },
    body: fromUtf8(JSON.stringify(body)),
  });
  // The last four bytes are the message CRC: flipping one makes the frame invalid.
  if (corrupt) frame[frame.length - 1] = (frame[frame.length - 1] ?? 0) ^ 0xff;
  return frame;
}

async function stream(res: Res, events: readonly [string, unknown][], gapMs: number, corrupt: boolean): Promise<void> {
  res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': randomUUID(), 'x-amzn-bedrock-content-type': 'application/json' });
  for (const [i, [type, body]] of events.entries()) {
    if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
    if (res.destroyed) return;
    (res as ServerResponse).write(event(type, body, corrupt && i === 1));
  }
  res.end();
}

/** The runtime's four calls. `body` is the request body, already parsed. */
async function runtime(res: Res, call: string, modelId: string, body: Record<string, unknown>): Promise<void> {
  const knobs = (call.startsWith('converse') ? (body.additionalModelRequestFields as Record<string, unknown> | undefined) : body) ?? {};
  const gapMs = Math.min(Number(knobs.pathproof_gap_ms) || 0, 600_000);
  const corrupt = knobs.pathproof_corrupt_frame === true;
  const usage = { inputTokens: 8, outputTokens: 3, totalTokens: 11 };
  if (call.startsWith('converse') && !Array.isArray(body.messages)) return fail(res, 400, 'ValidationException', '1 validation error detected: Value null at \'messages\' failed to satisfy constraint: Member must not be null');
  switch (call) {
    case 'invoke':
      return send(res, 200, { id: `msg_${randomUUID()}`, type: 'message', role: 'assistant', model: modelId, content: [{ type: 'text', text: TEXT }], stop_reason: 'end_turn', usage: { input_tokens: 8, output_tokens: 3 } });
    case 'converse':
      return send(res, 200, { output: { message: { role: 'assistant', content: [{ text: TEXT }] } }, stopReason: 'end_turn', usage, metrics: { latencyMs: 1 } });
    case 'converse-stream':
      return stream(res, [
        ['messageStart', { role: 'assistant' }],
        ...TEXT.split(' ').map((w, i): [string, unknown] => ['contentBlockDelta', { contentBlockIndex: 0, delta: { text: i ? ` ${w}` : w } }]),
        ['contentBlockStop', { contentBlockIndex: 0 }],
        ['messageStop', { stopReason: 'end_turn' }],
        ['metadata', { usage, metrics: { latencyMs: 1 } }],
      ], gapMs, corrupt);
    default: {
      // InvokeModelWithResponseStream: `chunk` events whose bytes are the model's own stream events.
      const chunk = (e: unknown): [string, unknown] => ['chunk', { bytes: Buffer.from(JSON.stringify(e)).toString('base64') }];
      return stream(res, [
        chunk({ type: 'message_start', message: { role: 'assistant', model: modelId } }),
        ...TEXT.split(' ').map((w, i) => chunk({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: i ? ` ${w}` : w } })),
        chunk({ type: 'message_stop' }),
      ], gapMs, corrupt);
    }
  }
}

/** One read call per other service, in its real shape. */
function read(res: Res, service: string): void {
  if (service === 'bedrock-agent') return send(res, 200, { agentSummaries: [] });
  if (service === 'bedrock-agent-runtime') return send(res, 200, { memoryContents: [] });
  return send(res, 200, { modelSummaries: [{ modelId: 'anthropic.claude-3-haiku-20240307-v1:0', modelName: 'Claude 3 Haiku', providerName: 'Anthropic', inputModalities: ['TEXT'], outputModalities: ['TEXT'], responseStreamingSupported: true }] });
}

export function startBedrock(l: BedrockListener, record: (entry: Record<string, unknown>) => void): Promise<void> {
  const server = http2.createSecureServer({ key: readFileSync(l.key), cert: readFileSync(l.cert), allowHTTP1: true }, (req: Req, res: Res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => { if (chunks.length < 64) chunks.push(c); });
    req.on('end', async () => {
      const url = req.url ?? '/';
      const { action, resource } = bedrockAction(l.service, l.region, req.method ?? 'GET', url);
      const refused = await authorize(l, req, Buffer.concat(chunks), action, resource).catch(() => ({ status: 500, type: 'InternalServerException', message: 'The twin could not evaluate the request.' }));
      const decision = refused ? { allowed: false, reason: refused.type } : l.public ? { allowed: true, reason: 'public endpoint' } : evaluateEndpointPolicy(l.policy, action, resource);
      const socket = req.socket as import('node:tls').TLSSocket;
      record({ kind: 'bedrock', name: l.name, host: l.host, from: socket.remoteAddress?.replace(/^::ffff:/, '') ?? '', method: req.method, path: url, action, resource, allowed: decision.allowed, public: l.public, sni: socket.servername ?? null, http: req.httpVersion, signed: !!req.headers.authorization, ...(refused ? { refused: refused.type } : {}) });
      if (refused) return fail(res, refused.status, refused.type, refused.message);
      // AWS's wording, which names the refusing policy (IAM's access-denied messages): "because no
      // VPC endpoint policy allows the <action> action", "with an explicit deny in a VPC endpoint policy".
      if (!decision.allowed) return fail(res, 403, 'AccessDeniedException', `User: ${callerOf(l, req)} is not authorized to perform: ${action} on resource: ${resource} ${/explicit deny/.test(decision.reason) ? 'with an explicit deny in a VPC endpoint policy' : `because no VPC endpoint policy allows the ${action} action`}`);
      const m = /^\/model\/([^/]+)\/(invoke-with-response-stream|invoke|converse-stream|converse)$/.exec(url.split('?')[0] ?? '');
      if (l.service !== 'bedrock-runtime' || !m) return read(res, l.service);
      let body: Record<string, unknown> = {};
      try { body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> : {}; } catch {
        return fail(res, 400, 'ValidationException', 'Malformed input request, please reformat your input and try again.');
      }
      void runtime(res, m[2]!, decodeURIComponent(m[1]!), body).catch(() => res.destroy());
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(l.port, l.host, () => resolve());
  });
}
