/**
 * What a person reads at the end of a run: FAIL, ERROR and INCONCLUSIVE first, each with its
 * sentence, target and evidence file, then the counts per policy and where the reports are.
 * A pure function of the report, like every reporter.
 */
import { evidenceFile, type Report } from '../src/model/report.ts';

const ORDER = ['FAIL', 'ERROR', 'INCONCLUSIVE'] as const;

export function consoleSummary(report: Report, opts: { dir: string }): string {
  const lines: string[] = [];
  for (const status of ORDER) {
    const list = report.verdicts.filter((v) => v.status === status);
    if (list.length === 0) continue;
    lines.push(`${status} (${list.length})`);
    for (const v of list) {
      lines.push(`  ${status} [${v.policies.join(',')}] ${v.checkId} @ ${v.target.zone}/${v.target.instanceId}`);
      lines.push(`       ${v.sentence}`);
      lines.push(`       evidence: ${opts.dir}/${evidenceFile(v)}   (${v.source.file}:${v.source.line})`);
    }
  }
  const policies = [...new Set(report.verdicts.flatMap((v) => v.policies))].sort();
  const statuses = ['PASS', 'FAIL', 'ERROR', 'INCONCLUSIVE', 'WAIVED'] as const;
  lines.push('per policy:');
  for (const p of policies) {
    const of = report.verdicts.filter((v) => v.policies.includes(p));
    lines.push(`  ${p.padEnd(13)} ${statuses.map((s) => [s, of.filter((v) => v.status === s).length] as const).filter(([, n]) => n > 0).map(([s, n]) => `${n} ${s}`).join(', ')}`);
  }
  if (report.witnesses?.length) {
    const disagree = report.witnesses.filter((w) => !w.agree);
    lines.push(`two witnesses: ${report.witnesses.length} connection(s) judged by both the static analysis and a probe: ${report.witnesses.length - disagree.length} agree, ${disagree.length} disagree`);
    for (const w of disagree) lines.push(`  DISAGREE ${w.checkId} @ ${w.target}: ${w.from} → ${w.to} tcp ${w.port}: static ${w.staticSays}, probe ${w.probeSays}: ${w.note}`);
  }
  if (report.drift) lines.push(...driftLines(report.drift));
  lines.push(`reports: ${opts.dir}/ (report.html, junit.xml, pathproof.sarif, findings.ocsf.json, securityhub.asff.json, signed manifest.json)`);
  return `${lines.join('\n')}\n`;
}

/** Drift is information: what changed since the baseline; the catalog checks say whether a change is allowed. */
export function driftLines(drift: NonNullable<Report['drift']>): string[] {
  if (!drift.baseline) return ['drift: no baseline recorded (`npm run pathproof -- baseline --env=NAME` records one)'];
  if (drift.changes.length === 0) return ['drift: none since the baseline'];
  return [
    `drift: ${drift.changes.length} change(s) since the baseline (information, not a verdict: the cfg-catalog-* checks judge them)`,
    ...drift.changes.slice(0, 10).map((c) => `  ${c}`),
    ...(drift.changes.length > 10 ? [`  … and ${drift.changes.length - 10} more in result.json`] : []),
  ];
}
