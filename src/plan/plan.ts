

import { buildBatchScript } from './batch-script.ts';
import { isAssertionCheck, type Check, type Config, type ProbeCheck, type ZoneControls } from '../model/check.ts';
import { needsDns, type ProbeDef, worstCaseSeconds } from '../model/probe.ts';
import { BATCH_FRAME, MAX_WRAPPED_LINE, SSM_STDOUT_LIMIT } from '../model/batch-protocol.ts';
import { Batch, CommandPlan, Plan, PlannedProbe, Target } from '../model/plan.ts';
import { PathproofError } from '../model/errors.ts';

export const MAX_INSTANCES_PER_COMMAND = 50;
/** Probes (control included) whose worst-case output still fits SSM's 24,000 characters. */
export const PROBES_PER_BATCH = Math.floor((SSM_STDOUT_LIMIT - BATCH_FRAME) / MAX_WRAPPED_LINE);
/**
 * The most a batch script (the `commands` parameter of one SendCommand) may weigh. SSM's only
 * documented ceiling is 64 KB for a document plus its run-time parameters (Systems Manager service
 * quotas, "Documents"); half of it leaves room for the document's own text and any escaping.
 */
export const PAYLOAD_BUDGET = 32 * 1024;

/**
 * Plans one round. `round` names a round of its own (a disruptive check's), so that its batch ids,
 * and the evidence files named after them, never collide with the main round's.
 */
export function planRun(config: Config, checks: readonly Check[], targets: ReadonlyMap<string, readonly Target[]>, runId: string, round?: string): Plan {
  const batches: Batch[] = [];
  const commands: CommandPlan[] = [];
  const untargeted: string[] = [];
  // Config checks read the AWS API and run no probe: they are never batched.
  const probeChecks = checks.filter((c) => !isAssertionCheck(c));
  const zones = [...new Set(probeChecks.map((c) => c.from))].sort();
  for (const zone of zones) {
    const zoneChecks = probeChecks.filter((c) => c.from === zone);
    const zoneTargets = targets.get(zone) ?? [];
    if (zoneTargets.length === 0) {
      untargeted.push(zone);
      continue;
    }
    const zdef = config.env.zones[zone]!;
    const controls = config.controls.get(zone) as ZoneControls;
    // Each batch's control exercises what its checks need: checks by address get a control that
    // needs no DNS, so a DNS fault cannot make them INCONCLUSIVE (a zone with one control keeps one group).
    const groups = controls.byAddress === controls.byName
      ? [{ kind: '', control: controls.byName, checks: zoneChecks }]
      : [
          { kind: 'dns', control: controls.byName, checks: zoneChecks.filter((c) => needsDns(config.probes.get(c.probe), c.params)) },
          { kind: 'ip', control: controls.byAddress, checks: zoneChecks.filter((c) => !needsDns(config.probes.get(c.probe), c.params)) },
        ].filter((g) => g.checks.length > 0);
    for (const group of groups) {
      const prefix = [zone, ...(round ? [round] : []), ...(group.kind ? [group.kind] : [])];
      for (const { id, probes, script } of splitGroup(config, group.control, group.checks, prefix, runId)) {
        const executionTimeoutSeconds = Math.max(...probes.map((p) => p.timeoutSeconds * (p.retryUnless ? 2 : 1))) + 15;
        batches.push({
          id, zone, account: zdef.account, region: config.env.accounts[zdef.account]!.region,
          targets: zoneTargets, probes, script, executionTimeoutSeconds,
        });
        for (let i = 0; i < zoneTargets.length; i += MAX_INSTANCES_PER_COMMAND) {
          commands.push({
            batch: id,
            instanceIds: zoneTargets.slice(i, i + MAX_INSTANCES_PER_COMMAND).map((t) => t.instanceId),
            comment: `pathproof ${runId} ${id}`.slice(0, 100),
          });
        }
      }
    }
  }
  return { runId, env: config.env.name, checks, batches, commands, untargeted };
}

function successOutcomes(def: ProbeDef | undefined): string[] {
  return Object.entries(def?.outcomes ?? {}).filter(([, cls]) => cls === 'success').map(([outcome]) => outcome).sort();
}

/**
 * A group's batches: balanced chunks (42 checks become 21 + 21, not 25 + 17), each with the
 * control first; more chunks while a script would outweigh the payload budget (large probe
 * bodies). A script still over it with one check is refused.
 */
function splitGroup(config: Config, control: { probe: string; params: Readonly<Record<string, string>> }, checks: readonly ProbeCheck[], prefix: readonly string[], runId: string): { id: string; probes: PlannedProbe[]; script: string }[] {
  const def = config.probes.get(control.probe);
  const head: PlannedProbe = {
    index: 0, key: 'control', probe: control.probe, params: control.params,
    timeoutSeconds: Math.max(config.env.timeouts.probeSeconds, worstCaseSeconds(def, control.params)),
    retryUnless: successOutcomes(def),
  };
  for (let chunks = Math.ceil(checks.length / (PROBES_PER_BATCH - 1)); ; chunks += 1) {
    const size = Math.ceil(checks.length / chunks);
    const batches = Array.from({ length: chunks }, (_, k) => {
      const probes = [head, ...checks.slice(k * size, (k + 1) * size).map((c, i) => ({ index: i + 1, key: c.id, probe: c.probe, params: c.params, timeoutSeconds: c.timeoutSeconds }))];
      const id = [...prefix, ...(chunks > 1 ? [String(k + 1)] : [])].join('.');
      return { id, probes, script: buildBatchScript({ runId, batch: id, probes, defs: config.probes }) };
    });
    const heavy = batches.find((b) => Buffer.byteLength(b.script) > PAYLOAD_BUDGET);
    if (!heavy) return batches;
    if (chunks >= checks.length) throw new PathproofError('CONFIG_INVALID', `batch ${heavy.id}: its script is ${Buffer.byteLength(heavy.script)} bytes even with one check (${heavy.probes.slice(1).map((p) => p.probe).join(', ')}), over the ${PAYLOAD_BUDGET}-byte budget for a SendCommand's parameters: make the probe's probe.sh smaller`);
  }
}
