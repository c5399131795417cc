import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Log, ReportingDescriptor, Result, Run } from 'sarif';
import { policyOf, type PolicySummary, type Report } from '../src/model/report.ts';
import type { Verdict } from '../src/model/result.ts';

export interface SarifOptions {
  /**
   * `failures`: FAIL results only — the file for GitHub code scanning (it ignores `kind`, so a
   * passing result would show as an alert). `complete`: every verdict, passes as kind "pass",
   * waivers as suppressions, could-not-look as kind "review" — the file for auditors.
   */
  readonly mode: 'failures' | 'complete';
  /** Project root, to make suite file paths relative (default: none). */
  readonly root?: string;
}

const SEVERITY_SCORE = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0' } as const;
/**
 * GitHub stores at most 5,000 results per run (and rejects a run with more than 25,000): the
 * failures file keeps the most severe 5,000 and says how many it left out.
 */
export const MAX_UPLOAD_RESULTS = 5_000;
const LEVEL = { critical: 'error', high: 'error', medium: 'warning', low: 'note' } as const;

const pascal = (s: string) => s.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase()).replace(/^./, (c) => c.toUpperCase());

function rule(p: PolicySummary): ReportingDescriptor {
  return {
    id: p.id,
    name: pascal(p.title),
    shortDescription: { text: `${p.id}: ${p.title}` },
    fullDescription: { text: `${p.from} → ${p.to} (${p.ports}) is ${p.action === 'allow' ? 'allowed' : 'denied'}. ${p.justification}` },
    help: { text: `Remediation: ${p.remediation}`, markdown: `**${p.id} — ${p.title}**\n\n${p.justification}\n\n**Remediation:** ${p.remediation}` },
    helpUri: p.helpUri ?? `https://github.com/pathproof/pathproof/blob/main/fixtures/policies/net.yaml#${p.id}`,
    defaultConfiguration: { level: LEVEL[p.severity] },
    properties: { tags: ['security', 'network', 'ai-isolation', p.action === 'allow' ? 'allowed-path' : 'denied-path'], 'security-severity': SEVERITY_SCORE[p.severity], precision: 'very-high', 'problem.severity': p.severity === 'low' ? 'recommendation' : p.severity === 'medium' ? 'warning' : 'error' },
  };
}

/** Stable per (policy, check, resource), so alerts track across runs. */
export function fingerprint(v: Pick<Verdict, 'policies' | 'checkId' | 'target'>, policy: string): string {
  return `${createHash('sha256').update(`${policy}|${v.checkId}|${v.target.accountId}|${v.target.instanceId}`).digest('hex').slice(0, 32)}:1`;
}

