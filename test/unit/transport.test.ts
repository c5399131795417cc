import { CancelCommandCommand, type CommandInvocationStatus, GetCommandInvocationCommand, type GetCommandInvocationCommandOutput, InvocationDoesNotExist, ListCommandInvocationsCommand, type ListCommandInvocationsCommandOutput, SendCommandCommand, SSMClient, SSMServiceException } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, test } from 'vitest';
import { isPathproofError } from '../../src/model/errors.ts';
import { SsmTransport } from '../../src/aws/ssm.ts';
import { type CommandRequest } from '../../src/model/ports.ts';

const ssm = mockClient(SSMClient);
let clock = 0;
const transport = () => new SsmTransport(new SSMClient({ region: 'ap-southeast-6' }), {
  sleep: async (ms) => { clock += ms; }, now: () => clock, random: () => 0.5,
});
const req: CommandRequest = {
  instanceIds: ['i-0aaaaaaaaaaaaaaa1'], script: 'echo hi', comment: 'pathproof pp-run-1 inference',
  executionTimeoutSeconds: 20, deliveryTimeoutSeconds: 30, pollGraceSeconds: 10, label: 'batch inference',
};
const invocation = (Status: string, StatusDetails: string, extra: Record<string, unknown> = {}): GetCommandInvocationCommandOutput => ({
  CommandId: 'cmd-1', InstanceId: 'i-0aaaaaaaaaaaaaaa1', Status, StatusDetails, ResponseCode: Status === 'Success' ? 0 : -1,
  StandardOutputContent: '', StandardErrorContent: '', ExecutionEndDateTime: '2026-11-24T00:00:05.000Z', $metadata: {}, ...extra,
}) as GetCommandInvocationCommandOutput;
/** What ListCommandInvocations says: one entry per visible instance. */
const listed = (...entries: [status: string, details: string, instanceId?: string][]): ListCommandInvocationsCommandOutput => ({
  CommandInvocations: entries.map(([Status, StatusDetails, InstanceId = 'i-0aaaaaaaaaaaaaaa1']) => ({ CommandId: 'cmd-1', InstanceId, Status: Status as CommandInvocationStatus, StatusDetails })), $metadata: {},
});
const awsError = (name: string, message = name) => new SSMServiceException({ name, message, $fault: 'client', $metadata: {} });

beforeEach(() => {
  ssm.reset();
  clock = 0;
  ssm.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-1' } });
});

