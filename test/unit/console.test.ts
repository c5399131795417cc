import { describe, expect, test } from 'vitest';
import { consoleSummary } from '../../reporters/console.ts';
import { githubAnnotations } from '../../reporters/github.ts';
import { ROOT } from '../helpers/paths.ts';
import { sampleReport } from '../helpers/report-fixture.ts';

const report = sampleReport();

describe('what people and CI read', () => {
  test('the summary shows FAIL, then ERROR, then INCONCLUSIVE, each with its sentence, target and evidence path; then counts per policy', () => {
    const out = consoleSummary(report, { dir: 'reports/pp-x' });
    const fail = out.indexOf('FAIL (2)');
    const error = out.indexOf('ERROR (1)');
    const inconclusive = out.indexOf('INCONCLUSIVE (1)');
    expect(fail).toBeGreaterThanOrEqual(0);
    expect(error).toBeGreaterThan(fail);
    expect(inconclusive).toBeGreaterThan(error);
    expect(out).toMatch(/evidence: reports\/pp-x\/evidence\/[A-Za-z0-9_.-]+\/i-0app000000000001\.json/);
    expect(out).toMatch(/per policy:\n(?:.*\n)*\s+NET-010\s+2 FAIL/);
    expect(out).not.toMatch(/^\s+PASS \[/m);
  });

  test('GitHub annotations: one ::error per FAIL, ERROR and INCONCLUSIVE, on the suite file and line, escaped', () => {
    const lines = githubAnnotations(report, { root: ROOT }).trim().split('\n');
    expect(lines).toHaveLength(report.verdicts.filter((v) => ['FAIL', 'ERROR', 'INCONCLUSIVE'].includes(v.status)).length);
    for (const l of lines) expect(l).toMatch(/^::error file=suites\/[a-z-]+\.yaml,line=\d+,col=\d+,title=[^:]+::[^\n]+$/);
    const fail = report.verdicts.find((v) => v.status === 'FAIL')!;
    expect(lines[0]).toContain(`line=${fail.source.line}`);
    // A newline or a colon in the data cannot break the command.
    const odd = { ...report, verdicts: [{ ...fail, sentence: 'a\nb 100% c' }] };
    expect(githubAnnotations(odd, { root: ROOT })).toContain('::a%0Ab 100%25 c');
  });
});

describe('drift in the console', () => {
  test('information, never a verdict: none, no baseline, or the changes (at most ten shown)', async () => {
    const { driftLines } = await import('../../reporters/console.ts');
    expect(driftLines({ baseline: true, changes: [] })).toEqual(['drift: none since the baseline']);
    expect(driftLines({ baseline: false, changes: [] })[0]).toMatch(/no baseline recorded/);
    const many = Array.from({ length: 12 }, (_, i) => `securityGroups.g${i}.egress: [] → ["tcp:443-443 to 10.0.2.0/24"]`);
    const lines = driftLines({ baseline: true, changes: many });
    expect(lines[0]).toMatch(/^drift: 12 change\(s\) since the baseline \(information, not a verdict/);
    expect(lines).toHaveLength(12);
    expect(lines.at(-1)).toBe('  … and 2 more in result.json');
  });
});
