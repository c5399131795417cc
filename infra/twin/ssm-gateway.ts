import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import createDebug from 'debug';
import { verifySigV4, type AuthFailure, type LabCredentials } from './sigv4.ts';
import { route53Resolver, type AwsApiError } from './route53-resolver.ts';

const log = createDebug('pathproof:ssm-gateway');

/** SSM's real limits: GetCommandInvocation keeps 24,000 characters of stdout and 8,000 of stderr; List keeps 2,500. */
export const STDOUT_LIMIT = 24_000;
export const STDERR_LIMIT = 8_000;
export const LIST_OUTPUT_LIMIT = 2_500;

export type InstanceFault = 'Undeliverable' | 'DeliveryTimedOut' | 'Delayed' | 'ExecutionTimedOut';

/** Injectable behaviour for tests and benchmarks. */
export interface Faults {
  /** Added to every SSM response (ms). Default 0. */
  latencyMs?: number;
  /** How long an invocation stays invisible after SendCommand (eventual consistency), ms. Default 150. */
  consistencyMs?: number;
  /** Answer this many of the next SSM calls with ThrottlingException. */
  throttleNext?: number;
  /** Per instance: what goes wrong. */
  instances?: Record<string, InstanceFault>;
  /** Extra output the host prints before the script's own (a noisy profile), per instance, in characters: exercises truncation. */
  padStdout?: Record<string, number>;
  /** How long the agent takes to pick a command up, ms, drawn uniformly from [min, max]. Default none. */
  pickupMs?: readonly [number, number];
}

export interface GatewayInstance { readonly ns: string; readonly ip: string }

interface Invocation {
  commandId: string;
  instanceId: string;
  comment: string;
  documentName: string;
  status: string;
  details: string;
  responseCode: number;
  stdout: string;
  stderr: string;
  requestedAt: number;
  visibleAt: number;
  startedAt?: number;
  endedAt?: number;
  proc?: ResultPromise;
}

export interface StartedGateway extends AsyncDisposable {
  readonly url: string;
  readonly faults: Faults;
  /** Every SendCommand the gateway accepted (for tests: what was sent). */
  readonly sent: { commandId: string; instanceIds: string[]; comment: string; script: string }[];
}

const epoch = (ms?: number) => (ms === undefined ? undefined : ms / 1000);

