

import type { Invocation, ProbeObservation, TargetObservation } from '../model/result.ts';
import { type ProbeDef, wrapperOutcomes } from '../model/probe.ts';
import { BATCH_BEGIN, BATCH_END } from '../model/batch-protocol.ts';
import { type Batch, type Target } from '../model/plan.ts';

/**
 * Turns one invocation's stdout into per-probe observations. Anything unexpected — a line that
 * is not JSON, an unknown outcome keyword, a missing probe, a missing end line — becomes an
 * `error`-class observation or `truncated`, so that the judge can never mistake it for a block.
 */
export function parseBatchOutput(batch: Batch, target: Target, invocation: Invocation, defs: ReadonlyMap<string, ProbeDef>): TargetObservation {
  const lines = invocation.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  let ended = false;
  const byIndex = new Map<number, ProbeObservation>();
  for (const line of lines) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      continue; // stray output (a login banner, …) is ignored; each probe still needs its own line
    }
    if (!parsed || typeof parsed !== 'object') continue;
    const obj = parsed as Record<string, unknown>;
    if (obj[BATCH_END] === batch.id) ended = true;
    if (obj[BATCH_BEGIN] !== undefined || obj[BATCH_END] !== undefined) continue;
    if (typeof obj.i !== 'number') continue;
    const planned = batch.probes.find((p) => p.index === obj.i);
    if (!planned) continue;
    const def = defs.get(planned.probe);
    const rc = typeof obj.rc === 'number' ? obj.rc : -1;
    const out = obj.o && typeof obj.o === 'object' ? (obj.o as Record<string, unknown>) : undefined;
    let outcome: string;
    if (out && typeof out.r === 'string') outcome = out.r;
    else if (rc === 124 || rc === 137) outcome = 'probe-timeout';
    else outcome = 'probe-crashed';
    const cls = def?.outcomes[outcome] ?? wrapperOutcomes[outcome] ?? 'error';
    const data: Record<string, unknown> = { ...(out ?? {}) };
    delete data.r;
    if (typeof obj.stderr === 'string' && obj.stderr) data.stderr = obj.stderr;
    if (typeof obj.tries === 'number' && obj.tries > 1) data.tries = obj.tries;
    if (!(outcome in (def?.outcomes ?? {})) && !(outcome in wrapperOutcomes)) data.unknownOutcome = true;
    byIndex.set(planned.index, { index: planned.index, key: planned.key, probe: planned.probe, outcome, class: cls, data, rc, raw: line });
  }
  const probes = batch.probes.map((p) =>
    byIndex.get(p.index) ?? {
      index: p.index, key: p.key, probe: p.probe, outcome: 'no-output', class: 'error' as const,
      data: {}, rc: -1, raw: '',
    });
  return { batch: batch.id, target, invocation, probes, truncated: !ended };
}