describe('SSM transport', () => {
  test('SendCommand carries the script, both time-outs, MaxErrors 100% and the run id in Comment', async () => {
    ssm.on(ListCommandInvocationsCommand).resolves(listed(['Success', 'Success']));
    ssm.on(GetCommandInvocationCommand).resolves(invocation('Success', 'Success', { StandardOutputContent: 'out' }));
    const [inv] = await transport().run(req);
    const input = ssm.commandCalls(SendCommandCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      DocumentName: 'AWS-RunShellScript', InstanceIds: ['i-0aaaaaaaaaaaaaaa1'], TimeoutSeconds: 30, MaxErrors: '100%',
      Comment: 'pathproof pp-run-1 inference', Parameters: { commands: ['echo hi'], executionTimeout: ['20'] },
    });
    expect(inv).toMatchObject({ status: 'Success', responseCode: 0, stdout: 'out' });
  });

  test('an invocation not listed yet right after SendCommand is waited for (eventual consistency)', async () => {
    ssm.on(ListCommandInvocationsCommand).resolvesOnce(listed()).resolvesOnce(listed()).resolves(listed(['Success', 'Success']));
    ssm.on(GetCommandInvocationCommand)
      .rejectsOnce(new InvocationDoesNotExist({ message: 'no', $metadata: {} }))
      .resolves(invocation('Success', 'Success'));
    const [inv] = await transport().run(req);
    expect(inv!.status).toBe('Success');
    // Listed on the third poll; GetCommandInvocation lagged once more and was read again.
    expect(ssm.commandCalls(ListCommandInvocationsCommand)).toHaveLength(4);
    expect(ssm.commandCalls(GetCommandInvocationCommand)).toHaveLength(2);
  });

  test('one ListCommandInvocations per poll for the whole command, one GetCommandInvocation per finished instance', async () => {
    const ids = ['i-0aaaaaaaaaaaaaaa1', 'i-0aaaaaaaaaaaaaaa2', 'i-0aaaaaaaaaaaaaaa3'];
    ssm.on(ListCommandInvocationsCommand)
      .resolvesOnce(listed(['InProgress', 'InProgress', ids[0]], ['Success', 'Success', ids[1]]))
      .resolvesOnce(listed(['InProgress', 'InProgress', ids[0]], ['Success', 'Success', ids[1]], ['Failed', 'Failed', ids[2]]))
      .resolves(listed(['Success', 'Success', ids[0]], ['Success', 'Success', ids[1]], ['Failed', 'Failed', ids[2]]));
    for (const [id, status] of [[ids[0], 'Success'], [ids[1], 'Success'], [ids[2], 'Failed']] as const) {
      ssm.on(GetCommandInvocationCommand, { CommandId: 'cmd-1', InstanceId: id }).resolves(invocation(status, status, { InstanceId: id, StandardOutputContent: `out ${id}` }));
    }
    const invs = await transport().run({ ...req, instanceIds: ids });
    expect(invs.map((i) => [i.instanceId, i.status, i.stdout])).toEqual([[ids[0], 'Success', `out ${ids[0]}`], [ids[1], 'Success', `out ${ids[1]}`], [ids[2], 'Failed', `out ${ids[2]}`]]);
    expect(ssm.commandCalls(ListCommandInvocationsCommand)).toHaveLength(3);
    expect(ssm.commandCalls(GetCommandInvocationCommand)).toHaveLength(3);
  });

  test('Pending, InProgress and Delayed are waited through with growing delays', async () => {
    const delays: number[] = [];
    ssm.on(ListCommandInvocationsCommand)
      .resolvesOnce(listed(['Pending', 'Pending'])).resolvesOnce(listed(['Delayed', 'Delayed']))
      .resolvesOnce(listed(['InProgress', 'InProgress'])).resolves(listed(['Success', 'Success']));
    ssm.on(GetCommandInvocationCommand).resolves(invocation('Success', 'Success'));
    const t = new SsmTransport(new SSMClient({ region: 'ap-southeast-6' }), { sleep: async (ms) => { delays.push(ms); clock += ms; }, now: () => clock, random: () => 1 });
    await t.run(req);
    expect(delays).toHaveLength(4);
    expect(delays[3]!).toBeGreaterThan(delays[0]!);
  });

  test.each([
    ['TimedOut', 'ExecutionTimedOut'],
    ['TimedOut', 'DeliveryTimedOut'],
    ['Failed', 'Undeliverable'],
    ['Failed', 'Failed'],
    ['Cancelled', 'Canceled'],
    ['Failed', 'Terminated'],
  ])('terminal %s (%s) is returned as data, not thrown', async (status, details) => {
    ssm.on(ListCommandInvocationsCommand).resolves(listed([status, details]));
    ssm.on(GetCommandInvocationCommand).resolves(invocation(status, details));
    const [inv] = await transport().run(req);
    expect(inv).toMatchObject({ status, statusDetails: details, responseCode: -1 });
  });

  test('a command still running past its deadline yields a wait fault naming what was awaited, and is cancelled', async () => {
    ssm.on(ListCommandInvocationsCommand).resolves(listed(['InProgress', 'InProgress']));
    ssm.on(CancelCommandCommand).resolves({});
    const [inv] = await transport().run(req);
    expect(ssm.commandCalls(GetCommandInvocationCommand)).toHaveLength(0);
    expect(inv!.waitFault).toMatch(/^command cmd-1 on i-0aaaaaaaaaaaaaaa1 still InProgress \(InProgress\) after \d+ s \(batch inference\)$/);
    expect(clock).toBeGreaterThanOrEqual((30 + 20 + 10) * 1000);
    expect(ssm.commandCalls(CancelCommandCommand)).toHaveLength(1);
  });

  test.each([
    ['AccessDeniedException', 'SSM_ACCESS_DENIED'],
    ['InvalidInstanceId', 'SSM_INVALID_INSTANCE'],
    ['ThrottlingException', 'SSM_THROTTLED'],
  ])('%s on SendCommand surfaces at once as %s', async (name, code) => {
    ssm.on(SendCommandCommand).rejects(awsError(name));
    const err = await transport().run(req).catch((e: unknown) => e);
    expect(isPathproofError(err, code as never)).toBe(true);
    expect(ssm.commandCalls(ListCommandInvocationsCommand)).toHaveLength(0);
  });

  test('AccessDenied while polling is not retried', async () => {
    ssm.on(ListCommandInvocationsCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform ssm:ListCommandInvocations'));
    const err = await transport().run(req).catch((e: unknown) => e);
    expect(isPathproofError(err, 'SSM_ACCESS_DENIED')).toBe(true);
    expect(ssm.commandCalls(ListCommandInvocationsCommand)).toHaveLength(1);
  });

  test('more than 50 instance ids are refused before anything is sent', async () => {
    const ids = Array.from({ length: 51 }, (_, i) => `i-${String(i).padStart(17, '0')}`);
    await expect(transport().run({ ...req, instanceIds: ids })).rejects.toThrow(/1 to 50 instance ids/);
    expect(ssm.commandCalls(SendCommandCommand)).toHaveLength(0);
  });

  test('an abort stops waiting, cancels the command and returns Cancelled', async () => {
    ssm.on(ListCommandInvocationsCommand).resolves(listed(['InProgress', 'InProgress']));
    ssm.on(CancelCommandCommand).resolves({});
    const ac = new AbortController();
    const t = new SsmTransport(new SSMClient({ region: 'ap-southeast-6' }), { sleep: async (ms) => { clock += ms; if (clock > 3000) ac.abort(); }, now: () => clock });
    const [inv] = await t.run(req, ac.signal);
    expect(inv).toMatchObject({ status: 'Cancelled' });
    expect(inv!.waitFault).toMatch(/interrupted/);
  });
});

