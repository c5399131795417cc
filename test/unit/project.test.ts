import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { schemas } from '../../scripts/write-schemas.ts';
import { ROOT } from '../helpers/paths.ts';

/** Which top-level folders each folder may import from (STYLE.md rule 1). */
const DEPS: Record<string, readonly string[]> = {
  src: ['src', 'infra', 'reporters'],
  reporters: ['reporters', 'src/model', 'src/errors.ts'],
  infra: ['infra', 'src'],
  probes: [],
  scripts: ['src', 'reporters', 'infra', 'scripts'],
  test: ['src', 'reporters', 'infra', 'scripts', 'test'],
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    if (n === 'node_modules') return [];
    return statSync(p).isDirectory() ? files(p) : /\.ts$/.test(n) ? [p] : [];
  });
}

describe('project rules', () => {
  test.each(Object.keys(DEPS))('%s/ imports only what it may', (folder) => {
    const dir = path.join(ROOT, folder);
    let list: string[];
    try { list = files(dir); } catch { return; }
    for (const file of list) {
      for (const m of readFileSync(file, 'utf8').matchAll(/(?:from|import\()\s*'(\.[^']+)'/g)) {
        const target = path.relative(ROOT, path.resolve(path.dirname(file), m[1]!));
        const ok = DEPS[folder]!.some((d) => target === d || target.startsWith(`${d}/`));
        expect(ok, `${path.relative(ROOT, file)} imports ${target}`).toBe(true);
      }
    }
  });
  test('reporters never reach an AWS client or the twin', () => {
    let list: string[] = [];
    try { list = files(path.join(ROOT, 'reporters')); } catch { /* no reporters yet */ }
    for (const f of list) expect(readFileSync(f, 'utf8')).not.toMatch(/@aws-sdk|infra\//);
  });
  test('published JSON Schemas are up to date (npx tsx scripts/write-schemas.ts)', () => {
    for (const [name, schema] of Object.entries(schemas())) {
      expect(JSON.parse(readFileSync(path.join(ROOT, 'schemas', name), 'utf8'))).toEqual(schema);
    }
  });
});
