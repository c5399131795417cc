import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { IssueCollector } from '../shared/issues.ts';
import { YamlSource } from '../shared/yaml-source.ts';
import { CatalogFile, FrameworkFile } from '../model/catalog-schema.ts';
import { Catalog, FrameworkControl, Policy, PortRange, Zone } from '../model/catalog.ts';

/**
 * Loads every *.yaml under fixtures/policies (the shipped catalog plus any the user adds) and
 * fixtures/frameworks. Zones and policies may be spread over several files; ids are unique.
 */
export function loadCatalog(fixturesDir: string, issues: IssueCollector): Catalog {
  const zones = new Map<string, Zone>();
  const policies = new Map<string, Policy>();
  const pending: { src: YamlSource; index: number; from: string; to: string }[] = [];

  for (const file of yamlFiles(path.join(fixturesDir, 'policies'))) {
    const src = YamlSource.read(file, issues);
    const data = src?.validate(CatalogFile, issues);
    if (!src || !data) continue;
    for (const [name, def] of Object.entries(data.zones ?? {})) {
      if (zones.has(name)) {
        src.report(issues, 'duplicate-id', ['zones', name], `zone "${name}" is defined twice`, 'keep one definition', name, true);
      }
      zones.set(name, { name, ...def });
    }
    (data.policies ?? []).forEach((p, index) => {
      if (policies.has(p.id)) {
        src.report(issues, 'duplicate-id', ['policies', index, 'id'], `policy ${p.id} is defined twice`, 'give each policy a unique id', p.id);
        return;
      }
      const ports: PortRange[] = [];
      if (p.ports !== 'any') {
        p.ports.forEach((spec, j) => {
          const [low, high] = typeof spec === 'number' ? [spec, spec] : spec.split('-').map(Number) as [number, number];
          if (!(low >= 1 && high <= 65535 && low <= high)) {
            src.report(issues, 'invalid-value', ['policies', index, 'ports', j], 'is not a valid inclusive port range', 'write "low-high" with 1 <= low <= high <= 65535', spec);
          }
          ports.push({ low, high });
        });
      }
      const { line } = src.locate(['policies', index]);
      policies.set(p.id, { ...p, ports, source: { file, line } });
      pending.push({ src, index, from: p.from, to: p.to });
    });
  }
  for (const { src, index, from, to } of pending) {
    for (const [field, zone] of [['from', from], ['to', to]] as const) {
      if (zone !== '*' && !zones.has(zone)) {
        src.report(issues, 'unknown-zone', ['policies', index, field], `is not a zone of the catalog; zones: ${[...zones.keys()].join(', ')}`,
          'use a defined zone or add it under zones:', zone);
      }
    }
  }

  const frameworks: FrameworkControl[] = [];
  for (const file of yamlFiles(path.join(fixturesDir, 'frameworks'))) {
    const src = YamlSource.read(file, issues);
    const data = src?.validate(FrameworkFile, issues);
    if (!src || !data) continue;
    data.controls.forEach((c, i) => {
      c.policies.forEach((id, j) => {
        if (!policies.has(id)) {
          src.report(issues, 'unknown-policy', ['controls', i, 'policies', j], `is not a policy of the catalog; policies: ${[...policies.keys()].join(', ')}`,
            'map controls only to policies defined under fixtures/policies', id);
        }
      });
      frameworks.push({ framework: data.framework, ...c });
    });
  }
  return { zones, policies, frameworks };
}

export function yamlFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((n) => /\.ya?ml$/.test(n)).sort().map((n) => path.join(dir, n));
}
