import { readFileSync } from 'node:fs';
import { gzipSync, } from 'node:zlib';
import path from 'node:path';
import AjvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Log } from 'sarif';
import { describe, expect, test } from 'vitest';
import { junit } from '../../reporters/junit.ts';
import { MAX_UPLOAD_RESULTS, sarif } from '../../reporters/sarif.ts';
import { html } from '../../reporters/html.ts';

import { ROOT } from '../helpers/paths.ts';
import { sampleReport, sampleResult } from '../helpers/report-fixture.ts';
import { gateExitCode } from '../../src/report/gate.ts';

const report = sampleReport();
const asArray = (x: unknown) => (Array.isArray(x) ? x : x === undefined ? [] : [x]);

describe('JUnit', () => {
  const xml = junit(report, { root: ROOT });
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml);
  const cases = asArray(doc.testsuites.testsuite).flatMap((s: { testcase: unknown }) => asArray(s.testcase)) as Record<string, unknown>[];

  test('is well-formed XML even with control characters in probe output', () => {
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).toContain('bell\\u0007');
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
  });

  test('one testsuite per suite file, one testcase per check × target, unique names carrying the ids', () => {
    expect(asArray(doc.testsuites.testsuite).map((s: { name: string }) => s.name).sort()).toEqual(['agent-sandbox', 'exfiltration', 'lateral-movement', 'negative', 'positive']);
    expect(cases).toHaveLength(6);
    const names = cases.map((c) => c.name as string);
    expect(new Set(names).size).toBe(6);
    expect(names).toContain('[NET-010] net010-app-to-bedrock-runtime-endpoint @ application/i-0app000000000002');
    expect(cases.find((c) => (c.name as string).includes('net001'))!.classname).toBe('pathproof.positive.NET-001.net001-app-to-model-proxy');
  });

  test('FAIL → failure, ERROR and INCONCLUSIVE → error, WAIVED → skipped with justification and expiry', () => {
    const by = (id: string) => cases.find((c) => (c.name as string).includes(id))!;
    expect(by('net010')).toHaveProperty('failure.type', 'FAIL');
    expect((by('net010').failure as { message: string }).message).toMatch(/got through/);
    expect(by('sandbox-no-imds')).toHaveProperty('error.type', 'ERROR');
    expect(by('lateral-data-to-secrets')).toHaveProperty('error.type', 'INCONCLUSIVE');
    expect((by('exfil-inference-http-sink').skipped as { message: string }).message).toBe('Proxy migration <in progress> & tracked, expires 2027-01-31 (approved by secops)');
    expect(by('net001').failure).toBeUndefined();
    expect(doc.testsuites).toMatchObject({ tests: '6', failures: '2', errors: '2', skipped: '1' });
    expect(String(by('net010')['system-out'])).toMatch(/probe: \{"i":\d+,"rc":0,"o":\{"r":"connected"/);
  });

  test('snapshot, times and ids normalised', () => {
    expect(xml.replace(/time="[\d.]+"/g, 'time="T"')).toMatchSnapshot();
  });
});

