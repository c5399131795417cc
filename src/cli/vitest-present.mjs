// @ts-check
/**
 * vitest as the engine underneath a run's console, in a process of its own: one test per check ×
 * target, from the verdicts file the run wrote (argv[2]). Kept out of the run's own process, whose
 * peak memory it would otherwise double. Exits with vitest's own code.
 *
 * Plain JavaScript, started by bare `node`: under tsx's loader every module of vitest (vite and
 * rolldown among them) goes through the loader's hooks, which cost 1.9 CPU-seconds and 190 MB more
 * per run (3.2 s and 323 MB against 1.4 s and 135 MB, measured with `/usr/bin/time`). vitest
 * compiles the TypeScript test file itself.
 */
import { readFileSync } from 'node:fs';
import { startVitest } from 'vitest/node';

const [file, root] = process.argv.slice(2);
if (!file || !root) {
  process.stderr.write('usage: vitest-present.mjs VERDICTS_JSON ROOT (started by npm test, not by hand)\n');
  process.exit(2);
}
/** @type {{ runId: string; env: string; verdicts: unknown[] }} */
const payload = JSON.parse(readFileSync(file, 'utf8'));
const vitest = await startVitest('test', [], /** @type {never} */ ({
  run: true, watch: false, project: ['conformance'], root, reporters: [{}],
  provide: { pathproof: payload },
}));
await vitest.close();
process.exit(0);
