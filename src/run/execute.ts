import createDebug from 'debug';
import { describeError, isPathproofError, PathproofError } from '../model/errors.ts';

import type { CanaryRecord, Drift, FlowEvidence, TargetObservation, Verdict } from '../model/result.ts';
import { planRun } from '../plan/plan.ts';

import { judge, judgeAssertion } from '../verdict/judge.ts';
import { diff, snapshot } from '../verdict/assertions/drift.ts';
import { describeEntry } from '../shared/journal.ts';
import type { Inventory } from '../model/inventory.ts';
import { parseBatchOutput } from '../verdict/parse-output.ts';
import { isAssertionCheck, isProbeCheck, type Check, type Config, type ProbeCheck } from '../model/check.ts';
import { type Plan, type Target } from '../model/plan.ts';
import type { CanaryPort, CommandPort, Disruption, DisruptionPort, FlowLogPort, ProgressEvent, QueryLogPort, TargetResolver } from '../model/ports.ts';
import type { QueryLogEvidence } from '../model/dns-firewall.ts';
import { RunResult } from '../model/result.ts';

const log = createDebug('pathproof:run');

export async function resolveTargets(config: Config, checks: readonly Check[], resolver: TargetResolver): Promise<{ targets: Map<string, Target[]>; faults: Map<string, string> }> {
  const targets = new Map<string, Target[]>();
  const faults = new Map<string, string>();
  for (const zone of [...new Set(checks.filter((c) => !isAssertionCheck(c)).map((c) => c.from))].sort()) {
    try {
      const found = await resolver.resolve(zone);
      targets.set(zone, found);
      if (found.length === 0) faults.set(zone, `no running probe host found for zone ${zone}`);
    } catch (e) {
      faults.set(zone, describeError(e));
    }
  }
  return { targets, faults };
}

