import type { Report } from '../src/model/report.ts';
import { html } from './html.ts';
import { junit } from './junit.ts';
import { sarif } from './sarif.ts';
import { ocsf } from './ocsf.ts';
import { asff } from './asff.ts';

export interface ReporterOptions {
  /** Project root, to make paths in reports relative. */
  readonly root?: string;
}

export interface ReporterEntry {
  /** File name inside the run's evidence directory. */
  readonly file: string;
  readonly render: (report: Report, options: ReporterOptions) => string;
}

/** Every output format: one pure function each. Writing files happens in one place (src/report/bundle.ts). */
export const reporters = {
  junit: { file: 'junit.xml', render: (r, o) => junit(r, o) },
  sarif: { file: 'pathproof.sarif', render: (r, o) => sarif(r, { ...o, mode: 'failures' }) },
  'sarif-complete': { file: 'pathproof-complete.sarif', render: (r, o) => sarif(r, { ...o, mode: 'complete' }) },
  html: { file: 'report.html', render: (r) => html(r) },
  ocsf: { file: 'findings.ocsf.json', render: (r) => ocsf(r) },
  asff: { file: 'securityhub.asff.json', render: (r) => asff(r) },
} as const satisfies Record<string, ReporterEntry>;

export type ReporterName = keyof typeof reporters;
