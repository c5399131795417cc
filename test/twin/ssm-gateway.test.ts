/**
 * The SSM Run Command executor: real scripts in real namespaces behind the SSM JSON protocol,
 * with SSM's behaviour (eventual consistency, statuses, truncation, time-outs) and injected faults.
 */
import { GetCommandInvocationCommand, DescribeInstanceInformationCommand, ListCommandInvocationsCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isPathproofError } from '../../src/model/errors.ts';
import { loadConfig } from '../../src/load/config.ts';
import { execute } from '../../src/run/execute.ts';
import { ssmPort } from '../../src/run/session.ts';
import { AwsClients } from '../../src/aws/aws-clients.ts';
import { SsmTransport } from '../../src/aws/ssm.ts';
import { Ec2TargetResolver } from '../../src/aws/targets.ts';
import { startLocalstackContainer, startMoto } from '../../infra/twin/emulator.ts';
import { startLab, TWIN_CREDENTIALS, type StartedLab } from '../../infra/twin/lab.ts';
import { seedTopology } from '../../infra/twin/seed.ts';
import { loadTopology } from '../../infra/twin/topology.ts';
import { STDOUT_LIMIT } from '../../infra/twin/ssm-gateway.ts';
import { ROOT } from '../helpers/paths.ts';
import { newTestRunId, ownLeftovers } from '../helpers/lab.ts';

const runIds: string[] = [];

let lab: StartedLab;
let ssm: SSMClient;
let inference = '';
const region = 'ap-southeast-6';
const cliEnv = () => ({ AWS_ACCESS_KEY_ID: lab.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: lab.credentials.secretAccessKey, AWS_DEFAULT_REGION: region, AWS_ENDPOINT_URL: lab.endpoint, PATH: process.env.PATH! });

beforeAll(async () => {
  lab = await startLab({ root: ROOT, runId: newTestRunId('ssm', runIds), log: () => {} });
  ssm = new SSMClient({ region, endpoint: lab.endpoint, credentials: lab.credentials });
  inference = lab.model.hosts.find((h) => h.tags['pathproof:zone'] === 'inference')!.id;
});
afterAll(async () => {
  ssm?.destroy();
  await lab?.[Symbol.asyncDispose]();
  expect(await ownLeftovers(runIds)).toEqual({ namespaces: [], processes: [] });
});
const reset = () => { for (const k of Object.keys(lab.gateway.faults)) delete (lab.gateway.faults as Record<string, unknown>)[k]; lab.gateway.faults.consistencyMs = 150; };

describe('the AWS CLI against the gateway', () => {
  test('send-command, wait command-executed, get-command-invocation', async () => {
    reset();
    const aws = (args: string[]) => execa('aws', args, { env: cliEnv(), extendEnv: false, reject: false });
    const sent = await aws(['ssm', 'send-command', '--document-name', 'AWS-RunShellScript', '--instance-ids', inference, '--parameters', 'commands=["ip -4 -o addr show eth0 | grep -o 10.0.2.10; getent ahostsv4 bedrock-runtime.ap-southeast-2.amazonaws.com | head -n 1"]', '--query', 'Command.CommandId', '--output', 'text']);
    expect(sent.exitCode, sent.stderr).toBe(0);
    const id = sent.stdout.trim();
    const wait = await aws(['ssm', 'wait', 'command-executed', '--command-id', id, '--instance-id', inference]);
    expect(wait.exitCode, wait.stderr).toBe(0);
    const got = await aws(['ssm', 'get-command-invocation', '--command-id', id, '--instance-id', inference, '--output', 'json']);
    const inv = JSON.parse(got.stdout) as { Status: string; ResponseCode: number; StandardOutputContent: string };
    expect(inv).toMatchObject({ Status: 'Success', ResponseCode: 0 });
    // It really ran inside the inference instance: its own address, and the PHZ answer of its VPC.
    expect(inv.StandardOutputContent).toMatch(/^10\.0\.2\.10\n10\.1\.1\.\d+\s+STREAM bedrock-runtime/);
  });

  test('other calls pass through to the emulator (EC2 through the same endpoint)', async () => {
    const r = await execa('aws', ['ec2', 'describe-vpcs', '--query', 'length(Vpcs)'], { env: cliEnv(), extendEnv: false });
    expect(Number(r.stdout)).toBeGreaterThanOrEqual(2);
  });
});

