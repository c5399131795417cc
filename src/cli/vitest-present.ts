/**
 * vitest as the engine underneath a run's console, in a process of its own: one test per check ×
 * target, from the verdicts file the run wrote (argv[2]). Kept out of the run's own process, whose
 * peak memory it would otherwise double. Exits with vitest's own code.
 */
import { readFileSync } from 'node:fs';
import { startVitest } from 'vitest/node';

const [file, root] = process.argv.slice(2);
if (!file || !root) {
  process.stderr.write('usage: vitest-present.ts VERDICTS_JSON ROOT (started by npm test, not by hand)\n');
  process.exit(2);
}
const payload = JSON.parse(readFileSync(file, 'utf8')) as { runId: string; env: string; verdicts: unknown[] };
const vitest = await startVitest('test', [], {
  run: true, watch: false, project: ['conformance'], root, reporters: [{}],
  provide: { pathproof: payload },
} as never);
await vitest.close();
process.exit(0);