export async function startGateway(opts: {
  upstream: string;
  instances: ReadonlyMap<string, GatewayInstance>;
  /** Environment the scripts see (e.g. CURL_CA_BUNDLE with the twin CA). */
  execEnv: Record<string, string>;
  workDir: string;
  faults?: Faults;
  onPid?: (pid: number) => void;
  /** Where corrections of emulator behaviour are announced. */
  log?: (line: string) => void;
  /** The only credentials whose SigV4 signatures the gateway accepts, as AWS would. */
  credentials: LabCredentials;
}): Promise<StartedGateway> {
  const faults: Faults = { consistencyMs: 150, ...opts.faults };
  const invocations = new Map<string, Invocation>();
  const sent: StartedGateway['sent'] = [];
  const key = (c: string, i: string) => `${c}/${i}`;
  mkdirSync(opts.workDir, { recursive: true });

  const { run, finish } = executor(opts, faults);
  const handlers = ssmHandlers({ opts, faults, invocations, sent, run, finish, key });

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const raw = Buffer.concat(chunks);
      const target = String(req.headers['x-amz-target'] ?? '');
      const action = target.startsWith('AmazonSSM.') ? target.slice('AmazonSSM.'.length) : '';
      // Every request, SSM or passed on to the emulator, must be signed with the lab's credentials:
      // this endpoint runs commands as root in the twin, so it authenticates as AWS does.
      const denied = await verifySigV4({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers }, raw, opts.credentials).catch((e: unknown): AuthFailure => ({ code: 'InvalidSignatureException', message: (e as Error).message }));
      if (denied) {
        log('refused %s %s: %s', req.method, req.url, denied.code);
        return refuse(req, res, denied);
      }
      const reply = (status: number, payload: unknown) => {
        setTimeout(() => {
          res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() });
          res.end(JSON.stringify(payload));
        }, faults.latencyMs ?? 0);
      };
      if (target.startsWith('Route53Resolver.') && firewall) {
        // The DNS Firewall operations moto lacks; everything else of Route 53 Resolver goes on to it.
        try {
          const answer = firewall.handle(target.slice('Route53Resolver.'.length), JSON.parse(raw.toString('utf8') || '{}') as Record<string, unknown>, regionOf(req));
          if (answer) return reply(200, answer);
        } catch (e) {
          return reply(400, { __type: (e as AwsApiError).awsType ?? 'InternalServiceErrorException', message: (e as Error).message });
        }
      }
      const handler = handlers[action];
      if (!handler) return proxy(req, res, raw);
      if ((faults.throttleNext ?? 0) > 0) {
        faults.throttleNext = (faults.throttleNext ?? 0) - 1;
        return reply(400, { __type: 'ThrottlingException', message: 'Rate exceeded' });
      }
      try {
        reply(200, handler(JSON.parse(raw.toString('utf8') || '{}') as Record<string, unknown>));
      } catch (e) {
        const err = e as { awsType?: string; message: string };
        reply(400, { __type: err.awsType ?? 'InternalServerError', message: err.message });
      }
    });
  });

  const upstream = new URL(opts.upstream);
  // An emulator that has DNS Firewall (LocalStack) keeps answering it; for moto, the gateway does.
  const firewall = await upstreamLacks(upstream, 'Route53Resolver.ListFirewallConfigs') ? route53Resolver() : undefined;
  function proxy(req: http.IncomingMessage, res: http.ServerResponse, raw: Buffer): void {
    const body = correctRequest(req, raw, opts.log ?? (() => {}));
    const headers = { ...req.headers, 'content-length': String(body.length) };
    const up = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', (e) => { res.writeHead(502); res.end(`pathproof gateway: emulator unreachable: ${e.message}`); });
    up.end(body);
  }

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    url, faults, sent,
    async [Symbol.asyncDispose]() {
      for (const inv of invocations.values()) if (inv.proc && inv.proc.exitCode === null) inv.proc.kill('SIGKILL');
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/**
 * Requests the emulator would get wrong, corrected on the way (said out loud, never silently).
 * moto ignores the VPC of CreateHostedZone unless HostedZoneConfig.PrivateZone is set, while AWS
 * makes every zone created with a VPC private (Terraform's aws_route53_zone sends no PrivateZone).
 */
export function correctRequest(req: { method?: string; url?: string }, body: Buffer, log: (line: string) => void): Buffer {
  if (req.method !== 'POST' || !/^\/2013-04-01\/hostedzone\/?$/.test(req.url ?? '')) return body;
  const xml = body.toString('utf8');
  if (!xml.includes('<VPC>') || xml.includes('<PrivateZone>')) return body;
  const fixed = xml.includes('</HostedZoneConfig>')
    ? xml.replace('</HostedZoneConfig>', '<PrivateZone>true</PrivateZone></HostedZoneConfig>')
    : xml.replace('</CreateHostedZoneRequest>', '<HostedZoneConfig><PrivateZone>true</PrivateZone></HostedZoneConfig></CreateHostedZoneRequest>');
  log(`twin: corrected: CreateHostedZone ${/<Name>([^<]+)<\/Name>/.exec(xml)?.[1] ?? ''} names a VPC but no PrivateZone; AWS makes it private, moto would drop the VPC, so the gateway sets PrivateZone=true`);
  return Buffer.from(fixed, 'utf8');
}

/** AWS's answer to a request that is not properly signed, in the protocol the caller speaks. */
/** The region a request is signed for (the credential scope of its SigV4 Authorization header). */
function regionOf(req: http.IncomingMessage): string {
  return /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(String(req.headers.authorization ?? ''))?.[1] ?? 'us-east-1';
}

/** Whether the emulator answers an operation at all (moto answers what it lacks with a 500 page). */
function upstreamLacks(upstream: URL, target: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.request({ host: upstream.hostname, port: upstream.port, method: 'POST', path: '/', headers: {
      'x-amz-target': target, 'content-type': 'application/x-amz-json-1.1',
      authorization: 'AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/route53resolver/aws4_request, SignedHeaders=host, Signature=0',
    } }, (r) => { r.resume(); resolve(r.statusCode !== 200); });
    req.on('error', () => resolve(true));
    req.end('{}');
  });
}

