import type { Report } from '../src/model/report.ts';
import { invocationFile, policyOf } from '../src/model/report.ts';
import type { Verdict } from '../src/model/result.ts';

/** What a verdict means for a findings hub, shared by the OCSF and ASFF formats. */
export interface FindingFacts {
  /** Stable per environment, check and target: a later run updates the same finding. */
  readonly uid: string;
  readonly title: string;
  readonly severity: 'critical' | 'high' | 'medium' | 'low' | 'informational';
  /** The status that decides compliance: a waived verdict's underlying one. */
  readonly judged: 'PASS' | 'FAIL' | 'ERROR' | 'INCONCLUSIVE';
  readonly waived: boolean;
  readonly controls: readonly string[];
  readonly nist: readonly string[];
  readonly remediation: string;
}

export function findingFacts(report: Report, v: Verdict): FindingFacts {
  const judged = v.status === 'WAIVED' ? v.underlying : v.status;
  const policies = v.policies.map((p) => policyOf(report, p));
  const worst = (['critical', 'high', 'medium', 'low'] as const).find((s) => policies.some((p) => p.severity === s)) ?? 'low';
  return {
    uid: `pathproof/${report.env}/${v.checkId}/${v.target.instanceId}`,
    title: `[${v.policies.join(',')}] ${v.title}`.slice(0, 256),
    // A passing check is information; a finding that could not be judged keeps its policy's weight.
    severity: judged === 'PASS' ? 'informational' : worst,
    judged, waived: v.status === 'WAIVED',
    controls: [...v.policies],
    nist: report.frameworks.filter((f) => f.policies.some((p) => v.policies.includes(p))).map((f) => `${f.framework} ${f.id}`),
    remediation: policies.map((p) => p.remediation).filter(Boolean).join(' ') || 'See the verdict sentence and the evidence bundle.',
  };
}

/**
 * The evidence a finding carries to a hub: each probe's exact output line (every parsed field is
 * read from it) and the bundle file that holds the whole SSM invocation, instead of the parsed
 * copies beside each line; everything else as the verdict has it. At 40,059 verdicts the OCSF file
 * goes from 100.0 to 89.7 MB (`npm run bench -- --hosts 140`), and each finding names where the full
 * record is signed.
 */
export function hubEvidence(v: Verdict): Record<string, unknown> {
  const { probe, control, ...rest } = v.evidence;
  if (!probe && !control) return { ...rest };
  return { ...rest, bundleFile: invocationFile(v.evidence.commandId, v.target.instanceId), ...(probe ? { probe: probe.raw } : {}), ...(control ? { control: control.raw } : {}) };
}
