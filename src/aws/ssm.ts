import {
  CancelCommandCommand, GetCommandInvocationCommand, ListCommandInvocationsCommand, SendCommandCommand, type CommandInvocation, type GetCommandInvocationCommandOutput, type SSMClient,
} from '@aws-sdk/client-ssm';
import createDebug from 'debug';
import { PathproofError } from '../model/errors.ts';
import type { Invocation, InvocationStatus } from '../model/result.ts';
import { CommandRequest } from '../model/ports.ts';

const log = createDebug('pathproof:ssm');

const TERMINAL: ReadonlySet<string> = new Set(['Success', 'Cancelled', 'TimedOut', 'Failed']);

export interface PollOptions {
  /** First delay between polls in ms (default 400). */
  readonly initialDelayMs?: number;
  /** Longest delay between polls in ms (default 4000). */
  readonly maxDelayMs?: number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly now?: () => number;
  readonly random?: () => number;
  /**
   * The most SSM API calls this transport (one account and region) makes per second, a burst of as
   * many allowed (default 10). AWS publishes no rate for SendCommand, ListCommandInvocations or
   * GetCommandInvocation and throttles with ThrottlingException "Rate exceeded": pathproof paces
   * itself below it by design, and adaptive retry is only the second line.
   */
  readonly callsPerSecond?: number;
}

/** A token bucket: at most `rate` calls a second, a burst of `rate`. Single-threaded, so take() is race-free. */
export class Pacer {
  private tokens: number;
  private last: number;
  constructor(private readonly rate: number, private readonly now: () => number, private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>) {
    this.tokens = rate;
    this.last = now();
  }

  async take(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const t = this.now();
      this.tokens = Math.min(this.rate, this.tokens + ((t - this.last) / 1000) * this.rate);
      this.last = t;
      if (this.tokens >= 1 || signal?.aborted) { this.tokens -= 1; return; }
      await this.sleep(Math.max(1, Math.ceil(((1 - this.tokens) / this.rate) * 1000)), signal);
    }
  }
}

/**
 * Runs scripts through SSM Run Command: SendCommand, then an explicit poll loop on
 * ListCommandInvocations and GetCommandInvocation (not the SDK waiter, which retries every error
 * until its time-out and hides the cause). Returns one Invocation per instance; throws only for harness faults.
 */
export class SsmTransport {
  private readonly pacer: Pacer;
  constructor(private readonly client: SSMClient, private readonly options: PollOptions = {}) {
    this.pacer = new Pacer(options.callsPerSecond ?? 10, () => this.now(), options.sleep ?? abortableSleep);
  }

  /** Every SSM call goes through here: paced, so a fleet run stays below SSM's rates. */
  private async send<T>(command: SendCommandCommand | ListCommandInvocationsCommand | GetCommandInvocationCommand | CancelCommandCommand, signal?: AbortSignal): Promise<T> {
    await this.pacer.take(signal);
    return (this.client.send as (c: unknown, o: { abortSignal?: AbortSignal }) => Promise<T>).call(this.client, command, signal ? { abortSignal: signal } : {});
  }

