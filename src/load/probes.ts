import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { IssueCollector } from '../shared/issues.ts';
import { paramTypes } from '../model/param-types.ts';
import { readConfigFile, YamlSource } from '../shared/yaml-source.ts';
import { HEREDOC_END, ProbeDef, ProbeMeta } from '../model/probe.ts';

/** Loads probes/<id>/{probe.yaml,probe.sh}; id = folder = declared id. */
export function loadProbes(probesDir: string, issues: IssueCollector): Map<string, ProbeDef> {
  const probes = new Map<string, ProbeDef>();
  for (const name of readdirSync(probesDir).sort()) {
    const dir = path.join(probesDir, name);
    const metaFile = path.join(dir, 'probe.yaml');
    const scriptFile = path.join(dir, 'probe.sh');
    if (!existsSync(metaFile)) continue;
    const src = YamlSource.read(metaFile, issues);
    const meta = src?.validate(ProbeMeta, issues);
    if (!src || !meta) continue;
    if (meta.id !== name) {
      src.report(issues, 'id-mismatch', ['id'], `does not match its folder probes/${name}`, `rename the folder or set id: ${name}`, meta.id);
      continue;
    }
    if (!existsSync(scriptFile)) {
      src.report(issues, 'file-missing', [], `probe ${name} has no probe.sh`, `add ${path.relative(process.cwd(), scriptFile)}`);
      continue;
    }
    const script = readConfigFile(scriptFile, issues);
    if (script === undefined) continue;
    if (script.split('\n').some((l) => l.trim() === HEREDOC_END)) {
      src.report(issues, 'unsafe-script', [], `probe.sh contains the line ${HEREDOC_END}`, 'remove that line: it would end the batch heredoc');
      continue;
    }
    for (const [pname, def] of Object.entries(meta.parameters)) {
      if (def.default !== undefined && !paramTypes[def.type].pattern.test(String(def.default))) {
        src.report(issues, 'invalid-value', ['parameters', pname, 'default'], `is not ${paramTypes[def.type].hint}`, 'fix the default', def.default);
      }
    }
    // Every parameter the facts name must be one the probe declares.
    const named = [...[...meta.attempt.matchAll(/\{([a-z_]+)\}/g)].map((m) => m[1]!), ...meta.timeout.per, meta.timeout.attempts, meta.timeout.lookup, meta.resolves?.param, meta.resolves?.unless]
      .filter((n): n is string => n !== undefined);
    const unknown = named.filter((n) => !(n in meta.parameters));
    if (unknown.length) {
      src.report(issues, 'unknown-parameter', [], `probe.yaml names ${unknown.join(', ')}, which it does not declare under parameters`, 'declare them or fix attempt / timeout / resolves');
      continue;
    }
    probes.set(meta.id, { ...meta, script, dir });
  }
  return probes;
}

