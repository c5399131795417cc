import path from 'node:path';
import type { Report } from '../src/model/report.ts';
import type { Verdict } from '../src/model/result.ts';
import { attr, xmlText } from './xml.ts';

export interface JunitOptions {
  /** Project root, to make suite file paths relative (default: none). */
  readonly root?: string;
}

const seconds = (v: Verdict) => ((v.evidence.probe?.data.ms as number | undefined) ?? 0) / 1000;

/** Unique names that carry the ids: GitHub and GitLab viewers ignore properties, GitLab keeps only the first duplicate. */
export const testcaseName = (v: Verdict) => `[${v.policies.join(',')}] ${v.checkId} @ ${v.target.zone}/${v.target.instanceId}`;

/**
 * JUnit XML in the shape Jenkins, GitLab and the GitHub test-report actions read: one testsuite
 * per suite file, one testcase per check × target. FAIL → <failure>, ERROR and INCONCLUSIVE →
 * <error>, WAIVED → <skipped message="justification, expires …">.
 */
export function junit(report: Report, options: JunitOptions = {}): string {
  const suites = [...new Set(report.verdicts.map((v) => v.suite))];
  const count = (vs: readonly Verdict[], ...s: string[]) => vs.filter((v) => s.includes(v.status)).length;
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const total = report.verdicts;
  const duration = (Date.parse(report.finishedAt) - Date.parse(report.startedAt)) / 1000 || 0;
  out.push(`<testsuites${attr('name', `pathproof ${report.env}${report.partial ? ' (partial)' : ''}`)}${attr('tests', total.length)}${attr('failures', count(total, 'FAIL'))}${attr('errors', count(total, 'ERROR', 'INCONCLUSIVE'))}${attr('skipped', count(total, 'WAIVED'))}${attr('time', duration.toFixed(3))}${attr('timestamp', report.startedAt)}>`);
  for (const suite of suites) {
    const vs = report.verdicts.filter((v) => v.suite === suite);
    const file = vs[0] ? relative(vs[0].source.file, options.root) : '';
    out.push(`  <testsuite${attr('name', suite)}${attr('tests', vs.length)}${attr('failures', count(vs, 'FAIL'))}${attr('errors', count(vs, 'ERROR', 'INCONCLUSIVE'))}${attr('skipped', count(vs, 'WAIVED'))}${attr('time', vs.reduce((s, v) => s + seconds(v), 0).toFixed(3))}${attr('timestamp', report.startedAt)}${attr('file', file)}>`);
    out.push('    <properties>', `      <property${attr('name', 'env')}${attr('value', report.env)}/>`, `      <property${attr('name', 'run')}${attr('value', report.runId)}/>`,
      ...(report.partial ? [`      <property${attr('name', 'partial')}${attr('value', 'true')}/>`] : []), '    </properties>');
    for (const v of vs) {
      const policies = v.policies.join(',');
      out.push(`    <testcase${attr('name', testcaseName(v))}${attr('classname', `pathproof.${v.suite}.${policies}.${v.checkId}`)}${attr('time', seconds(v).toFixed(3))}${attr('file', relative(v.source.file, options.root))}${attr('line', v.source.line)}>`);
      out.push('      <properties>',
        ...v.policies.map((p) => `        <property${attr('name', 'policy')}${attr('value', p)}/>`),
        `        <property${attr('name', 'check')}${attr('value', v.checkId)}/>`,
        `        <property${attr('name', 'verdict')}${attr('value', v.status)}/>`,
        `        <property${attr('name', 'instance')}${attr('value', v.target.instanceId)}/>`,
        ...(v.evidence.commandId ? [`        <property${attr('name', 'ssm-command-id')}${attr('value', v.evidence.commandId)}/>`] : []),
        '      </properties>');
      if (v.status === 'FAIL') out.push(`      <failure${attr('message', v.sentence)}${attr('type', 'FAIL')}>${xmlText(v.sentence)}</failure>`);
      if (v.status === 'ERROR' || v.status === 'INCONCLUSIVE') out.push(`      <error${attr('message', v.sentence)}${attr('type', v.status)}>${xmlText(v.sentence)}</error>`);
      if (v.status === 'WAIVED') out.push(`      <skipped${attr('message', `${v.waiver.justification}, expires ${v.waiver.expires} (approved by ${v.waiver.approvedBy})`)}/>`);
      out.push(`      <system-out>${xmlText(excerpt(v))}</system-out>`, '    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}

function relative(file: string, root?: string): string {
  return root && path.isAbsolute(file) ? path.relative(root, file) : file;
}

/** The evidence a CI viewer shows under the test: the verdict sentence and the raw probe lines. */
function excerpt(v: Verdict): string {
  const e = v.evidence;
  return [
    `${v.status}: ${v.sentence}`,
    `instance ${v.target.instanceId} in ${v.target.zone} (${v.target.accountId}/${v.target.region})`,
    e.commandId ? `ssm command ${e.commandId}: ${e.invocationStatus} (${e.statusDetails}), response code ${e.responseCode}` : '',
    e.probe ? `probe: ${e.probe.raw}` : '',
    e.control ? `control: ${e.control.raw}` : '',
    e.fault ? `fault: ${e.fault.code}: ${e.fault.message}` : '',
  ].filter(Boolean).join('\n');
}
