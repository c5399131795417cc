/**
 * The conformance suite as vitest tests: one test per check x target, named with the policy and
 * check id so that `-t` filtering works. Probes ran once, in batch, before vitest started; this
 * file only presents the verdicts the launcher provided. Run it with `npm test -- --env=NAME`.
 */
import { describe, inject, test } from 'vitest';
import type { Verdict } from '../model/result.ts';
import { testName } from '../model/test-name.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pathproof: { runId: string; env: string; verdicts: Verdict[] };
  }
}

class ComplianceFailure extends Error {
  override name = 'ComplianceFailure';
}
class HarnessError extends Error {
  override name = 'HarnessError';
}

const payload = inject('pathproof');
if (!payload) throw new HarnessError('No verdicts were provided: run the conformance suite with `npm test -- --env=NAME`, not vitest directly.');

const suites = [...new Set(payload.verdicts.map((v) => v.suite))];
for (const suite of suites) {
  describe(`${suite} [env ${payload.env}]`, () => {
    for (const v of payload.verdicts.filter((x) => x.suite === suite)) {
      test(testName(v), { meta: { verdict: v.status, policies: v.policies.join(','), check: v.checkId } } as never, (ctx) => {
        switch (v.status) {
          case 'PASS': return;
          case 'WAIVED': return ctx.skip(v.sentence);
          case 'FAIL': throw new ComplianceFailure(`FAIL ${v.sentence}`);
          case 'ERROR':
          case 'INCONCLUSIVE': throw new HarnessError(`${v.status} ${v.sentence}`);
        }
      });
    }
  });
}
