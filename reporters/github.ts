/**
 * GitHub Actions workflow commands: an `::error` per FAIL, ERROR and INCONCLUSIVE, on the suite file
 * and line of its check, so failures show on that line in a pull request.
 * https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions
 */
import path from 'node:path';
import type { Report } from '../src/model/report.ts';

/** Data is escaped % CR LF; properties also : and , (GitHub's own escaping rules). */
const data = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const prop = (s: string) => data(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

export function githubAnnotations(report: Report, opts: { root: string }): string {
  return report.verdicts
    .filter((v) => v.status === 'FAIL' || v.status === 'ERROR' || v.status === 'INCONCLUSIVE')
    .map((v) => {
      const file = path.relative(opts.root, v.source.file) || v.source.file;
      return `::error file=${prop(file)},line=${v.source.line},col=${v.source.col},title=${prop(`${v.policies.join(',')} ${v.checkId} ${v.status}`)}::${data(`${v.sentence} (${v.target.zone}/${v.target.instanceId})`)}`;
    })
    .join('\n') + '\n';
}
