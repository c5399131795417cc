import type { Verdict } from './result.ts';

/** Test names: unique, and carrying the ids, because CI viewers ignore properties. */
export function testName(v: Pick<Verdict, 'policies' | 'checkId' | 'target' | 'from' | 'to'>): string {
  return `[${v.policies.join(',')}] ${v.checkId} @ ${v.target.zone}/${v.target.instanceId}`;
}