function refuse(req: http.IncomingMessage, res: http.ServerResponse, f: AuthFailure): void {
  const requestId = randomUUID();
  const service = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\//.exec(String(req.headers.authorization ?? ''))?.[1] ?? '';
  const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  if (req.headers['x-amz-target'] || String(req.headers['content-type'] ?? '').includes('json')) {
    res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId, 'x-amzn-errortype': f.code });
    res.end(JSON.stringify({ __type: f.code, message: f.message }));
  } else if (service === 'ec2' || String(req.url).includes('Version=2016-11-15')) {
    res.writeHead(401, { 'content-type': 'text/xml' });
    res.end(`<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>AuthFailure</Code><Message>${esc(f.message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`);
  } else {
    const code = { MissingAuthenticationTokenException: 'MissingAuthenticationToken', UnrecognizedClientException: 'InvalidClientTokenId', InvalidSignatureException: 'SignatureDoesNotMatch' }[f.code];
    res.writeHead(403, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
    res.end(`<?xml version="1.0" encoding="UTF-8"?><ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${esc(f.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`);
  }
}

function awsError(type: string, message: string): Error {
  return Object.assign(new Error(message), { awsType: type });
}

type GatewayOptions = Parameters<typeof startGateway>[0];

/**
 * The SSM agent's side: runs a command's script with sh inside the instance's namespace, as root,
 * and records its status, ResponseCode and output with SSM's truncation; injected faults apply.
 */
function executor(opts: GatewayOptions, faults: Faults): { run(inv: Invocation, script: string, timeoutS: number): void; finish(inv: Invocation, status: string, details: string, code: number): void } {
  // The twin's hosts share this machine's cores, where in AWS each has its own: only a few commands
  // run at once, so that a probe's time-out measures the network, not a queue for the CPU. A queued
  // invocation stays Pending, as one the agent has not picked up yet; its execution time-out starts
  // when it starts.
  let free = Math.max(1, Number(process.env.PATHPROOF_TWIN_COMMANDS_AT_ONCE) || availableParallelism());
  const waiting: (() => void)[] = [];
  const release = () => { const next = waiting.shift(); if (next) next(); else free++; };
  const slot = (start: () => void) => { if (free > 0) { free--; start(); } else waiting.push(start); };
  const run = (inv: Invocation, script: string, timeoutS: number) => {
    const fault = faults.instances?.[inv.instanceId];
    if (fault === 'Undeliverable') return finish(inv, 'Failed', 'Undeliverable', -1);
    if (fault === 'DeliveryTimedOut') return finish(inv, 'TimedOut', 'DeliveryTimedOut', -1);
    const target = opts.instances.get(inv.instanceId)!;
    const begin = () => slot(() => {
      if (inv.status === 'Cancelled' || inv.status === 'Cancelling') { finish(inv, 'Cancelled', 'Cancelled', -1); return release(); }
      inv.status = 'InProgress';
      inv.details = 'InProgress';
      inv.startedAt = Date.now();
      const file = path.join(opts.workDir, `${inv.commandId}-${inv.instanceId}.sh`);
      writeFileSync(file, script);
      // The agent runs the joined commands with sh, as root, inside the instance (its namespace here).
      inv.proc = execa('ip', ['netns', 'exec', target.ns, 'sh', file], {
        reject: false, all: false, timeout: fault === 'ExecutionTimedOut' ? 1 : timeoutS * 1000, killSignal: 'SIGKILL',
        env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root', ...opts.execEnv }, extendEnv: false,
        maxBuffer: 10_000_000, detached: true, stripFinalNewline: false,
      });
      if (inv.proc.pid) opts.onPid?.(inv.proc.pid);
      void inv.proc.then((r) => {
        release();
        if (inv.status === 'Cancelled' || inv.status === 'Cancelling') return finish(inv, 'Cancelled', 'Cancelled', -1);
        const pad = faults.padStdout?.[inv.instanceId] ?? 0;
        // SSM keeps the first 24,000 characters; padding goes first so that the tail is what gets cut.
        inv.stdout = (`${pad ? `${'x'.repeat(pad)}\n` : ''}${r.stdout ?? ''}`).slice(0, STDOUT_LIMIT);
        inv.stderr = String(r.stderr ?? '').slice(0, STDERR_LIMIT);
        if (r.timedOut) return finish(inv, 'TimedOut', 'ExecutionTimedOut', -1);
        const code = r.exitCode ?? -1;
        finish(inv, code === 0 ? 'Success' : 'Failed', code === 0 ? 'Success' : 'Failed', code);
      });
    });
    if (fault === 'Delayed') {
      inv.status = 'Delayed';
      inv.details = 'Delayed';
      setTimeout(begin, 1500);
    } else begin();
  };
  const finish = (inv: Invocation, status: string, details: string, code: number) => {
    inv.status = status;
    inv.details = details;
    inv.responseCode = code;
    inv.endedAt = Date.now();
    log('[%s] [cmd %s] %s (%s) rc=%d', inv.instanceId, inv.commandId.slice(0, 8), status, details, code);
  };

  return { run, finish };
}

