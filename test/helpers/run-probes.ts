import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { IssueCollector } from '../../src/shared/issues.ts';
import { loadProbes } from '../../src/load/probes.ts';
import type { TargetObservation } from '../../src/model/result.ts';
import { buildBatchScript } from '../../src/plan/batch-script.ts';

import { parseBatchOutput } from '../../src/verdict/parse-output.ts';
import { ROOT } from './paths.ts';
import { type ProbeDef } from '../../src/model/probe.ts';
import { type Batch, type PlannedProbe, type Target } from '../../src/model/plan.ts';

export const probeDefs: Map<string, ProbeDef> = loadProbes(path.join(ROOT, 'probes'), new IssueCollector());
export const localTarget: Target = { instanceId: 'i-0000000000000test', zone: 'test', account: 'a', accountId: '123456789012', region: 'ap-southeast-6', vpc: 'vpc-test' };

export interface ProbeCall { probe: string; params: Record<string, string>; timeoutSeconds?: number; retryUnless?: string[] }

/**
 * Runs the real batch script with sh in a private mount namespace whose /etc/resolv.conf points
 * at `nameserver` (a loopback DNS server the test started), so no query ever leaves the machine.
 */
export async function runProbes(calls: ProbeCall[], opts: { nameserver?: string; env?: Record<string, string>; defs?: ReadonlyMap<string, Pick<ProbeDef, 'script' | 'outcomes'>> } = {}): Promise<{ obs: TargetObservation; stdout: string; script: string }> {
  const defs = (opts.defs ?? probeDefs) as ReadonlyMap<string, ProbeDef>;
  const probes: PlannedProbe[] = calls.map((c, i) => ({ index: i, key: i === 0 ? 'control' : `c${i}`, probe: c.probe, params: c.params, timeoutSeconds: c.timeoutSeconds ?? 6, ...(c.retryUnless ? { retryUnless: c.retryUnless } : {}) }));
  const script = buildBatchScript({ runId: 'pp-test', batch: 'test', probes, defs });
  const dir = mkdtempSync(path.join(tmpdir(), 'pp-probe-'));
  const resolv = path.join(dir, 'resolv.conf');
  writeFileSync(resolv, `nameserver ${opts.nameserver ?? '127.0.0.77'}\noptions timeout:1 attempts:1\n`);
  writeFileSync(path.join(dir, 'batch.sh'), script);
  const started = Date.now();
  const { PATH: innerPath, ...env } = opts.env ?? {};
  const r = await execa('unshare', ['-m', 'sh', '-c', `mount --bind "$1" /etc/resolv.conf && PATH="$3" exec /bin/sh "$2"`, 'sh', resolv, path.join(dir, 'batch.sh'), innerPath ?? process.env.PATH ?? ''], {
    reject: false, env,
  });
  const batch: Batch = { id: 'test', zone: 'test', account: 'a', region: 'r', targets: [localTarget], probes, script, executionTimeoutSeconds: 30 };
  const obs = parseBatchOutput(batch, localTarget, {
    instanceId: localTarget.instanceId, commandId: 'cmd-test', status: r.exitCode === 0 ? 'Success' : 'Failed', statusDetails: '', responseCode: r.exitCode ?? -1,
    stdout: r.stdout, stderr: r.stderr, requestedAt: '', finishedAt: '', durationMs: Date.now() - started,
  }, defs);
  return { obs, stdout: r.stdout, script };
}

export const isRoot = process.getuid?.() === 0;
