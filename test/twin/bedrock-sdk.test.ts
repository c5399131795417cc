/**
 * The twin's Bedrock speaks Bedrock, proven by the real AWS SDK: @aws-sdk/client-bedrock-runtime runs
 * inside the inference zone (`ip netns exec`, trusting the twin CA), calls the standard hostname
 * (private DNS answers the endpoint's address over the peering) over HTTP/2, and does Converse,
 * ConverseStream, InvokeModel and InvokeModelWithResponseStream; the endpoint policy's refusal is
 * AccessDeniedException; a paced stream keeps its gaps; a corrupted event-stream frame fails the SDK.
 * The SDK signs with the instance profile's credentials, read from the twin's IMDS by its default
 * chain; the twin verifies the signature. The public stand-in evaluates the role's identity deny:
 * the same credentials are refused there, and honoured once the deny is removed.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DeleteRolePolicyCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { startLab, type StartedLab } from '../../infra/twin/lab.ts';
import { instanceCredentials } from '../../infra/twin/servers/identities.ts';
import { ROOT } from '../helpers/paths.ts';
import { inInstance, newTestRunId, ownLeftovers } from '../helpers/lab.ts';

const runIds: string[] = [];
// One lab for both tests (a lab costs seconds of CPU): the second changes IAM and rebuilds it.
let lab: StartedLab;
beforeAll(async () => { lab = await startLab({ root: ROOT, runId: newTestRunId('sdk', runIds), log: () => {} }); });
afterAll(async () => {
  await lab?.[Symbol.asyncDispose]();
  expect(await ownLeftovers(runIds)).toEqual({ namespaces: [], processes: [] });
});

const SCRIPT = (sdk: string) => `
import { BedrockRuntimeClient, ConverseCommand, ConverseStreamCommand, InvokeModelCommand, InvokeModelWithResponseStreamCommand } from ${JSON.stringify(sdk)};
// No credentials given: the SDK's default chain finds the instance profile through IMDS (IMDSv2).
const client = new BedrockRuntimeClient({ region: 'ap-southeast-2', maxAttempts: 1 });
const allowed = 'anthropic.claude-3-haiku-20240307-v1:0';
const messages = [{ role: 'user', content: [{ text: 'ping' }] }];
const out = {};
const attempt = async (name, f) => { try { out[name] = await f(); } catch (e) { out[name] = { error: e.name, message: String(e.message).slice(0, 200) }; } };
await attempt('converse', async () => (await client.send(new ConverseCommand({ modelId: allowed, messages }))).output.message.content[0].text);
await attempt('converseStream', async () => {
  const t0 = Date.now(); const r = await client.send(new ConverseStreamCommand({ modelId: allowed, messages, additionalModelRequestFields: { pathproof_gap_ms: 300 } }));
  const events = []; let text = '';
  for await (const e of r.stream) { const k = Object.keys(e)[0]; events.push(k); if (e.contentBlockDelta) text += e.contentBlockDelta.delta.text; }
  return { events, text, ms: Date.now() - t0 };
});
await attempt('invoke', async () => JSON.parse(new TextDecoder().decode((await client.send(new InvokeModelCommand({ modelId: allowed, contentType: 'application/json', body: JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 10, messages: [{ role: 'user', content: 'ping' }] }) }))).body)).content[0].text);
await attempt('invokeStream', async () => {
  const r = await client.send(new InvokeModelWithResponseStreamCommand({ modelId: allowed, contentType: 'application/json', body: JSON.stringify({ max_tokens: 10 }) }));
  const types = []; for await (const e of r.body) types.push(JSON.parse(new TextDecoder().decode(e.chunk.bytes)).type); return types;
});
await attempt('denied', async () => (await client.send(new ConverseCommand({ modelId: 'meta.llama3-70b-instruct-v1:0', messages }))).output);
await attempt('invalid', async () => (await client.send(new ConverseCommand({ modelId: allowed, messages: undefined }))).output);
await attempt('corrupt', async () => {
  const r = await client.send(new ConverseStreamCommand({ modelId: allowed, messages, additionalModelRequestFields: { pathproof_corrupt_frame: true } }));
  const events = []; for await (const e of r.stream) events.push(Object.keys(e)[0]); return events;
});
process.stdout.write(JSON.stringify(out));
`;

describe('Bedrock on the private path, through the real SDK', () => {
  test('Converse, ConverseStream, InvokeModel and InvokeModelWithResponseStream over HTTP/2 from the inference zone; AccessDenied, ValidationException, pacing and a corrupted frame', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pp-sdk-'));
    const script = path.join(dir, 'sdk.mjs');
    writeFileSync(script, SCRIPT(pathToFileURL(path.join(ROOT, 'node_modules/@aws-sdk/client-bedrock-runtime/dist-cjs/index.js')).href));
    const ns = inInstance(lab, 'probe-inference').ns;
    const r = await execa('ip', ['netns', 'exec', ns, process.execPath, script], { reject: false, timeout: 60_000, extendEnv: false, env: { PATH: process.env.PATH ?? '', NODE_EXTRA_CA_CERTS: path.join(lab.runDir, 'pki', 'ca.pem'), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_CONFIG_FILE: '/dev/null' } });
    expect(r.exitCode, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out.converse).toBe('pathproof twin');
    expect(out.converseStream).toMatchObject({ events: ['messageStart', 'contentBlockDelta', 'contentBlockDelta', 'contentBlockStop', 'messageStop', 'metadata'], text: 'pathproof twin' });
    // Six events with a 300 ms gap before each: the pacing is kept, not batched.
    expect((out.converseStream as { ms: number }).ms).toBeGreaterThanOrEqual(1700);
    expect(out.invoke).toBe('pathproof twin');
    expect(out.invokeStream).toEqual(['message_start', 'content_block_delta', 'content_block_delta', 'message_stop']);
    expect(out.denied).toMatchObject({ error: 'AccessDeniedException' });
    expect(out.invalid).toMatchObject({ error: 'ValidationException' });
    expect((out.corrupt as { error?: string }).error, JSON.stringify(out.corrupt)).toBeTruthy();
    // The calls went to the private endpoint's address, over HTTP/2.
    const records = Object.values(lab.applied.records).flatMap((f) => readFileSync(f, 'utf8').split('\n').filter((l) => l.includes('"kind":"bedrock"')).map((l) => JSON.parse(l) as { from: string; http: string; public: boolean; sni: string }));
    const fromInference = records.filter((x) => x.from === '10.0.2.10');
    expect(fromInference.length).toBeGreaterThanOrEqual(7);
    expect(new Set(fromInference.map((x) => `${x.http} ${x.public ? 'public' : 'private'} ${x.sni}`))).toEqual(new Set(['2.0 private bedrock-runtime.ap-southeast-2.amazonaws.com']));
    // Every call was signed with the instance profile and verified by the twin.
    expect(fromInference.every((x) => (x as { signed?: boolean }).signed === true)).toBe(true);
  });

  test('the public endpoint refuses the inference role: an explicit identity deny off the private path; honoured once the deny is removed; bad keys and signatures refused', async () => {
    const host = lab.model.hosts.find((h) => h.tags.Name === 'probe-inference')!;
    expect(host.role).toBe('pathproof-inference-probe');
    const creds = instanceCredentials(lab.credentials.secretAccessKey, host.id, host.role!);
    const dir = mkdtempSync(path.join(tmpdir(), 'pp-pub-'));
    const script = path.join(dir, 'pub.mjs');
    const publicIp = lab.layout.processes.flatMap((p) => (p.kind === 'serve' ? p.listeners : [])).find((l) => l.name === 'public-bedrock-runtime')!.host;
    writeFileSync(script, PUBLIC(pathToFileURL(path.join(ROOT, 'node_modules/@aws-sdk/client-bedrock-runtime/dist-cjs/index.js')).href, pathToFileURL(path.join(ROOT, 'node_modules/@smithy/node-http-handler/dist-cjs/index.js')).href));
    // The call runs inside the twin's internet namespace (the public addresses live there), never from the host's.
    const call = async (c: { accessKeyId: string; secretAccessKey: string; sessionToken: string }) => {
      const r = await execa('ip', ['netns', 'exec', `${lab.layout.prefix}inet`, process.execPath, script], { reject: false, timeout: 60_000, extendEnv: false, env: { PATH: process.env.PATH ?? '', NODE_EXTRA_CA_CERTS: path.join(lab.runDir, 'pki', 'ca.pem'), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', PUBLIC_IP: publicIp, CREDS: JSON.stringify(c) } });
      expect(r.exitCode, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { error?: string; message?: string; text?: string };
    };
    const good = { accessKeyId: creds.AccessKeyId, secretAccessKey: creds.SecretAccessKey, sessionToken: creds.Token };
    const denied = await call(good);
    expect(denied).toMatchObject({ error: 'AccessDeniedException' });
    expect(denied.message).toMatch(/assumed-role\/pathproof-inference-probe\/.* with an explicit deny in an identity-based policy/);
    expect(await call({ ...good, secretAccessKey: 'x'.repeat(40) })).toMatchObject({ error: 'InvalidSignatureException' });
    expect(await call({ ...good, accessKeyId: 'ASIANOTAKEYOFTHELAB1' })).toMatchObject({ error: 'UnrecognizedClientException' });
    // Remove the deny (the public-access-open mistake) and rebuild: the public endpoint honours the same role.
    const iam = new IAMClient({ region: 'us-east-1', endpoint: lab.endpoint, credentials: lab.credentials });
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'pathproof-inference-probe', PolicyName: 'bedrock-private-only' }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'pathproof-inference-probe', PolicyName: 'invoke', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: '*' }] }) }));
    iam.destroy();
    await lab.rebuild();
    expect(await call(good)).toMatchObject({ text: 'pathproof twin' });
  });
});

/** One Converse call to the public stand-in, with the given credentials (HTTP/1.1; the name resolves to the public address). */
const PUBLIC = (sdk: string, handler: string) => `
import { BedrockRuntimeClient, ConverseCommand } from ${JSON.stringify(sdk)};
import { NodeHttpHandler } from ${JSON.stringify(handler)};
import https from 'node:https';
const lookup = (_h, o, cb) => (o && o.all ? cb(null, [{ address: process.env.PUBLIC_IP, family: 4 }]) : cb(null, process.env.PUBLIC_IP, 4));
const client = new BedrockRuntimeClient({ region: 'ap-southeast-2', maxAttempts: 1, credentials: JSON.parse(process.env.CREDS), requestHandler: new NodeHttpHandler({ httpsAgent: new https.Agent({ lookup }) }) });
try {
  const r = await client.send(new ConverseCommand({ modelId: 'anthropic.claude-3-haiku-20240307-v1:0', messages: [{ role: 'user', content: [{ text: 'ping' }] }] }));
  process.stdout.write(JSON.stringify({ text: r.output.message.content[0].text }));
} catch (e) { process.stdout.write(JSON.stringify({ error: e.name, message: String(e.message).slice(0, 300) })); }
`;
