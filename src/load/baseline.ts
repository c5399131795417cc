import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const baselineFile = (root: string, env: string) => path.join(root, 'fixtures', 'baselines', `${env}.json`);

export function loadBaseline(root: string, env: string): { baseline?: unknown } {
  const f = baselineFile(root, env);
  return existsSync(f) ? { baseline: JSON.parse(readFileSync(f, 'utf8')) } : {};
}
