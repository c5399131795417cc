/** Runs every check of env local on a started twin, with all of the twin's ports (canary, flow logs, inventory, baseline). */
import { readFileSync } from 'node:fs';
import { loadConfig } from '../src/load/config.ts';
import { execute } from '../src/run/execute.ts';
import { envRegions, ssmPort, zoneRoles } from '../src/run/session.ts';
import { endpointSource, readState } from '../src/aws/read-state.ts';

import { AwsClients } from '../src/aws/aws-clients.ts';
import { Ec2TargetResolver } from '../src/aws/targets.ts';
import { awsDisruption } from '../src/aws/disrupt.ts';
import { readTwinCanary } from '../infra/twin/canary.ts';
import { flowHosts, twinFlowLogs } from '../infra/twin/flow-logs.ts';
import { twinQueryLogs } from '../infra/twin/query-logs.ts';
import type { StartedLab } from '../infra/twin/lab.ts';
import { type RunResult } from '../src/model/result.ts';
import type { Check } from '../src/model/check.ts';
import { baselineFile } from '../src/load/baseline.ts';

export async function runOnLab(root: string, lab: StartedLab, runId: string, opts: { disruptive?: boolean; checks?: (id: string) => boolean; expand?: (checks: readonly Check[]) => Check[]; envFile?: string } = {}): Promise<RunResult> {
  const config = loadConfig({ root, env: 'local', marker: runId, inventory: lab.model, ...(opts.envFile ? { envFile: opts.envFile } : {}) });
  const clients = new AwsClients(config.env, runId, lab.endpoint, lab.credentials);
  const chosen = config.checks.filter((c) => !opts.checks || opts.checks(c.id));
  try {
    return await execute(config, opts.expand ? opts.expand(chosen) : chosen, {
      runId, resolver: new Ec2TargetResolver(config.env, clients), port: ssmPort(clients, { maxDelayMs: config.env.timeouts.pollMaxDelayMs, callsPerSecond: config.env.timeouts.ssmCallsPerSecond }),
      canary: { received: async (m) => readTwinCanary(lab.applied.records, m) },
      inventory: () => { const src = endpointSource(lab.aws); return readState(src, envRegions(config), () => {}, { roles: zoneRoles(config) }).finally(() => src.destroy()); },
      baseline: JSON.parse(readFileSync(baselineFile(root, 'local'), 'utf8')),
      flowLogs: twinFlowLogs(() => flowHosts(lab.layout, lab.model), config.env.accounts.nz!.id, () => lab.earlierFlows),
      queryLogs: twinQueryLogs(() => lab.applied.records),
      ...(opts.disruptive ? { disruption: awsDisruption(clients, config, root, () => lab.rebuild()) } : {}),
    });
  } finally {
    clients.destroy();
  }
}