/** The SSM JSON API the gateway answers itself; everything else goes on to the emulator. */
function ssmHandlers(ctx: {
  opts: GatewayOptions; faults: Faults; invocations: Map<string, Invocation>; sent: StartedGateway['sent'];
  run(inv: Invocation, script: string, timeoutS: number): void; finish(inv: Invocation, status: string, details: string, code: number): void;
  key(commandId: string, instanceId: string): string;
}): Record<string, (body: Record<string, unknown>) => unknown> {
  const { opts, faults, invocations, sent, run, finish, key } = ctx;
  return {
    SendCommand(b) {
      const ids = (b.InstanceIds as string[] | undefined) ?? [];
      if (ids.length === 0 || ids.length > 50) throw awsError('ValidationException', `InstanceIds must hold 1 to 50 ids, got ${ids.length}`);
      const unknown = ids.filter((i) => !opts.instances.has(i));
      if (unknown.length) throw awsError('InvalidInstanceId', `Instances [${unknown.join(', ')}] not in a valid state for account`);
      if (b.DocumentName !== 'AWS-RunShellScript') throw awsError('InvalidDocument', `The twin runs AWS-RunShellScript only, not ${String(b.DocumentName)}`);
      const comment = String(b.Comment ?? '');
      if (comment.length > 100) throw awsError('ValidationException', 'Comment must be at most 100 characters');
      const params = (b.Parameters ?? {}) as Record<string, string[]>;
      const script = (params.commands ?? []).join('\n');
      const timeoutS = Number(params.executionTimeout?.[0] ?? 3600);
      const commandId = randomUUID();
      const now = Date.now();
      sent.push({ commandId, instanceIds: ids, comment, script });
      for (const instanceId of ids) {
        const inv: Invocation = { commandId, instanceId, comment, documentName: 'AWS-RunShellScript', status: 'Pending', details: 'Pending', responseCode: -1, stdout: '', stderr: '', requestedAt: now, visibleAt: now + (faults.consistencyMs ?? 0) };
        invocations.set(key(commandId, instanceId), inv);
        const [lo, hi] = faults.pickupMs ?? [0, 0];
        setTimeout(() => run(inv, script, timeoutS), lo + Math.random() * (hi - lo));
      }
      return { Command: {
        CommandId: commandId, DocumentName: 'AWS-RunShellScript', Comment: comment, Parameters: params, InstanceIds: ids, Targets: [],
        RequestedDateTime: epoch(now), Status: 'Pending', StatusDetails: 'Pending', MaxConcurrency: b.MaxConcurrency ?? '50', MaxErrors: b.MaxErrors ?? '0',
        TargetCount: ids.length, CompletedCount: 0, ErrorCount: 0, DeliveryTimedOutCount: 0, TimeoutSeconds: b.TimeoutSeconds ?? 3600,
      } };
    },
    GetCommandInvocation(b) {
      const inv = invocations.get(key(String(b.CommandId), String(b.InstanceId)));
      if (!inv || Date.now() < inv.visibleAt) throw awsError('InvocationDoesNotExist', 'An error occurred (InvocationDoesNotExist)');
      return {
        CommandId: inv.commandId, InstanceId: inv.instanceId, Comment: inv.comment, DocumentName: inv.documentName, DocumentVersion: '$DEFAULT',
        PluginName: 'aws:runShellScript', ResponseCode: inv.responseCode,
        ExecutionStartDateTime: inv.startedAt ? new Date(inv.startedAt).toISOString() : '',
        ExecutionElapsedTime: inv.startedAt ? `PT${(((inv.endedAt ?? Date.now()) - inv.startedAt) / 1000).toFixed(3)}S` : '',
        ExecutionEndDateTime: inv.endedAt ? new Date(inv.endedAt).toISOString() : '',
        Status: inv.status, StatusDetails: inv.details,
        StandardOutputContent: inv.stdout, StandardOutputUrl: '', StandardErrorContent: inv.stderr, StandardErrorUrl: '',
        CloudWatchOutputConfig: { CloudWatchLogGroupName: '', CloudWatchOutputEnabled: false },
      };
    },
    ListCommandInvocations(b) {
      const list = [...invocations.values()].filter((i) => Date.now() >= i.visibleAt && (!b.CommandId || i.commandId === b.CommandId) && (!b.InstanceId || i.instanceId === b.InstanceId));
      return { CommandInvocations: list.map((i) => ({
        CommandId: i.commandId, InstanceId: i.instanceId, InstanceName: '', Comment: i.comment, DocumentName: i.documentName, DocumentVersion: '$DEFAULT',
        RequestedDateTime: epoch(i.requestedAt), Status: i.status, StatusDetails: i.details, StandardOutputUrl: '', StandardErrorUrl: '',
        CommandPlugins: b.Details ? [{ Name: 'aws:runShellScript', Status: i.status, StatusDetails: i.details, ResponseCode: i.responseCode,
          ResponseStartDateTime: epoch(i.startedAt), ResponseFinishDateTime: epoch(i.endedAt), Output: i.stdout.slice(0, LIST_OUTPUT_LIMIT), StandardOutputUrl: '', StandardErrorUrl: '' }] : [],
        ServiceRole: '', NotificationConfig: {}, CloudWatchOutputConfig: { CloudWatchOutputEnabled: false },
      })) };
    },
    CancelCommand(b) {
      const ids = (b.InstanceIds as string[] | undefined) ?? [];
      for (const inv of invocations.values()) {
        if (inv.commandId !== b.CommandId || (ids.length && !ids.includes(inv.instanceId))) continue;
        if (['Success', 'Failed', 'TimedOut', 'Cancelled'].includes(inv.status)) continue;
        inv.status = 'Cancelling';
        inv.details = 'Cancelling';
        if (inv.proc?.pid) { try { process.kill(-inv.proc.pid, 'SIGKILL'); } catch { inv.proc.kill('SIGKILL'); } }
        else finish(inv, 'Cancelled', 'Cancelled', -1);
      }
      return {};
    },
    DescribeInstanceInformation(b) {
      const filter = ((b.Filters as { Key: string; Values: string[] }[] | undefined) ?? []).find((f) => f.Key === 'InstanceIds')?.Values;
      return { InstanceInformationList: [...opts.instances].filter(([id]) => !filter || filter.includes(id)).map(([id, i]) => ({
        InstanceId: id, PingStatus: faults.instances?.[id] === 'Undeliverable' ? 'ConnectionLost' : 'Online', LastPingDateTime: epoch(Date.now()),
        AgentVersion: '3.3.1611.0', IsLatestVersion: true, PlatformType: 'Linux', PlatformName: 'Amazon Linux', PlatformVersion: '2023',
        ResourceType: 'EC2Instance', IPAddress: i.ip, ComputerName: `ip-${i.ip.replaceAll('.', '-')}.twin.internal`,
      })) };
    },
  };
}
