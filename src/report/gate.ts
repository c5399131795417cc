import { exitCodeFor } from '../model/result.ts';
import { policyOf, type Report } from '../model/report.ts';

/** The release gate: --fail-on keeps only FAILs at those severities; ERROR and INCONCLUSIVE always break it. */
export function gateExitCode(report: Report, failOn: readonly string[], extra: { interrupted: boolean; reporterFailed: boolean }): 0 | 1 | 2 | 130 {
  const gated = report.verdicts.filter((v) => v.status !== 'FAIL' || v.policies.some((p) => failOn.includes(policyOf(report, p).severity)));
  return exitCodeFor(gated, { interrupted: extra.interrupted, harnessBroke: extra.reporterFailed });
}