describe('the gateway authenticates as AWS does (it runs commands as root)', () => {
  const sendBody = JSON.stringify({ DocumentName: 'AWS-RunShellScript', InstanceIds: [], Parameters: { commands: ['id > /tmp/pp-unsigned-proof'] } });
  test('an unsigned SendCommand is refused and runs nothing', async () => {
    const before = lab.gateway.sent.length;
    const r = await fetch(lab.endpoint, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonSSM.SendCommand' }, body: sendBody.replace('[]', JSON.stringify([inference])) });
    expect(r.status).toBe(400);
    expect(await r.json()).toMatchObject({ __type: 'MissingAuthenticationTokenException' });
    expect(lab.gateway.sent.length).toBe(before);
  });

  test('a request signed with another key or a wrong secret is refused, through the SDK and the AWS CLI', async () => {
    const wrongKey = new SSMClient({ region, endpoint: lab.endpoint, credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: lab.credentials.secretAccessKey }, maxAttempts: 1 });
    const wrongSecret = new SSMClient({ region, endpoint: lab.endpoint, credentials: { accessKeyId: lab.credentials.accessKeyId, secretAccessKey: 'x'.repeat(40) }, maxAttempts: 1 });
    try {
      await expect(wrongKey.send(new SendCommandCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: [inference], Parameters: { commands: ['id'] } }))).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
      await expect(wrongSecret.send(new SendCommandCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: [inference], Parameters: { commands: ['id'] } }))).rejects.toMatchObject({ name: 'InvalidSignatureException' });
    } finally {
      wrongKey.destroy(); wrongSecret.destroy();
    }
    const cli = await execa('aws', ['ec2', 'describe-vpcs'], { env: { ...cliEnv(), AWS_SECRET_ACCESS_KEY: 'y'.repeat(40) }, extendEnv: false, reject: false });
    expect(cli.exitCode).not.toBe(0);
    expect(cli.stderr).toMatch(/AuthFailure/);
    const testing = await execa('aws', ['ssm', 'describe-instance-information'], { env: { ...cliEnv(), AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' }, extendEnv: false, reject: false });
    expect(testing.stderr).toMatch(/UnrecognizedClientException/);
  });
});

