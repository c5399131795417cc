/**
 * The findings security teams route into their hubs: OCSF 1.6 Compliance Findings (validated against a
 * schema for what is emitted, written from ocsf-schema's compliance_finding, finding, compliance and
 * finding_info) and ASFF for Security Hub's BatchImportFindings, proven against moto's Security Hub:
 * import, read back, and a later run where a FAIL became PASS updates the finding instead of adding one.
 */
import { z } from 'zod';
import { describe, expect, test } from 'vitest';
import { ocsf } from '../../reporters/ocsf.ts';
import { asff, type AsffFinding } from '../../reporters/asff.ts';
import { sampleReport } from '../helpers/report-fixture.ts';

const Ocsf = z.strictObject({
  class_uid: z.literal(2003), class_name: z.literal('Compliance Finding'), category_uid: z.literal(2), category_name: z.literal('Findings'),
  activity_id: z.literal(1), activity_name: z.literal('Create'), type_uid: z.literal(200301), type_name: z.string(),
  severity_id: z.number().int().min(1).max(5), severity: z.string(), status_id: z.union([z.literal(1), z.literal(3)]), status: z.enum(['New', 'Suppressed']),
  time: z.number().int().positive(), message: z.string().min(1),
  metadata: z.strictObject({ version: z.literal('1.6.0'), product: z.strictObject({ name: z.string(), vendor_name: z.string(), version: z.string(), url_string: z.string() }) }),
  finding_info: z.strictObject({ uid: z.string().min(1), title: z.string().min(1).max(256), desc: z.string(), types: z.array(z.string()), created_time: z.number() }),
  compliance: z.strictObject({ standards: z.array(z.string()).min(1), control: z.string().min(1), status_id: z.union([z.literal(1), z.literal(2), z.literal(3)]), status: z.enum(['Pass', 'Warning', 'Fail']), requirements: z.array(z.string()) }),
  cloud: z.strictObject({ provider: z.literal('AWS'), region: z.string().min(1), account: z.strictObject({ uid: z.string().regex(/^\d{12}$/), type: z.literal('AWS Account') }) }),
  resources: z.array(z.strictObject({ uid: z.string(), type: z.string(), region: z.string(), data: z.record(z.string(), z.string()) })).min(1),
  remediation: z.strictObject({ desc: z.string().min(1) }),
  unmapped: z.strictObject({ verdict_status: z.string(), evidence: z.unknown(), source: z.string() }),
});

const Asff = z.strictObject({
  SchemaVersion: z.literal('2018-10-08'), Id: z.string().min(1).max(512), ProductArn: z.string().regex(/^arn:aws:securityhub:[a-z0-9-]+:\d{12}:product\/\d{12}\/default$/),
  GeneratorId: z.string().min(1), AwsAccountId: z.string().regex(/^\d{12}$/), Region: z.string(), Types: z.array(z.string().startsWith('Software and Configuration Checks')).min(1),
  CreatedAt: z.iso.datetime(), UpdatedAt: z.iso.datetime(), Severity: z.strictObject({ Label: z.enum(['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL']) }),
  Title: z.string().min(1).max(256), Description: z.string().min(1).max(1024), Remediation: z.strictObject({ Recommendation: z.strictObject({ Text: z.string().max(512) }) }),
  Resources: z.array(z.strictObject({ Type: z.string(), Id: z.string(), Region: z.string(), Partition: z.literal('aws'), Details: z.strictObject({ Other: z.record(z.string(), z.string()) }).optional() })).min(1),
  Compliance: z.strictObject({ Status: z.enum(['PASSED', 'FAILED', 'WARNING', 'NOT_AVAILABLE']), RelatedRequirements: z.array(z.string()).max(32).optional() }),
  Workflow: z.strictObject({ Status: z.enum(['NEW', 'SUPPRESSED']) }), RecordState: z.literal('ACTIVE'), ProductFields: z.record(z.string(), z.string()),
});

