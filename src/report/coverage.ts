

import { CATEGORIES, DEFAULT_DENY } from '../model/suite-schema.ts';
import type { Coverage } from '../model/report.ts';
import { type Catalog } from '../model/catalog.ts';
import { type Check } from '../model/check.ts';


/** What the selected checks cover: NET policies × categories, and the zone × zone matrix. */
export function coverage(catalog: Catalog, envZones: readonly string[], checks: readonly Check[]): Coverage {
  const ids = [...catalog.policies.keys(), DEFAULT_DENY];
  const policies: Record<string, Record<string, string[]>> = {};
  for (const id of ids) {
    policies[id] = Object.fromEntries(CATEGORIES.map((c) => [c, checks.filter((k) => k.category === c && k.policies.includes(id)).map((k) => k.id)]));
  }
  const zones: Record<string, string[]> = {};
  const internal = [...catalog.zones.values()].filter((z) => z.kind === 'internal' && envZones.includes(z.name)).map((z) => z.name);
  for (const from of internal) {
    // Traffic inside one zone is outside the catalog's scope (policies govern zone pairs).
    for (const to of [...catalog.zones.keys()].filter((z) => z !== from)) zones[`${from}→${to}`] = checks.filter((k) => k.from === from && k.to === to).map((k) => k.id);
  }
  return {
    categories: [...CATEGORIES], policies, zones,
    untestedPolicies: ids.filter((id) => Object.values(policies[id]!).every((l) => l.length === 0)),
    untestedPolicyCategories: ids.flatMap((id) => CATEGORIES.filter((c) => policies[id]![c]!.length === 0).map((c) => `${id}×${c}`)),
    untestedZonePairs: Object.entries(zones).filter(([, l]) => l.length === 0).map(([k]) => k),
  };
}

export function formatCoverage(c: Coverage): string {
  const tested = Object.values(c.zones).filter((l) => l.length > 0).length;
  const total = Object.keys(c.zones).length;
  const lines = [`coverage: zone pairs ${tested}/${total} tested; policies with no check: ${c.untestedPolicies.join(', ') || 'none'}`];
  if (c.untestedZonePairs.length) lines.push(`coverage: untested zone pairs: ${c.untestedZonePairs.join(', ')}`);
  const perPolicy = Object.entries(c.policies).map(([id, cats]) => `${id} [${Object.entries(cats).filter(([, l]) => l.length).map(([k]) => k).join(', ') || 'none'}]`);
  lines.push(`coverage: policy × category tested: ${perPolicy.join('; ')}`);
  const untested = Object.entries(c.policies).map(([id, cats]) => [id, Object.entries(cats).filter(([, l]) => l.length === 0).map(([k]) => k)] as const).filter(([, l]) => l.length);
  if (untested.length) lines.push(`coverage: policy × category untested: ${untested.map(([id, l]) => `${id} [${l.join(', ')}]`).join('; ')}`);
  return lines.join('\n');
}
