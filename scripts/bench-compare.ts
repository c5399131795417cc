/**
 * pathproof against the one-command-per-check way (`npm run bench -- --compare [SAMPLE]`), on one
 * twin whose SSM gateway behaves like SSM under realistic conditions: 1 s of latency on every API
 * call and an agent that picks a command up after 1–2 s.
 *
 * The anchor is written here the way terratest's `CheckSsmCommand` does it: for each check and
 * host, one SendCommand with that probe alone, then GetCommandInvocation every 2 s until the
 * invocation ends. It has no overlap, so its cost grows linearly with the checks; it is measured on
 * SAMPLE checks (default 20) and its total at larger counts is that per-check cost times the count,
 * printed as extrapolated. pathproof is measured in full at every count.
 */
import { GetCommandInvocationCommand, SendCommandCommand } from '@aws-sdk/client-ssm';
import { AwsClients } from '../src/aws/aws-clients.ts';
import { Ec2TargetResolver } from '../src/aws/targets.ts';
import { loadConfig } from '../src/load/config.ts';
import { isProbeCheck, type Check, type ProbeCheck } from '../src/model/check.ts';
import { buildBatchScript } from '../src/plan/batch-script.ts';
import { runOnLab } from './twin-run.ts';

const REALISTIC = { latencyMs: 1000, pickupMs: [1000, 2000] as const };
const POLL_MS = 2000;
const TERMINAL = new Set(['Success', 'Failed', 'TimedOut', 'Cancelled', 'Cancelling']);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** n probe checks from the suites' own, copied under new ids when n exceeds them (the same probes, more of them). */
function probeChecks(all: readonly Check[], n: number): ProbeCheck[] {
  const base = all.filter(isProbeCheck).filter((c) => !c.disruptive);
  return Array.from({ length: n }, (_, i) => {
    const c = base[i % base.length]!;
    return i < base.length ? c : { ...c, id: `${c.id}-x${Math.floor(i / base.length)}` };
  });
}

export async function compare(root: string, sample: number, row: (what: string, value: string) => void): Promise<void> {
  const { startLab } = await import('../infra/twin/lab.ts');
  const runId = `pp-bench-cmp-${Math.random().toString(16).slice(2, 6)}`;
  await using lab = await startLab({ root, runId, log: () => {} });
  Object.assign(lab.gateway.faults, REALISTIC);
  const config = loadConfig({ root, env: 'local', marker: runId, inventory: lab.model });
  process.stdout.write(`\n== pathproof vs one command per check, SSM with ${REALISTIC.latencyMs} ms per API call and a ${REALISTIC.pickupMs.join('–')} ms agent pick-up\n`);

  // pathproof, in full, at each count.
  const ours = new Map<number, number>();
  for (const n of [10, 208, 1000]) {
    const t0 = performance.now();
    const r = await runOnLab(root, lab, `${runId}-${n}`, { checks: () => false, expand: () => probeChecks(config.checks, n) });
    ours.set(n, (performance.now() - t0) / 1000);
    row(`pathproof, ${n} checks (${r.verdicts.length} verdicts, ${r.plan.commands.length} SendCommand)`, `${ours.get(n)!.toFixed(1)} s`);
  }
  process.stdout.write('(every twin host runs its probes on this machine\'s cores: at 1,000 checks on one host per zone, about 170 probes run at once per host)\n');

  // The anchor: one SendCommand per check and host, polled every 2 s.
  const clients = new AwsClients(config.env, runId, lab.endpoint, lab.credentials);
  try {
    const resolver = new Ec2TargetResolver(config.env, clients);
    const checks = probeChecks(config.checks, sample);
    const t0 = performance.now();
    let commands = 0;
    for (const c of checks) {
      for (const t of await resolver.resolve(c.from)) {
        const ssm = clients.ssm(t.account, t.region);
        const script = buildBatchScript({ runId, batch: c.id, probes: [{ index: 0, key: c.id, probe: c.probe, params: c.params, timeoutSeconds: c.timeoutSeconds }], defs: config.probes });
        const sent = await ssm.send(new SendCommandCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: [t.instanceId], Parameters: { commands: [script] } }));
        commands += 1;
        for (;;) {
          await sleep(POLL_MS);
          const inv = await ssm.send(new GetCommandInvocationCommand({ CommandId: sent.Command!.CommandId!, InstanceId: t.instanceId })).catch(() => undefined);
          if (inv?.Status && TERMINAL.has(inv.Status)) break;
        }
      }
    }
    const perCheck = (performance.now() - t0) / 1000 / sample;
    row(`one command per check, ${sample} checks measured (${commands} SendCommand)`, `${(perCheck * sample).toFixed(1)} s (${perCheck.toFixed(2)} s per check)`);
    for (const n of [10, 208, 1000]) {
      const theirs = perCheck * n;
      process.stdout.write(`pathproof vs sequential: ${ours.get(n)!.toFixed(1)} s vs ${theirs.toFixed(1)} s (${(theirs / ours.get(n)!).toFixed(1)}×) at ${n} checks${n === sample ? '' : ' (sequential extrapolated from the sample)'}\n`);
    }
  } finally {
    clients.destroy();
  }
}