describe('pacing SSM calls', () => {
  test('a transport makes at most callsPerSecond calls in any second, however many commands wait', async () => {
    const at: number[] = [];
    ssm.on(SendCommandCommand).callsFake(() => { at.push(clock); return { Command: { CommandId: 'cmd-1' } }; });
    ssm.on(ListCommandInvocationsCommand).callsFake(() => { at.push(clock); return listed(['Success', 'Success']); });
    ssm.on(GetCommandInvocationCommand).callsFake(() => { at.push(clock); return invocation('Success', 'Success'); });
    const t = new SsmTransport(new SSMClient({ region: 'ap-southeast-6' }), { sleep: async (ms) => { clock += ms; }, now: () => clock, random: () => 0, callsPerSecond: 5 });
    // 20 commands at once: 60 calls (send, list, get each).
    const out = await Promise.all(Array.from({ length: 20 }, () => t.run(req)));
    expect(out.flat().every((i) => i.status === 'Success')).toBe(true);
    expect(at).toHaveLength(60);
    const perSecond = new Map<number, number>();
    for (const ms of at) perSecond.set(Math.floor(ms / 1000), (perSecond.get(Math.floor(ms / 1000)) ?? 0) + 1);
    // The burst (5) plus the rate (5) is the most any one second can see; 60 calls need at least 11 s.
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(10);
    expect(Math.max(...at)).toBeGreaterThanOrEqual(11_000);
  });
});
