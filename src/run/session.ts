import path from 'node:path';

import { AwsClients } from '../aws/aws-clients.ts';
import { SsmTransport, type PollOptions } from '../aws/ssm.ts';
import { Ec2TargetResolver } from '../aws/targets.ts';

import { cloudwatchFlowLogs, flowLogEvents } from '../aws/flow-logs-cloudwatch.ts';
import type { FlowLine } from '../model/flow-log.ts';
import { PathproofError } from '../model/errors.ts';
import { urlCanary } from '../aws/canary-url.ts';
import { cloudwatchQueryLogs, queryLogEvents } from '../aws/query-logs-cloudwatch.ts';
import type { QueryLogRecord } from '../model/dns-firewall.ts';
import type { Inventory } from '../model/inventory.ts';
import { needsDiscovery } from '../model/discovery.ts';
import { readState } from '../aws/read-state.ts';
import type { LabInfo } from '../../infra/twin/lab-cli.ts';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { importFindings, type ImportOutcome } from '../aws/securityhub.ts';
import { awsDisruption } from '../aws/disrupt.ts';
import { preflight } from '../aws/preflight.ts';
import { type Config } from '../model/check.ts';
import type { CommandPort, Session, TargetResolver } from '../model/ports.ts';


/** The SSM port over real (or emulated) AWS, one transport per account and region. */
export function ssmPort(clients: AwsClients, poll: PollOptions = {}): CommandPort {
  const transports = new Map<string, SsmTransport>();
  return {
    run(account, region, req, signal) {
      const key = `${account}/${region}`;
      let t = transports.get(key);
      if (!t) transports.set(key, (t = new SsmTransport(clients.ssm(account, region), poll)));
      return t.run(req, signal);
    },
  };
}

/** Regions the environment spans: every account's region and the Bedrock region. */
export function envRegions(config: Config): string[] {
  return [...new Set([...Object.values(config.env.accounts).map((a) => a.region), config.env.bedrock.region])];
}

/** The IAM roles the environment names for its zones (their identity policies are judged). */
export function zoneRoles(config: Config): string[] {
  return [...new Set(Object.values(config.env.zones).flatMap((z) => z.roles ?? []))];
}

/** The inventory over the environment's own clients: each region read with its account's credentials. */
function inventoryOf(config: Config, clients: AwsClients, log: (l: string) => void): () => Promise<Inventory> {
  const accountFor = (region: string) => Object.entries(config.env.accounts).find(([, a]) => a.region === region)?.[0] ?? config.env.bedrock.account;
  const zonesAccount = Object.values(config.env.zones)[0]?.account ?? config.env.bedrock.account;
  return () => readState({ ec2: (region) => clients.ec2(accountFor(region), region), route53: () => clients.route53(zonesAccount), route53resolver: (region) => clients.route53resolver(accountFor(region), region), iam: () => clients.iam(zonesAccount), elbv2: (region) => clients.elbv2(accountFor(region), region) }, envRegions(config), log, { roles: zoneRoles(config) });
}

/** What a run will test, decided before anything starts, and said in the run's first line. */
export type SystemUnderTest =
  | { readonly kind: 'aws'; readonly describe: string }
  | { readonly kind: 'lab'; readonly lab: LabInfo; readonly describe: string }
  | { readonly kind: 'url'; readonly url: string; readonly from: string; readonly describe: string }
  | { readonly kind: 'container'; readonly describe: string }
  | { readonly kind: 'moto'; readonly describe: string };

/**
 * Explicit configuration wins: an emulator URL given by PATHPROOF_LOCALSTACK_URL (or a localstack
 * environment's endpointUrl) is what gets tested, even while a lab is up; a lab kept up with
 * `lab up` is reused only when nothing names another emulator and it was started for this environment.
 */
export function systemUnderTest(config: Pick<Config, 'env'>, runId: string, vars: NodeJS.ProcessEnv, running?: LabInfo): SystemUnderTest {
  const env = config.env;
  if (env.kind === 'aws') {
    const accounts = Object.entries(env.accounts).map(([n, a]) => `${n} ${a.id} (${a.region}${a.roleArn ? `, role ${a.roleArn}` : a.profile ? `, profile ${a.profile}` : ''})`).join(', ');
    const endpoint = vars.AWS_ENDPOINT_URL ?? env.endpointUrl;
    return { kind: 'aws', describe: `AWS accounts ${accounts}${endpoint ? ` at ${endpoint}` : ''}` };
  }
  const url = vars.PATHPROOF_LOCALSTACK_URL ?? (env.emulator === 'localstack' ? env.endpointUrl : undefined);
  const from = vars.PATHPROOF_LOCALSTACK_URL ? 'PATHPROOF_LOCALSTACK_URL' : 'endpointUrl in the environment file';
  const ignored = running ? `; the running lab ${running.runId} is not used` : '';
  if (url) return { kind: 'url', url, from, describe: `the emulator at ${url} (from ${from}), through a twin ${runId} built from its state${ignored}` };
  if (running && (running.env ?? 'local') === env.name) return { kind: 'lab', lab: running, describe: `the running lab ${running.runId} (endpoint ${running.endpoint}, emulator ${running.emulator})` };
  if (env.emulator === 'localstack') return { kind: 'container', describe: `a LocalStack container started for this run, through a twin ${runId}` };
  return { kind: 'moto', describe: `a moto emulator started for this run, through a twin ${runId}` };
}

