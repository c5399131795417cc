import { describe, expect, test } from 'vitest';
import type { TargetObservation } from '../../src/model/result.ts';
import { suitesFloor } from '../../src/report/floor.ts';

const obs = (durationMs: number, probeMs: number[]): TargetObservation => ({
  batch: 'b', target: { instanceId: 'i-1', zone: 'z', account: 'a', accountId: '1', region: 'r', vpc: 'v' }, truncated: false,
  invocation: { instanceId: 'i-1', commandId: 'c', status: 'Success', statusDetails: '', responseCode: 0, stdout: '', stderr: '', requestedAt: '', finishedAt: '', durationMs },
  probes: probeMs.map((ms, i) => ({ index: i, key: `k${i}`, probe: 'tcp-connect', outcome: 'timeout', class: 'block' as const, data: { ms }, rc: 0, raw: '' })),
});

describe('the suites phase against its floor', () => {
  test('the floor is the slowest probe plus the quickest round trip; the ratio is the phase over it', () => {
    const f = suitesFloor({ observations: [obs(3400, [3000, 20]), obs(600, [100, 200])] }, 5100)!;
    expect(f).toEqual({ slowestProbeMs: 3000, roundTripMs: 400, floorMs: 3400, ratio: 1.5 });
  });
  test('no probe timings: no floor is claimed', () => {
    expect(suitesFloor({ observations: [] }, 1000)).toBeUndefined();
  });
});