  async run(req: CommandRequest, signal?: AbortSignal): Promise<Invocation[]> {
    if (req.instanceIds.length === 0 || req.instanceIds.length > 50) {
      throw new PathproofError('SSM_SEND_FAILED', `SendCommand takes 1 to 50 instance ids, got ${req.instanceIds.length}`);
    }
    const requestedAt = new Date(this.now()).toISOString();
    let commandId: string;
    try {
      const out = await this.send<{ Command?: { CommandId?: string } }>(new SendCommandCommand({
        DocumentName: 'AWS-RunShellScript',
        InstanceIds: [...req.instanceIds],
        Comment: req.comment.slice(0, 100),
        TimeoutSeconds: req.deliveryTimeoutSeconds,
        // Every target must run even when another fails (MaxErrors defaults to 0).
        MaxErrors: '100%',
        MaxConcurrency: '50',
        Parameters: { commands: [req.script], executionTimeout: [String(req.executionTimeoutSeconds)] },
      }), signal);
      commandId = out.Command?.CommandId ?? '';
      if (!commandId) throw new PathproofError('SSM_SEND_FAILED', 'SendCommand returned no CommandId');
    } catch (e) {
      throw harnessFault(e, `SendCommand for ${req.label} to ${req.instanceIds.join(', ')}`);
    }
    log('[cmd %s] sent to %s (%s)', commandId, req.instanceIds.join(','), req.label);
    const deadline = this.now() + (req.deliveryTimeoutSeconds + req.executionTimeoutSeconds + req.pollGraceSeconds) * 1000;
    return this.poll(commandId, req.instanceIds, requestedAt, deadline, req, signal);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /**
   * One poll loop per command: ListCommandInvocations gives every instance's status in one call
   * (an instance not listed yet is not visible yet: SSM is eventually consistent), and each
   * instance that reaches a final status is read once with GetCommandInvocation, whose output is
   * not cut at 2,500 characters as the list's is. API calls grow with polls, not with instances.
   */
  private async poll(commandId: string, instanceIds: readonly string[], requestedAt: string, deadline: number, req: CommandRequest, signal?: AbortSignal): Promise<Invocation[]> {
    const sleep = this.options.sleep ?? abortableSleep;
    const random = this.options.random ?? Math.random;
    const initial = this.options.initialDelayMs ?? 400;
    const max = this.options.maxDelayMs ?? 4000;
    const started = this.now();
    const last = new Map(instanceIds.map((id) => [id, { status: 'Pending', details: 'InvocationDoesNotExist' }]));
    const done = new Map<string, Invocation>();
    const pending = () => instanceIds.filter((id) => !done.has(id));
    for (let attempt = 0; ; attempt++) {
      // Exponential backoff with full jitter on the upper half, so parallel pollers spread out.
      const delay = Math.min(max, initial * 1.6 ** attempt);
      await sleep(delay / 2 + (random() * delay) / 2, signal);
      if (signal?.aborted) {
        await this.cancel(commandId, pending());
        for (const id of pending()) done.set(id, this.unfinished(commandId, id, requestedAt, started, 'Cancelled', `interrupted while waiting for command ${commandId} on ${id}`));
        break;
      }
      for (const item of await this.list(commandId, signal)) {
        const id = item.InstanceId ?? '';
        if (!last.has(id) || done.has(id)) continue;
        last.set(id, { status: item.Status ?? 'Pending', details: item.StatusDetails ?? '' });
        log('[%s] [cmd %s] %s (%s)', id, commandId, item.Status, item.StatusDetails);
        if (!TERMINAL.has(item.Status ?? '')) continue;
        const inv = await this.read(commandId, id, requestedAt, started, signal);
        if (inv) done.set(id, inv);
      }
      if (pending().length === 0) break;
      if (this.now() > deadline) {
        await this.cancel(commandId, pending());
        const waited = Math.round((this.now() - started) / 1000);
        for (const id of pending()) {
          const l = last.get(id)!;
          done.set(id, this.unfinished(commandId, id, requestedAt, started, l.status as InvocationStatus,
            `command ${commandId} on ${id} still ${l.status}${l.details ? ` (${l.details})` : ''} after ${waited} s (${req.label})`));
        }
        break;
      }
    }
    return instanceIds.map((id) => done.get(id)!);
  }

  /** Every invocation of one command (all pages). */
  private async list(commandId: string, signal?: AbortSignal): Promise<CommandInvocation[]> {
    const out: CommandInvocation[] = [];
    let token: string | undefined;
    do {
      try {
        const r = await this.send<{ CommandInvocations?: CommandInvocation[]; NextToken?: string }>(new ListCommandInvocationsCommand({ CommandId: commandId, MaxResults: 50, ...(token ? { NextToken: token } : {}) }), signal);
        out.push(...(r.CommandInvocations ?? []));
        token = r.NextToken;
      } catch (e) {
        throw harnessFault(e, `ListCommandInvocations ${commandId}`);
      }
    } while (token);
    return out;
  }

  /** The full result of one finished invocation; undefined if GetCommandInvocation does not show it yet. */
  private async read(commandId: string, instanceId: string, requestedAt: string, started: number, signal?: AbortSignal): Promise<Invocation | undefined> {
    try {
      const r = await this.send<GetCommandInvocationCommandOutput>(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }), signal);
      if (!TERMINAL.has(r.Status ?? '')) return undefined;
      return {
        instanceId, commandId, status: r.Status as InvocationStatus, statusDetails: r.StatusDetails ?? '',
        responseCode: r.ResponseCode ?? -1,
        stdout: r.StandardOutputContent ?? '', stderr: r.StandardErrorContent ?? '',
        requestedAt, finishedAt: r.ExecutionEndDateTime || new Date(this.now()).toISOString(),
        durationMs: this.now() - started,
      };
    } catch (e) {
      // The two APIs are eventually consistent with each other: read it again on the next poll.
      if (isAwsError(e, 'InvocationDoesNotExist')) return undefined;
      throw harnessFault(e, `GetCommandInvocation ${commandId} on ${instanceId}`);
    }
  }

  private unfinished(commandId: string, instanceId: string, requestedAt: string, started: number, status: InvocationStatus, waitFault: string): Invocation {
    return {
      instanceId, commandId, status, statusDetails: 'HarnessStoppedWaiting', responseCode: -1, stdout: '', stderr: '',
      requestedAt, finishedAt: new Date(this.now()).toISOString(), durationMs: this.now() - started, waitFault,
    };
  }

  private async cancel(commandId: string, instanceIds: readonly string[]): Promise<void> {
    if (instanceIds.length === 0) return;
    try {
      await this.send(new CancelCommandCommand({ CommandId: commandId, InstanceIds: [...instanceIds] }));
    } catch (e) {
      log('[cmd %s] cancel on %s failed: %s', commandId, instanceIds.join(','), (e as Error).message);
    }
  }
}

export function isAwsError(e: unknown, name: string): boolean {
  return !!e && typeof e === 'object' && ((e as { name?: string }).name === name || (e as { Code?: string }).Code === name);
}

/** Maps SDK errors to stable codes; AccessDenied and InvalidInstanceId are surfaced at once, never retried. */
function harnessFault(e: unknown, what: string): PathproofError {
  if (e instanceof PathproofError) return e;
  const name = (e as { name?: string })?.name ?? 'Error';
  const msg = (e as Error)?.message ?? String(e);
  if (/AccessDenied/i.test(name)) {
    return new PathproofError('SSM_ACCESS_DENIED', `${what} was denied: ${msg}. Grant ssm:SendCommand, ssm:ListCommandInvocations and ssm:GetCommandInvocation on the targets (README, IAM permissions).`, { cause: e });
  }
  if (name === 'InvalidInstanceId') {
    return new PathproofError('SSM_INVALID_INSTANCE', `${what}: ${msg}. The instance is not SSM-managed, not Online, or in another account/region; run the preflight.`, { cause: e });
  }
  if (/Throttl|TooManyRequests|RateExceeded/i.test(name)) {
    return new PathproofError('SSM_THROTTLED', `${what} was still throttled after adaptive retries: ${msg}. Run fewer targets at once or ask for a higher SSM quota.`, { cause: e });
  }
  return new PathproofError('SSM_SEND_FAILED', `${what} failed: ${name}: ${msg}`, { cause: e });
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