/** Plans, sends every batch once, judges every check on every target. Never throws for a finding. */
export async function execute(
  config: Config, checks: readonly Check[], opts: {
    runId: string; resolver: TargetResolver; port: CommandPort; canary?: CanaryPort;
    /** Reads the AWS inventory for config checks; without it they are ERROR. */
    inventory?: () => Promise<Inventory>;
    /** Reads the flow logs for checks that ask whether a block was logged. */
    flowLogs?: FlowLogPort;
    /** Reads the Resolver query logs for checks that ask whether DNS Firewall blocked a query. */
    queryLogs?: QueryLogPort;
    /** The drift baseline (fixtures/baselines/ENV.json), if one was taken. */
    baseline?: unknown;
    /** Given only with --allow-disruptive: how to take the private path away and bring it back. */
    disruption?: DisruptionPort;
    signal?: AbortSignal; today?: string; concurrency?: number;
    /** Told when each command is sent and when it has finished (for progress on the console). */
    onProgress?: (e: ProgressEvent) => void;
  },
): Promise<RunResult> {
  const startedAt = new Date().toISOString();
  const today = opts.today ?? startedAt.slice(0, 10);
  const probeChecks = checks.filter(isProbeCheck);
  const normal = checks.filter((c) => !isProbeCheck(c) || !c.disruptive);
  const { plan, observations } = await probeRound(config, normal, opts);

  // Disruptive failover checks, one at a time after everything else: journal, take the private
  // path away, probe, restore in finally, verify the restore.
  const disruptive = probeChecks.filter((c) => c.disruptive);
  const rounds: Plan[] = [];
  const skipped: string[] = [];
  const restoreProblems = new Map<string, string>();
  for (const check of disruptive) {
    if (!opts.disruption) { skipped.push(check.id); continue; }
    if (opts.signal?.aborted) break;
    const d = opts.disruption;
    let done: Disruption | undefined;
    try {
      done = await d.disrupt(check, opts.runId);
      log('disrupted %s for %s', describeEntry(done.entry), check.id);
      await d.afterChange();
      const round = await probeRound(config, [check], opts, check.id);
      rounds.push(round.plan);
      observations.push(...round.observations);
    } catch (e) {
      restoreProblems.set(check.id, `could not disrupt: ${describeError(e)}`);
    } finally {
      if (done) {
        try {
          await d.restore(done);
          await d.afterChange();
        } catch (e) {
          restoreProblems.set(check.id, `the restore of ${describeEntry(done.entry)} could not be verified (${describeError(e)}): run \`npm run pathproof -- restore --env=${config.env.name}\``);
        }
      }
    }
  }

  // Ask the receiving side, once per marker, after every probe has finished.
  const canaries = new Map<string, CanaryRecord>();
  for (const check of probeChecks) {
    if (check.expect.result !== 'blocked' || check.expect.confirm !== 'canary' || canaries.has(check.marker)) continue;
    canaries.set(check.marker, opts.canary
      ? await opts.canary.received(check.marker).catch((e: unknown): CanaryRecord => ({ marker: check.marker, available: false, hits: [], error: describeError(e) }))
      : { marker: check.marker, available: false, hits: [], error: 'this environment has no canary record (canaries.recordUrl)' });
  }
  const verdicts: Verdict[] = [];
  const interrupted: string[] = [];
  // Config checks: one API read, every assertion judged against it.
  const configChecks = checks.filter(isAssertionCheck);
  let drift: Drift | undefined;
  if (configChecks.length > 0 && !opts.signal?.aborted) {
    let inventory: Inventory | undefined;
    let fault = 'this environment offers no inventory reader';
    if (opts.inventory) {
      try { inventory = await opts.inventory(); } catch (e) { fault = describeError(e); }
    }
    for (const check of configChecks) verdicts.push(judgeAssertion(check, config, inventory, fault, today));
    // Drift is information: what changed since the baseline; the catalog checks judge the changes.
    if (inventory) drift = opts.baseline === undefined ? { baseline: false, changes: [] } : { baseline: true, changes: diff(opts.baseline, snapshot(inventory, config.env)) };
  } else if (opts.signal?.aborted) {
    interrupted.push(...configChecks.map((c) => c.id));
  }
  // The batches that held each check (main round and its own disruptive round): a verdict is judged
  // from its own batch's command only, so a fault in a neighbouring batch never touches it.
  const batchesOf = new Map<string, Set<string>>();
  for (const b of [plan, ...rounds].flatMap((r) => r.batches)) {
    for (const p of b.probes) if (p.key !== 'control') (batchesOf.get(p.key) ?? batchesOf.set(p.key, new Set()).get(p.key)!).add(b.id);
  }
  for (const check of probeChecks.filter((c) => !skipped.includes(c.id))) {
    const own = batchesOf.get(check.id) ?? new Set<string>();
    // A zone fault (no targets) has no batch: it is recorded under the zone's name and holds every check of that zone.
    const obsForCheck = observations.filter((o) => o.target.zone === check.from && (own.has(o.batch) || (o.batch === check.from && o.fault?.code === 'TARGETS_UNRESOLVED')));
    const problem = restoreProblems.get(check.id);
    if (problem) {
      for (const o of obsForCheck.length ? obsForCheck : [undefined]) {
        const z = config.env.zones[check.from]!;
        const acct = config.env.accounts[z.account]!;
        const target: Target = o?.target ?? { instanceId: '(none)', zone: check.from, account: z.account, accountId: acct.id, region: acct.region, vpc: z.vpc };
        verdicts.push(judge(check, { batch: check.from, target, fault: { code: 'DISRUPTION', message: problem }, probes: [], truncated: false }, today));
      }
      continue;
    }
    if (obsForCheck.length === 0) interrupted.push(check.id);
    for (const o of obsForCheck) {
      let flow: FlowEvidence | undefined;
      const logged = 'logged' in check.expect ? check.expect.logged : undefined;
      if (logged === 'accept' || logged === 'reject') {
        // Probe parameters carry their defaults from probe.yaml: the port is the check's own. The
        // destination is the address the probe used (a name resolves to it), else the host given.
        const port = Number(check.params.port);
        const data = o.probes.find((p) => p.key === check.id)?.data ?? {};
        const used = [data.address, data.ip].find((x): x is string => typeof x === 'string' && /^\d+\.\d+\.\d+\.\d+$/.test(x));
        const dst = used ?? (/^\d+\.\d+\.\d+\.\d+$/.test(check.params.host ?? '') ? check.params.host : undefined);
        flow = !Number.isInteger(port) ? { available: false, records: [], error: `probe ${check.probe} names no port to look for in the flow logs` }
          : !opts.flowLogs || !o.target.privateIp
          ? { available: false, records: [], error: opts.flowLogs ? `the address of ${o.target.instanceId} is unknown` : 'this environment has no flow-log source (monitoring)' }
          : await opts.flowLogs.find({ action: logged === 'accept' ? 'ACCEPT' : 'REJECT', src: o.target.privateIp, ...(dst ? { dst } : {}), dstPort: port, since: startedAt }).catch((e: unknown) => ({ available: false, records: [], error: describeError(e) }));
      }
      const query = await queryLogEvidence(check, o, startedAt, opts.queryLogs);
      verdicts.push(judge(check, o, today, canaries.get(check.marker), flow, query));
    }
  }
  assertOneVerdictEach(verdicts);
  verdicts.sort((a, b) => a.suite.localeCompare(b.suite) || a.checkId.localeCompare(b.checkId) || a.target.instanceId.localeCompare(b.target.instanceId));
  // The evidence records every command sent: the main round's and each disruptive round's.
  const allPlans: Plan = rounds.length === 0 ? plan : {
    ...plan, checks,
    batches: [...plan.batches, ...rounds.flatMap((r) => r.batches)],
    commands: [...plan.commands, ...rounds.flatMap((r) => r.commands)],
  };
  return { runId: opts.runId, env: config.env.name, startedAt, finishedAt: new Date().toISOString(), plan: allPlans, observations, verdicts, interrupted, skipped, couldNotLook: couldNotLook(observations), ...(drift ? { drift } : {}) };
}