describe('SARIF', () => {
  const schema = JSON.parse(readFileSync(path.join(ROOT, '../shared/schemas/sarif-schema-2.1.0.json'), 'utf8'));
  // Both are CommonJS modules whose class is also on .default; take whichever the loader hands over.
  const Ajv = ((AjvDraft04 as unknown as { default?: unknown }).default ?? AjvDraft04) as unknown as new (o: object) => import('ajv').default;
  const addFormats = ((ajvFormats as unknown as { default?: unknown }).default ?? ajvFormats) as unknown as (a: import('ajv').default) => void;
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const validate = ajv.compile(schema);
  const failures = JSON.parse(sarif(report, { mode: 'failures', root: ROOT })) as Log;
  const complete = JSON.parse(sarif(report, { mode: 'complete', root: ROOT })) as Log;

  test.each([['failures', failures], ['complete', complete]] as const)('%s validates against the official 2.1.0 schema', (_, log) => {
    expect(validate(log), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
  });

  test.each([['failures', failures], ['complete', complete]] as const)('%s meets GitHub code scanning rules', (_, log) => {
    const text = JSON.stringify(log);
    expect(gzipSync(text).length).toBeLessThan(10 * 1024 * 1024);
    const categories = log.runs.map((r) => r.automationDetails!.id!.split('/').slice(0, -1).join('/'));
    expect(new Set(categories).size).toBe(log.runs.length);
    for (const run of log.runs) {
      expect(run.results!.length).toBeLessThanOrEqual(25_000);
      for (const r of run.results!) {
        expect(r.ruleId).toMatch(/^(NET-\d{3}|default-deny)$/);
        expect(r.message.text!.length).toBeGreaterThan(10);
        expect(r.locations![0]!.physicalLocation!.artifactLocation!.uri).toMatch(/^suites\/[a-z-]+\.yaml$/);
        expect(r.locations![0]!.physicalLocation!.region!.startLine).toBeGreaterThan(0);
        expect(r.partialFingerprints!.primaryLocationLineHash).toMatch(/^[0-9a-f]{32}:1$/);
      }
    }
  });

  test('one rule per NET policy with descriptions, help, helpUri, tags and security-severity', () => {
    const rules = failures.runs[0]!.tool.driver.rules!;
    for (const id of ['NET-001', 'NET-002', 'NET-003', 'NET-004', 'NET-010', 'NET-011', 'NET-012']) {
      const r = rules.find((x) => x.id === id)!;
      expect(r.name).toMatch(/^[A-Z][A-Za-z0-9]+$/);
      expect(r.shortDescription!.text).toContain(id);
      expect(r.fullDescription!.text.length).toBeGreaterThan(20);
      expect(r.help!.text).toMatch(/^Remediation: /);
      expect(r.helpUri).toMatch(/^https:\/\//);
      expect(Number(r.properties!['security-severity'])).toBeGreaterThan(0);
    }
    expect(rules.find((x) => x.id === 'NET-010')!.properties!['security-severity']).toBe('9.5');
  });

  test('failures file: FAIL only; complete: passes as kind pass, waivers suppressed, could-not-look as review', () => {
    const kinds = (log: Log) => log.runs.flatMap((r) => r.results!.map((x) => `${x.kind}:${(x.properties as { verdict: string }).verdict}`)).sort();
    expect(kinds(failures)).toEqual(['fail:FAIL', 'fail:FAIL']);
    expect(kinds(complete)).toEqual(['fail:FAIL', 'fail:FAIL', 'fail:WAIVED', 'pass:PASS', 'review:ERROR', 'review:INCONCLUSIVE']);
    expect(complete.runs[0]!.results!.find((r) => r.kind === 'pass')!.level).toBe('none');
    expect(complete.runs[0]!.results!.find((r) => (r.properties as { verdict: string }).verdict === 'WAIVED')!.suppressions![0]!.justification).toMatch(/expires 2027-01-31/);
    expect(failures.runs[0]!.results![0]!.level).toBe('error');
  });

  test('logical locations name account, region, VPC, subnet and instance; invocations record the run', () => {
    const r = failures.runs[0]!.results![0]!;
    expect(r.locations![0]!.logicalLocations!.map((l) => l.fullyQualifiedName)).toEqual([
      'aws/account/123456789012', 'aws/account/123456789012/region/ap-southeast-6', 'aws/ap-southeast-6/vpc/vpc-0abc', 'aws/ap-southeast-6/subnet/subnet-0abc', 'aws/ap-southeast-6/instance/i-0app000000000001',
    ]);
    const inv = failures.runs[0]!.invocations![0]!;
    expect(inv).toMatchObject({ startTimeUtc: '2026-11-24T01:00:00.000Z', endTimeUtc: '2026-11-24T01:00:09.000Z', executionSuccessful: false });
    expect(failures.runs[0]!.automationDetails!.id).toBe('pathproof/local/123456789012/ap-southeast-6/pp-20261124t010000-abcd');
  });

  test('fingerprints are stable across runs and differ per resource', () => {
    const again = JSON.parse(sarif({ ...sampleReport(), runId: 'pp-other', startedAt: '2026-12-01T00:00:00Z' }, { mode: 'failures' })) as Log;
    const fp = (log: Log) => log.runs[0]!.results!.map((r) => r.partialFingerprints!.primaryLocationLineHash);
    expect(fp(again)).toEqual(fp(failures));
    expect(new Set(fp(failures)).size).toBe(2);
  });

  test('a mass failure keeps the most severe 5,000 results per run for code scanning, and says how many it left out', () => {
    const critical = report.verdicts[1]!; // NET-010, critical
    const medium = { ...critical, checkId: 'net004-inference-to-secrets', policies: ['NET-004'] }; // medium
    const big = { ...report, verdicts: [...Array.from({ length: 4_000 }, () => medium), ...Array.from({ length: 26_000 }, () => critical)] };
    const log = JSON.parse(sarif(big, { mode: 'failures' })) as Log;
    const run = log.runs[0]!;
    expect(run.results!.length).toBe(MAX_UPLOAD_RESULTS);
    expect(new Set(run.results!.map((r) => r.ruleId))).toEqual(new Set(['NET-010']));
    expect(run.properties!.omittedResults).toBe(30_000 - MAX_UPLOAD_RESULTS);
    expect(run.invocations![0]!.toolExecutionNotifications!.map((n) => n.message.text)).toContainEqual(expect.stringMatching(/^25000 less severe FAIL results were left out/));
    // The auditor's file keeps everything.
    expect((JSON.parse(sarif(big, { mode: 'complete' })) as Log).runs[0]!.results!.length).toBe(30_000);
  });
});

describe('gate', () => {
  const onlyFails = { ...report, verdicts: report.verdicts.filter((v) => v.status === 'FAIL' || v.status === 'PASS') };
  test('--fail-on keeps FAILs at the named severities only', () => {
    expect(gateExitCode(onlyFails, ['critical', 'high', 'medium', 'low'], { interrupted: false, reporterFailed: false })).toBe(1);
    expect(gateExitCode(onlyFails, ['critical'], { interrupted: false, reporterFailed: false })).toBe(1); // NET-010 is critical
    expect(gateExitCode(onlyFails, ['low'], { interrupted: false, reporterFailed: false })).toBe(0);
    expect(gateExitCode(report, ['low'], { interrupted: false, reporterFailed: false })).toBe(2);
    expect(gateExitCode(report, ['low'], { interrupted: true, reporterFailed: false })).toBe(130);
  });
  test('partial reports are marked so in every format', () => {
    const partial = sampleReport({ partial: true });
    expect(junit(partial)).toContain('name="pathproof local (partial)"');
    expect((JSON.parse(sarif(partial, { mode: 'failures' })) as Log).runs[0]!.invocations![0]!.toolExecutionNotifications!.some((n) => /Partial run/.test(n.message.text!))).toBe(true);
    expect(html(partial)).toContain('id="partial"');
  });
});
