import { consoleSummary } from '../../reporters/console.ts';
import { githubAnnotations } from '../../reporters/github.ts';
import type { Report } from '../model/report.ts';

/** What the console shows at the end of a run: the summary for people, and annotations for GitHub when asked. */
export function present(report: Report, opts: { dir: string; root: string; github: boolean }): { stderr: string; stdout: string } {
  return { stderr: consoleSummary(report, { dir: opts.dir }), stdout: opts.github ? githubAnnotations(report, { root: opts.root }) : '' };
}
