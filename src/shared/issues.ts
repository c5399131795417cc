import path from 'node:path';
import { PathproofError } from '../model/errors.ts';

/** Stable codes of configuration problems. One invalid fixture per code lives in test/fixtures/invalid. */
export type LoadIssueCode =
  | 'yaml-syntax'
  | 'file-missing'
  | 'invalid-type'
  | 'missing-field'
  | 'unknown-field'
  | 'invalid-value'
  | 'duplicate-id'
  | 'id-mismatch'
  | 'unknown-zone'
  | 'unknown-policy'
  | 'unknown-probe'
  | 'unknown-parameter'
  | 'missing-parameter'
  | 'invalid-parameter'
  | 'unknown-reference'
  | 'unknown-account'
  | 'discovery-failed'
  | 'policy-mismatch'
  | 'expectation-mismatch'
  | 'unsafe-script'
  | 'unsafe-file';

/** One problem in a configuration file, located precisely enough for an editor to jump to it. */
export interface LoadIssue {
  readonly code: LoadIssueCode;
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** The YAML path of the offending value, e.g. `checks.3.from`. */
  readonly path: string;
  /** What was received, already rendered for the message (quoted strings, JSON otherwise). */
  readonly received?: string;
  readonly message: string;
  /** What to do about it. */
  readonly fix: string;
}

export function formatIssue(issue: LoadIssue, cwd = process.cwd()): string {
  const file = path.isAbsolute(issue.file) ? path.relative(cwd, issue.file) : issue.file;
  const received = issue.received === undefined ? '' : ` from ${issue.received}`;
  return `${file}:${issue.line}:${issue.col} ${issue.code}${received} ${issue.message}; ${issue.fix}`;
}

export function renderValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Collects issues across every file so that the user sees all of them at once. */
export class IssueCollector {
  readonly issues: LoadIssue[] = [];
  add(issue: LoadIssue): void {
    this.issues.push(issue);
  }
  get ok(): boolean {
    return this.issues.length === 0;
  }
  /** Throws CONFIG_INVALID carrying every issue; nothing may run from a configuration that failed. */
  throwIfAny(): void {
    if (this.ok) return;
    throw new ConfigError(this.issues);
  }
}

export class ConfigError extends PathproofError {
  constructor(readonly issues: readonly LoadIssue[]) {
    super(
      'CONFIG_INVALID',
      `${issues.length} configuration problem${issues.length === 1 ? '' : 's'}; nothing was run:\n` +
        issues.map((i) => `  ${formatIssue(i)}`).join('\n'),
    );
  }
}
