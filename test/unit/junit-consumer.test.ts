/**
 * JUnit proven by a consumer: junitparser (Debian's python3-junitparser), the parser behind a widely
 * used GitHub test-report action, reads junit.xml; per suite and in total its counts of tests,
 * failures, errors and skipped must equal the verdicts, and test names must be unique (GitLab keeps
 * only the first of duplicates).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
import { junit } from '../../reporters/junit.ts';
import { sampleReport } from '../helpers/report-fixture.ts';

const READ = `
import json, sys
from junitparser import JUnitXml, Failure, Error, Skipped
xml = JUnitXml.fromfile(sys.argv[1])
suites = {}
names = []
for s in xml:
    c = {'tests': 0, 'failures': 0, 'errors': 0, 'skipped': 0}
    for case in s:
        c['tests'] += 1
        names.append(case.name)
        kinds = [type(r) for r in case.result]
        c['failures'] += Failure in kinds
        c['errors'] += Error in kinds
        c['skipped'] += Skipped in kinds
    suites[s.name] = c
print(json.dumps({'suites': suites, 'names': names, 'total': {'tests': xml.tests, 'failures': xml.failures, 'errors': xml.errors, 'skipped': xml.skipped}}))
`;

describe('junit.xml as junitparser reads it', () => {
  test('counts per suite and in total equal the verdicts; names are unique', async () => {
    const report = sampleReport();
    const dir = mkdtempSync(path.join(tmpdir(), 'pp-junit-'));
    const file = path.join(dir, 'junit.xml');
    writeFileSync(file, junit(report));
    // Debian's python (not a pyenv one) has python3-junitparser.
    const r = await execa('/usr/bin/python3', ['-c', READ, file], { reject: false });
    expect(r.exitCode, `${r.stderr}\ninstall it: apt-get install python3-junitparser`).toBe(0);
    const got = JSON.parse(r.stdout) as { suites: Record<string, Record<string, number>>; names: string[]; total: Record<string, number> };
    const want: Record<string, Record<string, number>> = {};
    for (const v of report.verdicts) {
      const c = (want[v.suite] ??= { tests: 0, failures: 0, errors: 0, skipped: 0 });
      c.tests! += 1;
      if (v.status === 'FAIL') c.failures! += 1;
      if (v.status === 'ERROR' || v.status === 'INCONCLUSIVE') c.errors! += 1;
      if (v.status === 'WAIVED') c.skipped! += 1;
    }
    expect(got.suites).toEqual(want);
    const sum = (k: string) => Object.values(want).reduce((n, c) => n + c[k]!, 0);
    expect(got.total).toEqual({ tests: sum('tests'), failures: sum('failures'), errors: sum('errors'), skipped: sum('skipped') });
    expect(new Set(got.names).size).toBe(got.names.length);
  });
});
