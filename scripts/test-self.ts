/**
 * `npm run test:self`: the type check and the project's own tests in two vitest processes, side by
 * side — the unit files with the CLI twin tests (interrupts, `lab up`, disruption), and the tests
 * that start labs of their own (mutation proof, controls, semantics, DNS Firewall, Bedrock, the SSM
 * gateway, reap, the re-based checkout). Runs coexist on a machine by design, and much of a lab's life is waiting on one
 * core; one vitest process runs projects whose files go one at a time one after the other.
 * Arguments go to both processes; `--outputFile.json=FILE` gets the two reports merged.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execa } from 'execa';
import { exitAfterFlush } from '../src/cli/exit.ts';

const args = process.argv.slice(2);
const out = args.find((a) => a.startsWith('--outputFile.json='))?.slice('--outputFile.json='.length);
const withOut = (suffix: string) => args.map((a) => (out && a.startsWith('--outputFile.json=') ? `--outputFile.json=${out}${suffix}` : a));

async function main(): Promise<number> {
  // The type check runs beside the tests (one core each would otherwise wait on it); it fails the
  // run all the same.
  const runs = await Promise.all([
    execa('npx', ['tsc', '--noEmit'], { stdio: 'inherit', reject: false }),
    execa('npx', ['vitest', 'run', '--project', 'unit', '--project', 'twin', ...withOut('.a')], { stdio: 'inherit', reject: false }),
    execa('npx', ['vitest', 'run', '--project', 'twin-labs', ...withOut('.b')], { stdio: 'inherit', reject: false }),
  ]);
  if (runs[0].exitCode !== 0) process.stderr.write('test:self: the type check failed (npx tsc --noEmit)\n');
  if (out) {
    type Report = { numPassedTests: number; numFailedTests: number; numTotalTests: number; testResults: unknown[] };
    const parts = ['.a', '.b'].map((s) => { try { return JSON.parse(readFileSync(`${out}${s}`, 'utf8')) as Report; } catch { return undefined; } });
    const got = parts.filter((p): p is Report => !!p);
    // The type check counts as one test, and a process that wrote no report as one failure.
    const typed = runs[0].exitCode === 0;
    const sum = (k: 'numPassedTests' | 'numFailedTests' | 'numTotalTests') => got.reduce((n, p) => n + p[k], 0);
    const merged = {
      numPassedTests: sum('numPassedTests') + (typed ? 1 : 0),
      numFailedTests: sum('numFailedTests') + (parts.length - got.length) + (typed ? 0 : 1),
      numTotalTests: sum('numTotalTests') + 1,
      testResults: got.flatMap((p) => p.testResults),
    };
    writeFileSync(out, JSON.stringify(merged));
    for (const s of ['.a', '.b']) rmSync(`${out}${s}`, { force: true });
  }
  return runs.every((r) => r.exitCode === 0) ? 0 : 1;
}

main().then((code) => exitAfterFlush(code), (e: unknown) => { process.stderr.write(`test:self: ${(e as Error).message}\n`); exitAfterFlush(2); });
