/** Writes the JSON Schemas editors use for suites/*.yaml and fixtures/environments/*.yaml. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { EnvironmentFile } from '../src/model/environment.ts';
import { CheckFields, SuiteFile } from '../src/model/suite-schema.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function schemas(): Record<string, unknown> {
  return {
    'suite.schema.json': { title: 'pathproof suite', ...z.toJSONSchema(SuiteFile.extend({ checks: z.array(CheckFields).optional() }), { io: 'input' }) },
    'environment.schema.json': { title: 'pathproof environment', ...z.toJSONSchema(EnvironmentFile, { io: 'input' }) },
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  for (const [name, schema] of Object.entries(schemas())) {
    writeFileSync(path.join(root, 'schemas', name), `${JSON.stringify(schema, null, 2)}\n`);
    console.log(`wrote schemas/${name}`);
  }
}
