import { closeSync, fstatSync, openSync, readSync, constants as fsConstants } from 'node:fs';
import { isNode, isScalar, LineCounter, parseDocument, visit, type Document } from 'yaml';
import type { z } from 'zod';
import { renderValue, type IssueCollector, type LoadIssueCode } from './issues.ts';

export type YamlPath = readonly (string | number)[];

/**
 * A parsed YAML file that can map any path inside it back to line and column,
 * so that every load error points at the exact value (spectral does the same for rulesets).
 */
export class YamlSource {
  private constructor(
    readonly file: string,
    readonly doc: Document,
    private readonly lines: LineCounter,
    readonly data: unknown,
  ) {}

  static read(file: string, issues: IssueCollector): YamlSource | undefined {
    const text = readConfigFile(file, issues);
    return text === undefined ? undefined : YamlSource.parse(file, text, issues);
  }

  static parse(file: string, text: string, issues: IssueCollector): YamlSource | undefined {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    for (const err of doc.errors) {
      const pos = lines.linePos(err.pos[0]);
      issues.add({
        code: 'yaml-syntax', file, line: pos.line, col: pos.col, path: '',
        message: err.message.split('\n')[0] ?? err.message,
        fix: 'fix the YAML syntax (indentation, quoting, duplicate keys)',
      });
    }
    if (doc.errors.length > 0) return undefined;
    let data: unknown;
    try {
      // yaml refuses documents whose aliases would expand past a bound (the "billion laughs" attack).
      data = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      issues.add({ code: 'yaml-syntax', file, line: 1, col: 1, path: '', message: `cannot be expanded: ${(e as Error).message}`, fix: 'use fewer YAML aliases (*name): write the values out' });
      return undefined;
    }
    // A value a shell script cannot carry exactly (NUL, other control characters) is refused, never dropped.
    let bad = false;
    visit(doc, {
      Scalar(_, node) {
        if (typeof node.value !== 'string') return;
        const m = CONTROL.exec(node.value);
        if (!m) return;
        bad = true;
        const pos = node.range ? lines.linePos(node.range[0]) : { line: 1, col: 1 };
        issues.add({ code: 'invalid-value', file, line: pos.line, col: pos.col, path: '', received: renderValue(node.value),
          message: `contains the control character U+${m[0].charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}, which a probe script cannot carry exactly`, fix: 'remove it' });
      },
    });
    return bad ? undefined : new YamlSource(file, doc, lines, data);
  }

  /** Line and column of the value at `path`, or of its nearest existing ancestor. */
  locate(path: YamlPath, key = false): { line: number; col: number } {
    for (let n = path.length; n >= 0; n--) {
      const sub = path.slice(0, n);
      if (key && n === path.length && n > 0) {
        const parent = sub.length > 1 ? this.doc.getIn(sub.slice(0, -1), true) : this.doc.contents;
        if (isNode(parent) && 'items' in parent) {
          const pair = (parent.items as { key?: unknown }[]).find(
            (p) => isScalar(p.key) && p.key.value === sub[sub.length - 1],
          );
          const range = isNode(pair?.key) ? pair.key.range : undefined;
          if (range) return this.lines.linePos(range[0]);
        }
      }
      const node = n === 0 ? this.doc.contents : this.doc.getIn(sub, true);
      if (isNode(node) && node.range) return this.lines.linePos(node.range[0]);
    }
    return { line: 1, col: 1 };
  }

  report(
    issues: IssueCollector,
    code: LoadIssueCode,
    path: YamlPath,
    message: string,
    fix: string,
    received?: unknown,
    onKey = false,
  ): void {
    const { line, col } = this.locate(path, onKey);
    issues.add({
      code, file: this.file, line, col, path: path.join('.'),
      ...(received === undefined ? {} : { received: renderValue(received) }),
      message, fix,
    });
  }

  /** Validates with zod, turning every zod issue into a located LoadIssue. */
  validate<T>(schema: z.ZodType<T>, issues: IssueCollector, base: YamlPath = [], value: unknown = this.data): T | undefined {
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    for (const issue of result.error.issues) {
      const at = [...base, ...(issue.path as (string | number)[])];
      const received = valueAt(value, issue.path as (string | number)[]);
      if (issue.code === 'unrecognized_keys') {
        for (const k of issue.keys) {
          this.report(issues, 'unknown-field', [...at, k], `"${k}" is not a known field here`,
            'remove it or check its spelling against schemas/', undefined, true);
        }
      } else if (issue.code === 'invalid_type' && received === undefined) {
        this.report(issues, 'missing-field', at, `required field "${String(at[at.length - 1] ?? '')}" is missing`,
          `add it (${issue.message})`);
      } else if (issue.code === 'invalid_type') {
        this.report(issues, 'invalid-type', at, issue.message, 'give a value of the expected type', received);
      } else {
        this.report(issues, 'invalid-value', at, issue.message, 'use one of the documented values', received);
      }
    }
    return undefined;
  }
}

function valueAt(value: unknown, path: readonly (string | number | symbol)[]): unknown {
  let v: unknown = value;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[k as string];
  }
  return v;
}

/** Control characters other than tab and newline: no configuration value may hold one. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;

/** The largest configuration file read (the shipped ones are under 20 KB). */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * Reads a configuration file safely: only a regular file (a FIFO would block forever, a device
 * such as /dev/zero would never end), at most MAX_CONFIG_BYTES, checked on the opened descriptor so
 * that a file swapped after the check is still the one measured.
 */
export function readConfigFile(file: string, issues: IssueCollector): string | undefined {
  const refuse = (message: string, fix: string) => { issues.add({ code: 'unsafe-file', file, line: 1, col: 1, path: '', message, fix }); return undefined; };
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading must not wait for a writer.
    fd = openSync(file, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  } catch (cause) {
    issues.add({ code: 'file-missing', file, line: 1, col: 1, path: '', message: `cannot be read (${(cause as NodeJS.ErrnoException).code ?? String(cause)})`, fix: 'check the path and permissions' });
    return undefined;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return refuse(`is not a regular file (${st.isFIFO() ? 'a FIFO' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : st.isDirectory() ? 'a directory' : 'a special file'})`, 'replace it with a regular file');
    if (st.size > MAX_CONFIG_BYTES) return refuse(`is ${st.size} bytes, more than the ${MAX_CONFIG_BYTES} a configuration file may have`, 'split it, or check that it is the file you meant');
    const buf = Buffer.alloc(st.size + 1);
    let n = 0;
    for (let r = 1; r > 0 && n < buf.length; n += r) r = readSync(fd, buf, n, buf.length - n, null);
    if (n > MAX_CONFIG_BYTES) return refuse(`grew past ${MAX_CONFIG_BYTES} bytes while being read`, 'check that it is the file you meant');
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
