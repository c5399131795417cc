import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { schemas } from '../../scripts/write-schemas.ts';
import { ROOT } from '../helpers/paths.ts';

describe('project rules', () => {
  test('published JSON Schemas are up to date (npx tsx scripts/write-schemas.ts)', () => {
    for (const [name, schema] of Object.entries(schemas())) {
      expect(JSON.parse(readFileSync(path.join(ROOT, 'schemas', name), 'utf8'))).toEqual(schema);
    }
  });
});