/** Completes a configuration whose environment leaves addresses to discovery, from an inventory (the loader's job: `load` is out of this layer's reach). */
export type CompleteConfig = (inventory: Inventory) => Config;

/** The configuration with its discovered addresses, read once; unchanged when nothing is left to discover. */
async function discovered(config: Config, read: () => Promise<Inventory>, complete?: CompleteConfig): Promise<Config> {
  if (!complete || !needsDiscovery(config.env)) return config;
  return complete(await read());
}

/**
 * Opens what a run talks to: the twin (started, or a running lab) or the AWS accounts. An environment
 * that leaves addresses to discovery is completed from the inventory first (`complete`), before any
 * adapter is built from it; a failed discovery tears down what was started and throws.
 */
export async function openSession(config: Config, runId: string, log: (line: string) => void, sut?: SystemUnderTest, complete?: CompleteConfig): Promise<Session> {
  const poll: PollOptions = { maxDelayMs: config.env.timeouts.pollMaxDelayMs, initialDelayMs: Math.min(400, config.env.timeouts.pollMaxDelayMs), callsPerSecond: config.env.timeouts.ssmCallsPerSecond };
  if (config.env.kind === 'twin') {
    // The twin lives in infra/; loaded only when needed so that prod runs never touch it.
    const { runningLab } = await import('../../infra/twin/lab-cli.ts');
    const target = sut ?? systemUnderTest(config, runId, process.env, runningLab(config.root));
    if (target.kind === 'lab') {
      const running = target.lab;
      // A twin kept up with `lab up`: reuse it (the warm path while suites are being written).
      const clients = new AwsClients(config.env, runId, running.endpoint, running.credentials);
      config = await discovered(config, inventoryOf(config, clients, () => {}), complete).catch((e: unknown) => { clients.destroy(); throw e; });
      const { readTwinCanary } = await import('../../infra/twin/canary.ts');
      const { twinFlowLogs } = await import('../../infra/twin/flow-logs.ts');
      const { twinQueryLogs } = await import('../../infra/twin/query-logs.ts');
      return {
        resolver: new Ec2TargetResolver(config.env, clients), port: ssmPort(clients, poll),
        canary: { received: async (m) => readTwinCanary(running.records, m) },
        inventory: inventoryOf(config, clients, () => {}),
        flowLogs: twinFlowLogs(() => running.flowHosts, config.env.accounts[config.env.bedrock.account]!.id),
        queryLogs: twinQueryLogs(() => running.records),
        describe: `running lab ${running.runId} (gateway ${running.endpoint}, emulator ${running.emulator})`, config,
        callers: () => callerIdentities(config, (a) => clients.sts(a, config.env.accounts[a]!.region).send(new GetCallerIdentityCommand({}))),
        async [Symbol.asyncDispose]() { clients.destroy(); },
      };
    }
    const { startLab } = await import('../../infra/twin/lab.ts');
    const container = target.kind === 'container' ? await (await import('../../infra/twin/emulator.ts')).startLocalstackContainer() : undefined;
    const lab = await startLab({ root: config.root, runId, log, ...(target.kind === 'url' ? { emulatorUrl: target.url } : {}), ...(container ? { emulatorUrl: container.url, seed: true } : {}) })
      .catch(async (e: unknown) => { await container?.[Symbol.asyncDispose](); throw e; });
    const clients = new AwsClients(config.env, runId, lab.endpoint, lab.credentials);
    // The twin was built from this inventory: discovery reads the same one.
    config = await discovered(config, async () => lab.model, complete).catch(async (e: unknown) => {
      clients.destroy();
      await lab[Symbol.asyncDispose]();
      await container?.[Symbol.asyncDispose]();
      throw e;
    });
    const { readTwinCanary } = await import('../../infra/twin/canary.ts');
    const { flowHosts, twinFlowLogs } = await import('../../infra/twin/flow-logs.ts');
    const { twinQueryLogs } = await import('../../infra/twin/query-logs.ts');
    return {
      resolver: new Ec2TargetResolver(config.env, clients), port: ssmPort(clients, poll),
      canary: { received: async (m) => readTwinCanary(lab.applied.records, m) },
      inventory: inventoryOf(config, clients, () => {}),
      flowLogs: twinFlowLogs(() => flowHosts(lab.layout, lab.model), config.env.accounts[config.env.bedrock.account]!.id, () => lab.earlierFlows),
      queryLogs: twinQueryLogs(() => lab.applied.records),
      disruption: awsDisruption(clients, config, config.root, () => lab.rebuild()),
      callers: () => callerIdentities(config, (a) => clients.sts(a, config.env.accounts[a]!.region).send(new GetCallerIdentityCommand({}))),
      describe: `local twin ${lab.runId} (gateway ${lab.endpoint}, emulator ${lab.emulator.url})`, config,
      async [Symbol.asyncDispose]() {
        clients.destroy();
        await lab[Symbol.asyncDispose]();
        await container?.[Symbol.asyncDispose]();
      },
    };
  }
  const clients = new AwsClients(config.env, runId);
  config = await discovered(config, inventoryOf(config, clients, log), complete).catch((e: unknown) => { clients.destroy(); throw e; });
  // Asked once per run: the preflight and the evidence share STS's answer, the preflight and the probes the targets.
  const identity = once((account: string) => clients.sts(account, config.env.accounts[account]!.region).send(new GetCallerIdentityCommand({})));
  const resolver = cachedResolver(new Ec2TargetResolver(config.env, clients));
  const inventory = inventoryOf(config, clients, log);
  return {
    resolver, port: ssmPort(clients, poll),
    ...(config.env.canaries.recordUrl ? { canary: urlCanary(config.env.canaries.recordUrl) } : {}),
    inventory,
    preflight: () => preflight(config, { clients, resolver, identity, inventory }),
    // Route 53 changes reach the resolvers within a minute (INSYNC), answers stay cached for their TTL,
    // and route changes take seconds: one generous wait covers both.
    disruption: awsDisruption(clients, config, config.root, async () => { log('pathproof: waiting 90 s for the change to take effect (Route 53 propagation, resolver caches, routes)'); await new Promise((r) => setTimeout(r, 90_000)); }),
    callers: () => callerIdentities(config, identity),
    ...(config.env.monitoring ? { flowLogs: cloudwatchFlowLogs(clients.logs(config.env.monitoring.account, config.env.monitoring.region), config.env.monitoring.flowLogGroups, config.env.monitoring.waitSeconds) } : {}),
    ...(config.env.monitoring?.queryLogGroups ? { queryLogs: cloudwatchQueryLogs(clients.logs(config.env.monitoring.account, config.env.monitoring.region), config.env.monitoring.queryLogGroups, config.env.monitoring.waitSeconds) } : {}),
    describe: clients.endpoint ? `AWS API at ${clients.endpoint}` : 'AWS', config,
    async [Symbol.asyncDispose]() {
      clients.destroy();
    },
  };
}