describe('OCSF and ASFF', () => {
  const report = sampleReport();
  test('one OCSF compliance finding per verdict, valid, with compliance status, suppression and stable uids', () => {
    const list = JSON.parse(ocsf(report)) as unknown[];
    expect(list).toHaveLength(report.verdicts.length);
    for (const f of list) Ocsf.parse(f);
    const byStatus = Object.fromEntries(report.verdicts.map((v, i) => [v.status, list[i] as z.infer<typeof Ocsf>]));
    expect(byStatus.PASS!.compliance.status_id).toBe(1);
    expect(byStatus.FAIL!.compliance.status_id).toBe(3);
    expect(byStatus.ERROR!.compliance.status_id).toBe(2);
    expect(byStatus.INCONCLUSIVE!.compliance.status_id).toBe(2);
    expect(byStatus.WAIVED!.status_id).toBe(3);
    expect(new Set((list as z.infer<typeof Ocsf>[]).map((f) => f.finding_info.uid)).size).toBe(list.length);
    expect(JSON.parse(ocsf(report))).toEqual(list); // stable: same input, same uids
    // A probe's evidence travels as its exact output lines and the bundle file holding the invocation.
    const i = report.verdicts.findIndex((v) => v.evidence.probe);
    const v = report.verdicts[i]!;
    const carried = (list[i] as z.infer<typeof Ocsf>).unmapped.evidence as Record<string, unknown>;
    expect(carried).toMatchObject({ commandId: v.evidence.commandId, probe: v.evidence.probe!.raw, bundleFile: `evidence/${v.evidence.commandId}/${v.target.instanceId}.json` });
    expect(carried.control).toBe(v.evidence.control?.raw);
  });
  test('one ASFF finding per verdict, valid, with the mapping the issue names', () => {
    const { Findings } = JSON.parse(asff(report)) as { Findings: AsffFinding[] };
    for (const f of Findings) Asff.parse(f);
    const status = Object.fromEntries(report.verdicts.map((v, i) => [v.status, Findings[i]!]));
    expect(status.PASS!.Compliance.Status).toBe('PASSED');
    expect(status.FAIL!.Compliance.Status).toBe('FAILED');
    expect(status.ERROR!.Compliance.Status).toBe('NOT_AVAILABLE');
    expect(status.WAIVED!.Workflow.Status).toBe('SUPPRESSED');
    expect(status.FAIL!.Severity.Label).toBe('CRITICAL'); // NET-010 is critical
    expect(status.FAIL!.Compliance.RelatedRequirements?.length).toBeGreaterThan(0);
  });

  test('Security Hub (moto): import, read back, and a re-import where a FAIL became PASS updates the finding', async () => {
    const { startMoto } = await import('../../infra/twin/emulator.ts');
    const { SecurityHubClient, GetFindingsCommand, EnableSecurityHubCommand } = await import('@aws-sdk/client-securityhub');
    const { importFindings } = await import('../../src/aws/securityhub.ts');
    await using moto = await startMoto({ runId: 'pp-unit-securityhub' });
    const region = report.verdicts[0]!.target.region;
    const hub = new SecurityHubClient({ region, endpoint: moto.url, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    try {
      await hub.send(new EnableSecurityHubCommand({})).catch(() => {});
      const first = (JSON.parse(asff(report)) as { Findings: AsffFinding[] }).Findings;
      const out = await importFindings(hub, first as never);
      expect(out).toEqual({ imported: first.length, failed: [] });
      const read = async () => (await hub.send(new GetFindingsCommand({ MaxResults: 100 }))).Findings ?? [];
      const before = await read();
      expect(before.map((f) => f.Id).sort()).toEqual(first.map((f) => f.Id).sort());
      const failed = first.find((f) => f.Compliance.Status === 'FAILED')!;
      // A later run: the same check on the same target now passes.
      const later = { ...report, finishedAt: '2026-11-25T01:00:00.000Z', verdicts: report.verdicts.map((v) => (v.status === 'FAIL' && `pathproof/${report.env}/${v.checkId}/${v.target.instanceId}` === failed.Id ? { ...v, status: 'PASS' as const, evidence: v.evidence } : v)) };
      const second = (JSON.parse(asff(later as never)) as { Findings: AsffFinding[] }).Findings;
      expect((await importFindings(hub, second as never)).failed).toEqual([]);
      const after = await read();
      expect(after).toHaveLength(before.length);
      expect(after.find((f) => f.Id === failed.Id)?.Compliance?.Status).toBe('PASSED');
    } finally {
      hub.destroy();
    }
  }, 60_000);
});
