/**
 * SSM's API as a fleet run sees it, counted: the real transport (SsmTransport: SendCommand, the
 * ListCommandInvocations poll loop, GetCommandInvocation per finished instance, its pacing) against
 * a simulated SSM on a simulated clock, so that 200 hosts per zone and every second of waiting cost
 * no real time. Each invocation finishes 1.5 s after it is sent (the agent's pick-up) plus 5 s (the
 * probes). Prints the calls per API, the peak calls in any one second and how long the run took.
 */
import { GetCommandInvocationCommand, ListCommandInvocationsCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { SsmTransport } from '../src/aws/ssm.ts';
import type { Check, Config } from '../src/model/check.ts';
import type { CommandPort, TargetResolver } from '../src/model/ports.ts';
import { execute } from '../src/run/execute.ts';

/** The output a batch prints when every probe "times out" and the batch ends properly. */
export function batchStdout(script: string): { batch: string; stdout: string } {
  const end = /printf '\{"pathproof-end":"%s","n":%d\}\\n' '([^']+)' (\d+)/.exec(script);
  if (!end) throw new Error('bench: the batch script has no end line');
  const [, batch, n] = end;
  const lines = [`{"pathproof-begin":"${batch}","n":${n}}`];
  for (let i = 0; i < Number(n); i++) lines.push(`{"i":${i},"rc":0,"o":{"r":"timeout","attempts":2,"successes":0,"ms":2000,"detail":""}}`);
  lines.push(`{"pathproof-end":"${batch}","n":${n}}`);
  return { batch: batch!, stdout: `${lines.join('\n')}\n` };
}

/** A clock that jumps to the next timer whenever every task waits: discrete-event time. */
function simulatedClock() {
  let t = 0;
  let seq = 0;
  const timers: { at: number; seq: number; wake: () => void }[] = [];
  return {
    now: () => t,
    sleep: (ms: number) => new Promise<void>((wake) => { timers.push({ at: t + ms, seq: seq++, wake }); }),
    async drive<T>(p: Promise<T>): Promise<T> {
      let settled = false;
      p.then(() => { settled = true; }, () => { settled = true; });
      while (!settled) {
        await new Promise((r) => setImmediate(r));
        if (settled || timers.length === 0) continue;
        timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
        const next = timers.shift()!;
        t = Math.max(t, next.at);
        next.wake();
      }
      return p;
    },
  };
}

export interface SsmFigures { readonly calls: Record<string, number>; readonly peakPerSecond: number; readonly seconds: number; readonly verdicts: number; readonly commands: number }

export async function simulateSsm(config: Config, checks: readonly Check[], resolver: TargetResolver, callsPerSecond: number): Promise<SsmFigures> {
  const clock = simulatedClock();
  const ssm = mockClient(SSMClient);
  const calls: Record<string, number> = {};
  const perSecond = new Map<number, number>();
  const count = (api: string) => {
    calls[api] = (calls[api] ?? 0) + 1;
    const s = Math.floor(clock.now() / 1000);
    perSecond.set(s, (perSecond.get(s) ?? 0) + 1);
  };
  const commands = new Map<string, { done: number; stdout: string; instances: string[] }>();
  ssm.on(SendCommandCommand).callsFake((input: { InstanceIds: string[]; Parameters: { commands: string[] } }) => {
    count('SendCommand');
    const id = `cmd-${commands.size}`;
    commands.set(id, { done: clock.now() + 6500, stdout: batchStdout(input.Parameters.commands[0]!).stdout, instances: input.InstanceIds });
    return { Command: { CommandId: id } };
  });
  ssm.on(ListCommandInvocationsCommand).callsFake((input: { CommandId: string }) => {
    count('ListCommandInvocations');
    const c = commands.get(input.CommandId)!;
    const status = clock.now() >= c.done ? 'Success' : 'InProgress';
    return { CommandInvocations: c.instances.map((InstanceId) => ({ CommandId: input.CommandId, InstanceId, Status: status, StatusDetails: status })) };
  });
  ssm.on(GetCommandInvocationCommand).callsFake((input: { CommandId: string; InstanceId: string }) => {
    count('GetCommandInvocation');
    const c = commands.get(input.CommandId)!;
    return { CommandId: input.CommandId, InstanceId: input.InstanceId, Status: 'Success', StatusDetails: 'Success', ResponseCode: 0, StandardOutputContent: c.stdout, StandardErrorContent: '', ExecutionEndDateTime: new Date(c.done).toISOString() };
  });
  try {
    const transports = new Map<string, SsmTransport>();
    const port: CommandPort = {
      run(account, region, req, signal) {
        const key = `${account}|${region}`;
        let t = transports.get(key);
        if (!t) transports.set(key, (t = new SsmTransport(new SSMClient({ region }), { now: clock.now, sleep: clock.sleep, random: () => 0.5, callsPerSecond, maxDelayMs: config.env.timeouts.pollMaxDelayMs })));
        return t.run(req, signal);
      },
    };
    const result = await clock.drive(execute(config, checks, { runId: 'pp-bench-ssm', resolver, port, today: '2026-11-24' }));
    return { calls, peakPerSecond: Math.max(...perSecond.values()), seconds: clock.now() / 1000, verdicts: result.verdicts.length, commands: result.plan.commands.length };
  } finally {
    ssm.restore();
  }
}
