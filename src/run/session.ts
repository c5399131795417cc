import type { Config } from '../load/config.ts';
import { AwsClients } from '../transport/aws-clients.ts';
import { SsmTransport, type PollOptions } from '../transport/ssm.ts';
import { Ec2TargetResolver, type TargetResolver } from '../transport/targets.ts';
import type { CanaryPort, CommandPort, FlowLogPort } from './execute.ts';
import { cloudwatchFlowLogs } from '../transport/flow-logs-cloudwatch.ts';
import { urlCanary } from '../transport/canary-url.ts';
import type { TwinModel } from '../inventory/model.ts';
import { readState } from '../inventory/read-state.ts';

/** What a run talks to: targets, a command port, and teardown of whatever was started for it. */
export interface Session extends AsyncDisposable {
  readonly resolver: TargetResolver;
  readonly port: CommandPort;
  readonly clients: AwsClients;
  /** Reads what reached the canaries; absent when the environment has no canary record. */
  readonly canary?: CanaryPort;
  /** Reads the AWS inventory (for config checks and baselines). */
  readonly inventory: () => Promise<TwinModel>;
  /** Finds REJECT records in the VPC flow logs; absent when the environment names none. */
  readonly flowLogs?: FlowLogPort;
  /** After a disruptive change: let it take effect (the twin rebuilds; AWS propagates). Absent: disruption unsupported here. */
  readonly afterChange?: () => Promise<void>;
  /** Human-readable description of the control plane, for logs and evidence. */
  readonly describe: string;
}

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

/** The inventory over the environment's own clients: each region read with its account's credentials. */
function inventoryOf(config: Config, clients: AwsClients, log: (l: string) => void): () => Promise<TwinModel> {
  const accountFor = (region: string) => Object.entries(config.env.accounts).find(([, a]) => a.region === region)?.[0] ?? config.env.bedrock.account;
  const zonesAccount = Object.values(config.env.zones)[0]?.account ?? config.env.bedrock.account;
  return () => readState({ ec2: (region) => clients.ec2(accountFor(region), region), route53: () => clients.route53(zonesAccount) }, envRegions(config), log);
}

export async function openSession(config: Config, runId: string, log: (line: string) => void): Promise<Session> {
  const poll: PollOptions = { maxDelayMs: config.env.timeouts.pollMaxDelayMs, initialDelayMs: Math.min(400, config.env.timeouts.pollMaxDelayMs) };
  if (config.env.kind === 'twin') {
    // The twin lives in infra/; loaded only when needed so that prod runs never touch it.
    const { runningLab } = await import('../../infra/twin/lab-cli.ts');
    const running = runningLab(config.root);
    if (running) {
      // A twin kept up with `lab up`: reuse it (the warm path while suites are being written).
      const clients = new AwsClients(config.env, runId, running.endpoint);
      const { readTwinCanary } = await import('../../infra/twin/canary.ts');
      const { twinFlowLogs } = await import('../../infra/twin/flow-logs.ts');
      return {
        resolver: new Ec2TargetResolver(config.env, clients), port: ssmPort(clients, poll), clients,
        canary: { received: async (m) => readTwinCanary(running.records, m) },
        inventory: inventoryOf(config, clients, () => {}),
        flowLogs: twinFlowLogs(() => running.flowHosts, config.env.accounts[config.env.bedrock.account]!.id),
        describe: `running lab ${running.runId} (gateway ${running.endpoint})`,
        async [Symbol.asyncDispose]() { clients.destroy(); },
      };
    }
    const { startLab } = await import('../../infra/twin/lab.ts');
    const localstackUrl = config.env.emulator === 'localstack' ? (process.env.PATHPROOF_LOCALSTACK_URL ?? config.env.endpointUrl) : undefined;
    const container = config.env.emulator === 'localstack' && !localstackUrl ? await (await import('../../infra/twin/emulator.ts')).startLocalstackContainer() : undefined;
    const lab = await startLab({ root: config.root, runId, log, ...(localstackUrl ? { emulatorUrl: localstackUrl } : {}), ...(container ? { emulatorUrl: container.url, seed: true } : {}) })
      .catch(async (e: unknown) => { await container?.[Symbol.asyncDispose](); throw e; });
    const clients = new AwsClients(config.env, runId, lab.endpoint);
    const { readTwinCanary } = await import('../../infra/twin/canary.ts');
    const { flowHosts, twinFlowLogs } = await import('../../infra/twin/flow-logs.ts');
    return {
      resolver: new Ec2TargetResolver(config.env, clients), port: ssmPort(clients, poll), clients,
      canary: { received: async (m) => readTwinCanary(lab.applied.records, m) },
      inventory: inventoryOf(config, clients, () => {}),
      flowLogs: twinFlowLogs(() => flowHosts(lab.layout, lab.model), config.env.accounts[config.env.bedrock.account]!.id),
      afterChange: () => lab.rebuild(),
      describe: `local twin ${lab.runId} (gateway ${lab.endpoint})`,
      async [Symbol.asyncDispose]() {
        clients.destroy();
        await lab[Symbol.asyncDispose]();
        await container?.[Symbol.asyncDispose]();
      },
    };
  }
  const clients = new AwsClients(config.env, runId);
  return {
    resolver: new Ec2TargetResolver(config.env, clients), port: ssmPort(clients, poll), clients,
    ...(config.env.canaries.recordUrl ? { canary: urlCanary(config.env.canaries.recordUrl) } : {}),
    inventory: inventoryOf(config, clients, log),
    // Route 53 changes reach the resolvers within a minute (INSYNC), answers stay cached for their TTL,
    // and route changes take seconds: one generous wait covers both.
    afterChange: async () => { log('pathproof: waiting 90 s for the change to take effect (Route 53 propagation, resolver caches, routes)'); await new Promise((r) => setTimeout(r, 90_000)); },
    ...(config.env.monitoring ? { flowLogs: cloudwatchFlowLogs(clients.logs(config.env.monitoring.account, config.env.monitoring.region), config.env.monitoring.flowLogGroups, config.env.monitoring.waitSeconds) } : {}),
    describe: clients.endpoint ? `AWS API at ${clients.endpoint}` : 'AWS',
    async [Symbol.asyncDispose]() {
      clients.destroy();
    },
  };
}
