/**
 * OCSF 1.6 Compliance Findings (class_uid 2003, category 2, activity Create: type_uid 200301), one
 * per verdict, for Security Hub (its native format) and SIEMs. Attributes follow ocsf-schema's
 * events/findings/compliance_finding.json, finding.json and the objects they use; what is emitted
 * is typed here and validated against a schema in test/unit/findings.test.ts.
 */
import type { Report } from '../src/model/report.ts';
import { findingFacts, hubEvidence } from './findings.ts';

const SEVERITY_ID = { informational: 1, low: 2, medium: 3, high: 4, critical: 5 } as const;
/** compliance.status_id: 1 Pass, 2 Warning (no result: ERROR or INCONCLUSIVE), 3 Fail. */
const COMPLIANCE = { PASS: [1, 'Pass'], FAIL: [3, 'Fail'], ERROR: [2, 'Warning'], INCONCLUSIVE: [2, 'Warning'] } as const;

export interface OcsfComplianceFinding {
  readonly class_uid: 2003; readonly class_name: 'Compliance Finding';
  readonly category_uid: 2; readonly category_name: 'Findings';
  readonly activity_id: 1; readonly activity_name: 'Create'; readonly type_uid: 200301; readonly type_name: 'Compliance Finding: Create';
  readonly severity_id: 1 | 2 | 3 | 4 | 5; readonly severity: string;
  /** Finding status: 1 New, 3 Suppressed (waived). */
  readonly status_id: 1 | 3; readonly status: 'New' | 'Suppressed';
  readonly time: number;
  readonly message: string;
  readonly metadata: { readonly version: '1.6.0'; readonly product: { readonly name: 'pathproof'; readonly vendor_name: 'pathproof'; readonly version: string; readonly url_string: string } };
  readonly finding_info: { readonly uid: string; readonly title: string; readonly desc: string; readonly types: readonly string[]; readonly created_time: number };
  readonly compliance: { readonly standards: readonly string[]; readonly control: string; readonly status_id: 1 | 2 | 3; readonly status: 'Pass' | 'Warning' | 'Fail'; readonly requirements: readonly string[] };
  readonly cloud: { readonly provider: 'AWS'; readonly region: string; readonly account: { readonly uid: string; readonly type: 'AWS Account' } };
  readonly resources: readonly { readonly uid: string; readonly type: string; readonly region: string; readonly data: Readonly<Record<string, string>> }[];
  readonly remediation: { readonly desc: string };
  readonly unmapped: { readonly verdict_status: string; readonly evidence: unknown; readonly source: string };
}

export function ocsf(report: Report): string {
  const time = Date.parse(report.finishedAt);
  const findings: OcsfComplianceFinding[] = report.verdicts.map((v) => {
    const f = findingFacts(report, v);
    const [statusId, status] = COMPLIANCE[f.judged];
    const instance = v.target.instanceId.startsWith('i-') || v.target.instanceId.startsWith('mi-');
    return {
      class_uid: 2003, class_name: 'Compliance Finding', category_uid: 2, category_name: 'Findings',
      activity_id: 1, activity_name: 'Create', type_uid: 200301, type_name: 'Compliance Finding: Create',
      severity_id: SEVERITY_ID[f.severity], severity: f.severity[0]!.toUpperCase() + f.severity.slice(1),
      status_id: f.waived ? 3 : 1, status: f.waived ? 'Suppressed' : 'New',
      time, message: v.sentence,
      metadata: { version: '1.6.0', product: { name: 'pathproof', vendor_name: 'pathproof', version: report.tool.version, url_string: report.tool.informationUri } },
      finding_info: { uid: f.uid, title: f.title, desc: v.sentence, types: [`pathproof/${v.category}`], created_time: time },
      compliance: { standards: ['pathproof NET policy catalog', ...(f.nist.length ? ['NIST SP 800-53 Rev. 5'] : [])], control: f.controls.join(', '), status_id: statusId, status, requirements: f.nist },
      cloud: { provider: 'AWS', region: v.target.region, account: { uid: v.target.accountId, type: 'AWS Account' } },
      resources: [{
        uid: v.target.instanceId, type: instance ? 'AWS::EC2::Instance' : 'AWS::EC2::VPC', region: v.target.region,
        data: { account: v.target.accountId, vpc: v.target.vpc, zone: v.target.zone, ...(v.target.subnet ? { subnet: v.target.subnet } : {}) },
      }],
      remediation: { desc: f.remediation },
      unmapped: { verdict_status: v.status, evidence: hubEvidence(v), source: `${v.source.file}:${v.source.line}` },
    };
  });
  return `${JSON.stringify(findings)}\n`;
}
