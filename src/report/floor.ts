import type { RunResult } from '../model/result.ts';

/**
 * The physical floor of the suites phase: the slowest probe (every batch runs its probes
 * concurrently, and a blocked probe must wait out its time-out, so nothing can finish sooner) plus
 * one command round trip (the quickest invocation's duration less the longest its probes took).
 * Probes report their own milliseconds; the ratio says how much of the phase is pathproof's own.
 */
export function suitesFloor(result: Pick<RunResult, 'observations'>, suitesMs: number): { slowestProbeMs: number; roundTripMs: number; floorMs: number; ratio: number } | undefined {
  const timed = result.observations.filter((o) => o.invocation && o.probes.some((p) => typeof p.data.ms === 'number'));
  if (timed.length === 0) return undefined;
  const longest = (o: (typeof timed)[number]) => Math.max(...o.probes.map((p) => (typeof p.data.ms === 'number' ? p.data.ms : 0)));
  const slowestProbeMs = Math.max(...timed.map(longest));
  const roundTripMs = Math.min(...timed.map((o) => Math.max(0, o.invocation!.durationMs - longest(o))));
  const floorMs = slowestProbeMs + roundTripMs;
  return { slowestProbeMs, roundTripMs, floorMs, ratio: suitesMs / floorMs };
}