/** The query logs of the query a DNS check made (its probe names it, else the name it resolved), for `logged: query-blocked`. */
async function queryLogEvidence(check: ProbeCheck, o: TargetObservation, since: string, port?: QueryLogPort): Promise<QueryLogEvidence | undefined> {
  if (!('logged' in check.expect) || check.expect.logged !== 'query-blocked') return undefined;
  const data = o.probes.find((p) => p.key === check.id)?.data ?? {};
  const name = typeof data.query === 'string' ? data.query : check.params.name ?? check.params.host;
  if (!name) return { available: false, records: [], error: `probe ${check.probe} names no query` };
  if (!port || !o.target.privateIp) return { available: false, records: [], error: port ? `the address of ${o.target.instanceId} is unknown` : 'this environment has no query-log source (monitoring.queryLogGroups)' };
  return port.find({ name, src: o.target.privateIp, since }).catch((e: unknown) => ({ available: false, records: [], error: describeError(e) }));
}

/** The engine's invariant: each check × target has exactly one verdict. A breach is a harness bug, never data. */
export function assertOneVerdictEach(verdicts: readonly Pick<Verdict, 'checkId' | 'target'>[]): void {
  const seen = new Set<string>();
  for (const v of verdicts) {
    const key = `${v.checkId} @ ${v.target.instanceId}`;
    if (seen.has(key)) throw new PathproofError('HARNESS_INVARIANT', `two verdicts for ${key}: a verdict must be judged from its own batch's command only`);
    seen.add(key);
  }
}

/** What could not look: zones without targets, commands that did not run to Success, cut output. */
function couldNotLook(observations: readonly TargetObservation[]): string[] {
  return observations.flatMap((o) => {
    if (o.fault) return [`${o.batch} on ${o.target.instanceId}: ${o.fault.code}`];
    if (o.invocation && o.invocation.status !== 'Success') return [`${o.batch} on ${o.target.instanceId}: ${o.invocation.status} (${o.invocation.statusDetails})`];
    if (o.truncated) return [`${o.batch} on ${o.target.instanceId}: output cut`];
    return [];
  });
}

/** Plans and sends one round of batches (every zone concurrently) and returns what was observed. */
async function probeRound(config: Config, checks: readonly Check[], opts: { runId: string; resolver: TargetResolver; port: CommandPort; signal?: AbortSignal; concurrency?: number; onProgress?: (e: ProgressEvent) => void }, round?: string): Promise<{ plan: Plan; observations: TargetObservation[] }> {
  const { targets, faults } = await resolveTargets(config, checks, opts.resolver);
  const plan = planRun(config, checks, targets, opts.runId, round);
  const observations: TargetObservation[] = [];

  // Zones without targets: every check there is ERROR (we could not look), never silently absent.
  for (const zone of plan.untargeted) {
    const z = config.env.zones[zone]!;
    const acct = config.env.accounts[z.account]!;
    const target: Target = { instanceId: '(none)', zone, account: z.account, accountId: acct.id, region: acct.region, vpc: z.vpc };
    observations.push({ batch: zone, target, fault: { code: 'TARGETS_UNRESOLVED', message: faults.get(zone) ?? `no probe host in zone ${zone}` }, probes: [], truncated: false });
  }

  const queue = [...plan.commands];
  const byId = new Map(plan.batches.map((b) => [b.id, b]));
  const worker = async () => {
    for (let cmd = queue.shift(); cmd; cmd = queue.shift()) {
      if (opts.signal?.aborted) return;
      const batch = byId.get(cmd.batch)!;
      const tgts = batch.targets.filter((t) => cmd!.instanceIds.includes(t.instanceId));
      opts.onProgress?.({ kind: 'sent', batch: batch.id, instanceIds: cmd.instanceIds });
      try {
        const invocations = await opts.port.run(batch.account, batch.region, {
          instanceIds: cmd.instanceIds, script: batch.script, comment: cmd.comment,
          executionTimeoutSeconds: batch.executionTimeoutSeconds,
          deliveryTimeoutSeconds: config.env.timeouts.deliverySeconds,
          pollGraceSeconds: config.env.timeouts.pollGraceSeconds,
          label: `batch ${batch.id}`,
        }, opts.signal);
        for (const t of tgts) {
          const inv = invocations.find((i) => i.instanceId === t.instanceId);
          observations.push(inv
            ? parseBatchOutput(batch, t, inv, config.probes)
            : { batch: batch.id, target: t, fault: { code: 'SSM_NO_INVOCATION', message: `no invocation returned for ${t.instanceId}` }, probes: [], truncated: false });
        }
      } catch (e) {
        log('batch %s failed: %s', batch.id, describeError(e));
        const code = isPathproofError(e) ? e.code : 'HARNESS';
        for (const t of tgts) observations.push({ batch: batch.id, target: t, fault: { code, message: (e as Error).message }, probes: [], truncated: false });
      }
      opts.onProgress?.({ kind: 'finished', batch: batch.id, instanceIds: cmd.instanceIds });
    }
  };
  // Commands in flight at once: every batch of a typical run (two per zone) goes out together; the
  // SDK's adaptive retry slows down on throttling.
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 16) }, worker));
  return { plan, observations };
}