/** SARIF 2.1.0: one run per (environment, account, region), one rule per NET policy. */
export function sarif(report: Report, options: SarifOptions): string {
  const groups = new Map<string, Verdict[]>();
  for (const v of report.verdicts) {
    const k = `${v.target.accountId}/${v.target.region}`;
    const group = groups.get(k);
    if (group) group.push(v);
    else groups.set(k, [v]);
  }
  if (groups.size === 0) for (const a of report.accounts) groups.set(`${a.id}/${a.region}`, []);
  const usedPolicies = [...new Set(report.verdicts.flatMap((v) => v.policies))].sort();
  const rules = [...report.policies.map((p) => p.id), ...usedPolicies.filter((id) => !report.policies.some((p) => p.id === id))].map((id) => rule(policyOf(report, id)));
  const runs: Run[] = [...groups].map(([key, verdicts]) => {
    const [accountId, region] = key.split('/') as [string, string];
    const broken = verdicts.filter((v) => v.status === 'ERROR' || v.status === 'INCONCLUSIVE');
    let results: Result[] = [];
    for (const v of verdicts) {
      if (options.mode === 'failures' && v.status !== 'FAIL') continue;
      for (const id of v.policies) results.push(result(v, id, rules, report, options));
    }
    let omitted = 0;
    if (options.mode === 'failures' && results.length > MAX_UPLOAD_RESULTS) {
      const score = (r: Result) => Number(SEVERITY_SCORE[policyOf(report, r.ruleId!).severity]);
      omitted = results.length - MAX_UPLOAD_RESULTS;
      results = results.map((r, i) => ({ r, i })).sort((a, b) => score(b.r) - score(a.r) || a.i - b.i).slice(0, MAX_UPLOAD_RESULTS).map((x) => x.r);
    }
    return {
      tool: { driver: { name: 'pathproof', version: report.tool.version, semanticVersion: report.tool.version, informationUri: report.tool.informationUri, rules } },
      automationDetails: { id: `pathproof/${report.env}/${accountId}/${region}/${report.runId}`, description: { text: `pathproof conformance run ${report.runId}, env ${report.env}, account ${accountId}, region ${region}` } },
      invocations: [{
        executionSuccessful: broken.length === 0 && !report.partial,
        startTimeUtc: report.startedAt, endTimeUtc: report.finishedAt,
        toolExecutionNotifications: [
          ...broken.map((v) => ({ level: 'error' as const, message: { text: `${v.status} ${v.checkId} on ${v.target.instanceId}: ${v.sentence}` }, descriptor: { id: v.policies[0]! } })),
          ...(report.partial ? [{ level: 'warning' as const, message: { text: `Partial run: not run: ${report.notRun.join(', ') || 'none'}; could not look: ${report.couldNotLook.join('; ') || 'none'}` } }] : []),
          ...(omitted ? [{ level: 'warning' as const, message: { text: `${omitted} less severe FAIL results were left out of this file (code scanning keeps at most ${MAX_UPLOAD_RESULTS} per run); every result is in pathproof-complete.sarif and junit.xml` } }] : []),
        ],
      }],
      originalUriBaseIds: { '%SRCROOT%': { description: { text: 'The root of the repository holding suites/' } } },
      columnKind: 'utf16CodeUnits',
      results,
      properties: { env: report.env, accountId, region, partial: report.partial, omittedResults: omitted },
    };
  });
  const log: Log = { version: '2.1.0', $schema: 'https://json.schemastore.org/sarif-2.1.0.json', runs };
  return `${JSON.stringify(log)}\n`;
}

function result(v: Verdict, policyId: string, rules: ReportingDescriptor[], report: Report, options: SarifOptions): Result {
  const p = policyOf(report, policyId);
  const file = options.root && path.isAbsolute(v.source.file) ? path.relative(options.root, v.source.file) : v.source.file;
  const t = v.target;
  const kind = v.status === 'FAIL' ? 'fail' : v.status === 'PASS' ? 'pass' : v.status === 'WAIVED' ? 'fail' : 'review';
  return {
    ruleId: p.id,
    ruleIndex: rules.findIndex((r) => r.id === p.id),
    kind,
    level: kind === 'fail' ? LEVEL[p.severity] : 'none',
    message: { text: `${v.status}: ${v.sentence}` },
    locations: [{
      physicalLocation: { artifactLocation: { uri: file, uriBaseId: '%SRCROOT%' }, region: { startLine: v.source.line, startColumn: v.source.col } },
      logicalLocations: [
        { name: t.accountId, fullyQualifiedName: `aws/account/${t.accountId}`, kind: 'resource' },
        { name: t.region, fullyQualifiedName: `aws/account/${t.accountId}/region/${t.region}`, kind: 'resource' },
        { name: t.vpc, fullyQualifiedName: `aws/${t.region}/vpc/${t.vpc}`, kind: 'resource' },
        ...(t.subnet ? [{ name: t.subnet, fullyQualifiedName: `aws/${t.region}/subnet/${t.subnet}`, kind: 'resource' }] : []),
        { name: t.instanceId, fullyQualifiedName: `aws/${t.region}/instance/${t.instanceId}`, kind: 'resource' },
      ],
    }],
    partialFingerprints: { primaryLocationLineHash: fingerprint(v, p.id) },
    ...(v.status === 'WAIVED' ? { suppressions: [{ kind: 'external' as const, status: 'accepted' as const, justification: `${v.waiver.justification} (expires ${v.waiver.expires}, approved by ${v.waiver.approvedBy})` }] } : {}),
    properties: { check: v.checkId, suite: v.suite, category: v.category, verdict: v.status, zone: t.zone, from: v.from, to: v.to, ...(v.evidence.commandId ? { ssmCommandId: v.evidence.commandId } : {}), observation: v.evidence.probe?.raw ?? null },
  };
}