/**
 * The inventory an environment's addresses are discovered from, for commands that open no session
 * (audit): real accounts are read; a twin environment reads its running lab, or without one the
 * topology the twin is built from (`topologyInventory`).
 */
export async function discoveryInventory(config: Config): Promise<Inventory> {
  if (config.env.kind === 'twin') {
    const { runningLab } = await import('../../infra/twin/lab-cli.ts');
    const running = runningLab(config.root);
    if (!running || (running.env ?? 'local') !== config.env.name) {
      const { loadTopology, topologyInventory } = await import('../../infra/twin/topology.ts');
      return topologyInventory(loadTopology(path.join(config.root, 'fixtures/topologies/reference.yaml')));
    }
    const clients = new AwsClients(config.env, 'discover', running.endpoint, running.credentials);
    try { return await inventoryOf(config, clients, () => {})(); } finally { clients.destroy(); }
  }
  const clients = new AwsClients(config.env, 'discover');
  try { return await inventoryOf(config, clients, () => {})(); } finally { clients.destroy(); }
}

/** What a run will test, read before anything starts (a running lab included). */
export async function whatIsTested(config: Config, runId: string): Promise<SystemUnderTest> {
  if (config.env.kind !== 'twin') return systemUnderTest(config, runId, process.env);
  const { runningLab } = await import('../../infra/twin/lab-cli.ts');
  return systemUnderTest(config, runId, process.env, runningLab(config.root));
}