describe('SSM behaviour', () => {
  const send = async (script: string, instanceIds = [inference], timeout = '10') =>
    (await ssm.send(new SendCommandCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: instanceIds, Parameters: { commands: [script], executionTimeout: [timeout] } }))).Command!.CommandId!;
  const poll = async (id: string, instanceId = inference) => {
    for (let i = 0; i < 100; i++) {
      try {
        const r = await ssm.send(new GetCommandInvocationCommand({ CommandId: id, InstanceId: instanceId }));
        if (['Success', 'Failed', 'TimedOut', 'Cancelled'].includes(r.Status!)) return r;
      } catch (e) { if ((e as Error).name !== 'InvocationDoesNotExist') throw e; }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('never finished');
  };

  test('right after SendCommand the invocation does not exist yet (eventual consistency)', async () => {
    reset();
    lab.gateway.faults.consistencyMs = 800;
    const id = await send('echo hi');
    await expect(ssm.send(new GetCommandInvocationCommand({ CommandId: id, InstanceId: inference }))).rejects.toMatchObject({ name: 'InvocationDoesNotExist' });
    expect((await poll(id)).StandardOutputContent).toBe('hi\n');
  });

  test('stdout is cut at 24,000 characters and the pathproof transport reports ERROR, not PASS', async () => {
    reset();
    lab.gateway.faults.padStdout = { [inference]: 30_000 };
    const r = await poll(await send('echo start'));
    expect(r.StandardOutputContent!.length).toBe(STDOUT_LIMIT);
    const config = loadConfig({ root: ROOT, env: 'local', marker: 'pp-test', inventory: lab.model });
    const checks = config.checks.filter((c) => c.from === 'inference' && c.kind === 'probe').slice(0, 2);
    const clients = new AwsClients(config.env, 'pp-test', lab.endpoint, lab.credentials);
    const result = await execute(config, checks, { runId: 'pp-test', resolver: new Ec2TargetResolver(config.env, clients), port: ssmPort(clients, { maxDelayMs: 200 }) });
    clients.destroy();
    expect(result.verdicts.map((v) => v.status)).toEqual(['ERROR', 'ERROR']);
    expect(result.verdicts[0]!.sentence).toMatch(/24,000-character/);
  });

  test('a non-zero exit is Failed with its ResponseCode; an overrun is TimedOut/ExecutionTimedOut', async () => {
    reset();
    expect(await poll(await send('exit 3'))).toMatchObject({ Status: 'Failed', StatusDetails: 'Failed', ResponseCode: 3 });
    expect(await poll(await send('sleep 5', [inference], '1'))).toMatchObject({ Status: 'TimedOut', StatusDetails: 'ExecutionTimedOut' });
  });

  test.each([
    ['Undeliverable', 'Failed', 'Undeliverable'],
    ['DeliveryTimedOut', 'TimedOut', 'DeliveryTimedOut'],
  ] as const)('injected %s', async (fault, status, details) => {
    reset();
    lab.gateway.faults.instances = { [inference]: fault };
    expect(await poll(await send('echo never'))).toMatchObject({ Status: status, StatusDetails: details, ResponseCode: -1 });
  });

  test('Delayed first, then it runs', async () => {
    reset();
    lab.gateway.faults.instances = { [inference]: 'Delayed' };
    const id = await send('echo late');
    await new Promise((r) => setTimeout(r, 400));
    expect((await ssm.send(new GetCommandInvocationCommand({ CommandId: id, InstanceId: inference }))).Status).toBe('Delayed');
    expect(await poll(id)).toMatchObject({ Status: 'Success', StandardOutputContent: 'late\n' });
  });

  test('throttling is absorbed by adaptive retry; an unknown instance is surfaced at once', async () => {
    reset();
    lab.gateway.faults.throttleNext = 2;
    const t = new SsmTransport(new SSMClient({ region, endpoint: lab.endpoint, credentials: lab.credentials, retryMode: 'adaptive', maxAttempts: 5 }), { maxDelayMs: 100 });
    const [inv] = await t.run({ instanceIds: [inference], script: 'echo ok', comment: 'pathproof test', executionTimeoutSeconds: 10, deliveryTimeoutSeconds: 30, pollGraceSeconds: 5, label: 'test' });
    expect(inv).toMatchObject({ status: 'Success', stdout: 'ok\n' });
    const err = await t.run({ instanceIds: ['i-0000000000000dead'], script: 'echo', comment: 'x', executionTimeoutSeconds: 10, deliveryTimeoutSeconds: 30, pollGraceSeconds: 5, label: 'test' }).catch((e: unknown) => e);
    expect(isPathproofError(err, 'SSM_INVALID_INSTANCE')).toBe(true);
  });

  test('DescribeInstanceInformation lists every instance Online; ListCommandInvocations keeps 2,500 characters', async () => {
    reset();
    const info = await ssm.send(new DescribeInstanceInformationCommand({}));
    expect(info.InstanceInformationList!.length).toBe(lab.layout.instances.size);
    expect(new Set(info.InstanceInformationList!.map((i) => i.PingStatus))).toEqual(new Set(['Online']));
    const id = await send('head -c 3000 /dev/zero | tr "\\0" y');
    await poll(id);
    const list = await ssm.send(new ListCommandInvocationsCommand({ CommandId: id, Details: true }));
    expect(list.CommandInvocations![0]!.CommandPlugins![0]!.Output!.length).toBe(2500);
  });
});

describe('emulator endpoints', () => {
  test('an existing endpoint by URL (LocalStack path) works against moto, and is left running', async () => {
    await using moto = await startMoto({ runId: newTestRunId('moto', runIds) });
    // Straight into moto, which has no DNS Firewall API (the twin's gateway answers it): without it.
    await seedTopology({ ...loadTopology(`${ROOT}/fixtures/topologies/reference.yaml`), dnsFirewall: undefined }, { endpoint: moto.url, credentials: TWIN_CREDENTIALS });
    {
      await using other = await startLab({ root: ROOT, runId: newTestRunId('url', runIds), log: () => {}, emulatorUrl: moto.url });
      expect(other.emulator.kind).toBe('localstack');
      const topo = loadTopology(`${ROOT}/fixtures/topologies/reference.yaml`);
      expect(other.layout.instances.size).toBe(Object.values(topo.vpcs).reduce((n, v) => n + Object.keys(v.instances).length, 0));
    }
    const still = await fetch(`${moto.url}/moto-api/`);
    expect(still.ok).toBe(true);
  });

  test('LocalStack in a container fails fast, with what to do, where no Docker engine runs', async () => {
    const t0 = Date.now();
    const err = await startLocalstackContainer().catch((e: unknown) => e);
    expect(isPathproofError(err, 'DOCKER_UNAVAILABLE')).toBe(true);
    expect((err as Error).message).toMatch(/PATHPROOF_LOCALSTACK_URL/);
    expect(Date.now() - t0).toBeLessThan(3000);
  });
});
