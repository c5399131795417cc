import { evaluate } from '../model/evaluate.ts';

import type { Coverage, PolicySummary, Report, ZonePair } from '../model/report.ts';
import { type Config } from '../model/check.ts';
import { type RunResult } from '../model/result.ts';
import { twoWitnesses } from './witnesses.ts';

export const VERSION = '0.1.0';

/** The reporters' view of a run: plain data derived from the config and the result. */
export function buildReport(config: Config, result: RunResult, extra: { partial: boolean; callers: Record<string, string>; suitesCommit?: string; coverage: Coverage }): Report {
  const policies: PolicySummary[] = [...config.catalog.policies.values()].map((p) => ({
    id: p.id, title: p.title, from: p.from, to: p.to, action: p.action, severity: p.severity, justification: p.justification,
    remediation: p.remediation, ...(p.helpUri ? { helpUri: p.helpUri } : {}),
    ports: p.ports.length === 0 ? 'any port' : `${p.protocol} ${p.ports.map((r) => (r.low === r.high ? `${r.low}` : `${r.low}-${r.high}`)).join(', ')}`,
  }));
  const zones = [...config.catalog.zones.values()].map((z) => ({ name: z.name, kind: z.kind }));
  const matrix: ZonePair[] = [];
  for (const from of zones.filter((z) => z.kind === 'internal')) {
    for (const to of zones) {
      const verdicts = new Set([443, 80, 6333, 53].map((port) => evaluate(config.catalog, { from: from.name, to: to.name, protocol: 'tcp', port }).action));
      matrix.push({ from: from.name, to: to.name, intended: verdicts.size > 1 ? 'mixed' : [...verdicts][0]! });
    }
  }
  return {
    tool: { name: 'pathproof', version: VERSION, informationUri: 'https://github.com/pathproof/pathproof' },
    runId: result.runId, env: result.env, startedAt: result.startedAt, finishedAt: result.finishedAt,
    partial: extra.partial || result.interrupted.length > 0 || result.couldNotLook.length > 0, notRun: result.interrupted, couldNotLook: result.couldNotLook, verdicts: result.verdicts,
    policies, zones, matrix, frameworks: config.catalog.frameworks, coverage: extra.coverage,
    accounts: Object.entries(config.env.accounts).map(([name, a]) => ({ name, id: a.id, region: a.region, ...(extra.callers[name] ? { callerArn: extra.callers[name] } : {}) })),
    ...(extra.suitesCommit ? { suitesCommit: extra.suitesCommit } : {}),
    ...(config.env.discovery?.found ? { discovered: config.env.discovery.found } : {}),
    ...(result.drift ? { drift: result.drift } : {}),
    witnesses: twoWitnesses(result.plan.checks, result.verdicts),
  };
}