async function callerIdentities(config: Config, identity: (account: string) => Promise<{ Arn?: string }>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  await Promise.all(Object.keys(config.env.accounts).map(async (name) => {
    try {
      const id = await identity(name);
      out[name] = id.Arn ?? '';
    } catch (e) {
      out[name] = `unknown (${(e as Error).name})`;
    }
  }));
  return out;
}

/** A function that is called at most once per argument; later calls share the first answer. */
function once<A, R>(fn: (a: A) => Promise<R>): (a: A) => Promise<R> {
  const memo = new Map<A, Promise<R>>();
  return (a) => { let p = memo.get(a); if (!p) memo.set(a, (p = fn(a))); return p; };
}

/** Targets resolved once per zone per run (the preflight and the probes ask the same question). */
function cachedResolver(inner: TargetResolver): TargetResolver {
  return { resolve: once((zone: string) => inner.resolve(zone)) };
}

/** A Security Hub client with the environment's credentials, for `export securityhub` (the account whose findings they are). */
export function securityHubFor(config: Config, accountId: string, region: string): { import(findings: readonly AwsSecurityFinding[]): Promise<ImportOutcome>; dispose(): void } {
  const clients = new AwsClients(config.env, 'export');
  const account = Object.entries(config.env.accounts).find(([, a]) => a.id === accountId)?.[0] ?? Object.keys(config.env.accounts)[0]!;
  const hub = clients.securityhub(account, region);
  return { import: (findings) => importFindings(hub, findings), dispose: () => clients.destroy() };
}

/**
 * Where `pathproof audit` reads flow logs when no file is given: the environment's CloudWatch log
 * groups (monitoring.flowLogGroups) in real accounts, the running lab's own records in the twin.
 */
export async function flowLogSource(config: Config, since: Date): Promise<{ describe: string; records: AsyncIterable<FlowLine>; dispose(): void }> {
  if (config.env.kind === 'twin') {
    const { runningLab } = await import('../../infra/twin/lab-cli.ts');
    const { short } = await import('../../infra/twin/lab.ts');
    const { twinFlowLines } = await import('../../infra/twin/flow-logs.ts');
    const lab = runningLab(config.root);
    if (!lab) throw new PathproofError('USAGE', `env ${config.env.name} has flow logs only while a twin runs: start one with \`npm run lab -- up\` (run the checks or your traffic), then audit; or give --flow-logs FILE`);
    const account = Object.values(config.env.accounts)[0]!;
    return { describe: `the running lab ${lab.runId}'s flow logs`, records: twinFlowLines(`pp-${short(lab.runId)}-`, account.id), dispose: () => {} };
  }
  const m = config.env.monitoring;
  if (!m) throw new PathproofError('USAGE', `env ${config.env.name} names no flow-log groups (monitoring.flowLogGroups in fixtures/environments/${config.env.name}.yaml): add them, or give --flow-logs FILE`);
  const clients = new AwsClients(config.env, 'audit');
  return { describe: `CloudWatch Logs ${m.flowLogGroups.join(', ')} (${m.region}) since ${since.toISOString()}`, records: flowLogEvents(clients.logs(m.account, m.region), m.flowLogGroups, since), dispose: () => clients.destroy() };
}

/**
 * Where `pathproof audit` reads Resolver query logs when no file is given: the environment's
 * CloudWatch log groups (monitoring.queryLogGroups) in real accounts, the running lab's in the twin.
 */
export async function queryLogSource(config: Config, since: Date): Promise<{ describe: string; records: AsyncIterable<QueryLogRecord>; dispose(): void }> {
  if (config.env.kind === 'twin') {
    const { runningLab } = await import('../../infra/twin/lab-cli.ts');
    const { readTwinQueryLogs } = await import('../../infra/twin/query-logs.ts');
    const lab = runningLab(config.root);
    if (!lab) throw new PathproofError('USAGE', `env ${config.env.name} has query logs only while a twin runs: start one with \`npm run lab -- up\`, or give --query-logs FILE`);
    const records = readTwinQueryLogs(lab.records);
    return { describe: `the running lab ${lab.runId}'s query logs`, records: (async function* () { yield* records; })(), dispose: () => {} };
  }
  const m = config.env.monitoring;
  if (!m?.queryLogGroups) throw new PathproofError('USAGE', `env ${config.env.name} names no query-log groups (monitoring.queryLogGroups in fixtures/environments/${config.env.name}.yaml): add them, or give --query-logs FILE`);
  const clients = new AwsClients(config.env, 'audit');
  return { describe: `CloudWatch Logs ${m.queryLogGroups.join(', ')} (${m.region}) since ${since.toISOString()}`, records: queryLogEvents(clients.logs(m.account, m.region), m.queryLogGroups, since), dispose: () => clients.destroy() };
}
