/**
 * AWS Security Finding Format, for Security Hub's BatchImportFindings (which still imports ASFF):
 * one finding per verdict with the required fields (AwsAccountId, CreatedAt, Description,
 * GeneratorId, Id, ProductArn, Resources, SchemaVersion, Severity, Title, Types, UpdatedAt).
 * The Id is stable per environment, check and target, so a re-import updates rather than duplicates.
 * https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-findings-format.html
 */
import type { Report } from '../src/model/report.ts';
import { findingFacts } from './findings.ts';

/** Compliance.Status: PASSED, FAILED, WARNING (INCONCLUSIVE: it looked, but the control failed), NOT_AVAILABLE (ERROR: it could not look). */
const STATUS = { PASS: 'PASSED', FAIL: 'FAILED', INCONCLUSIVE: 'WARNING', ERROR: 'NOT_AVAILABLE' } as const;

export interface AsffFinding {
  readonly SchemaVersion: '2018-10-08';
  readonly Id: string;
  readonly ProductArn: string;
  readonly GeneratorId: string;
  readonly AwsAccountId: string;
  readonly Region: string;
  readonly Types: readonly string[];
  readonly CreatedAt: string;
  readonly UpdatedAt: string;
  readonly Severity: { readonly Label: 'INFORMATIONAL' | 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL' };
  readonly Title: string;
  readonly Description: string;
  readonly Remediation: { readonly Recommendation: { readonly Text: string } };
  readonly Resources: readonly { readonly Type: string; readonly Id: string; readonly Region: string; readonly Partition: 'aws'; readonly Details?: { readonly Other: Readonly<Record<string, string>> } }[];
  readonly Compliance: { readonly Status: 'PASSED' | 'FAILED' | 'WARNING' | 'NOT_AVAILABLE'; readonly RelatedRequirements?: readonly string[] };
  readonly Workflow: { readonly Status: 'NEW' | 'SUPPRESSED' };
  readonly RecordState: 'ACTIVE';
  readonly ProductFields: Readonly<Record<string, string>>;
}

export function asff(report: Report): string {
  const findings: AsffFinding[] = report.verdicts.map((v) => {
    const f = findingFacts(report, v);
    const { accountId, region, instanceId } = v.target;
    const instance = instanceId.startsWith('i-') || instanceId.startsWith('mi-');
    return {
      SchemaVersion: '2018-10-08',
      Id: f.uid,
      // The account's default product: findings a customer imports for itself.
      ProductArn: `arn:aws:securityhub:${region}:${accountId}:product/${accountId}/default`,
      GeneratorId: `pathproof/${v.checkId}`,
      AwsAccountId: accountId, Region: region,
      Types: ['Software and Configuration Checks/Industry and Regulatory Standards/NIST 800-53 Controls'],
      CreatedAt: report.startedAt, UpdatedAt: report.finishedAt,
      Severity: { Label: f.severity === 'informational' ? 'INFORMATIONAL' : (f.severity.toUpperCase() as 'LOW') },
      Title: f.title,
      Description: v.sentence.slice(0, 1024),
      Remediation: { Recommendation: { Text: f.remediation.slice(0, 512) } },
      Resources: [{
        Type: instance ? 'AwsEc2Instance' : 'AwsEc2Vpc',
        Id: instance ? `arn:aws:ec2:${region}:${accountId}:instance/${instanceId}` : `arn:aws:ec2:${region}:${accountId}:vpc/${v.target.vpc || instanceId}`,
        Region: region, Partition: 'aws',
        Details: { Other: { zone: v.target.zone, vpc: v.target.vpc, check: v.checkId } },
      }],
      Compliance: { Status: STATUS[f.judged], ...(f.nist.length ? { RelatedRequirements: f.nist.slice(0, 32) } : {}) },
      Workflow: { Status: f.waived ? 'SUPPRESSED' : 'NEW' },
      RecordState: 'ACTIVE',
      ProductFields: { 'pathproof/verdict': v.status, 'pathproof/policies': v.policies.join(','), 'pathproof/source': `${v.source.file}:${v.source.line}`, 'pathproof/run': report.runId },
    };
  });
  return `${JSON.stringify({ Findings: findings })}\n`;
}
