/**
 * The folder boundaries (ARCHITECTURE.md) are held by `npm run lint` (dependency-cruiser with a
 * per-folder allow-list). The rule must be able to fail: each forbidden import below, planted in a
 * scratch copy of the layout, must be reported; and the real tree must pass.
 */
import { copyFileSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
import { ROOT } from '../helpers/paths.ts';

const depcruise = path.join(ROOT, 'node_modules', '.bin', 'depcruise');

async function lint(files: Record<string, string>): Promise<{ exitCode: number; out: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pp-lint-'));
  copyFileSync(path.join(ROOT, '.dependency-cruiser.cjs'), path.join(dir, '.dependency-cruiser.cjs'));
  copyFileSync(path.join(ROOT, 'tsconfig.json'), path.join(dir, 'tsconfig.json'));
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  const r = await execa(depcruise, ['src', 'infra', 'reporters', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'], { cwd: dir, reject: false });
  return { exitCode: r.exitCode ?? -1, out: `${r.stdout}\n${r.stderr}` };
}

const base = {
  'src/model/result.ts': 'export type Verdict = { status: string };\n',
  'src/aws/ssm.ts': "import { SSMClient } from '@aws-sdk/client-ssm';\nexport const c = SSMClient;\n",
  'infra/twin/lab.ts': "export const lab = 1;\n",
  'src/load/config.ts': "export const x = 1;\n",
  'reporters/junit.ts': "import type { Verdict } from '../src/model/result.ts';\nexport const junit = (v: Verdict) => v.status;\n",
};

describe('npm run lint holds the boundaries', () => {
  test('a clean layout passes', async () => {
    expect((await lint(base)).exitCode).toBe(0);
  });
  test.each([
    ['a reporter importing an AWS client', { 'reporters/sarif.ts': "import { SSMClient } from '@aws-sdk/client-ssm';\nexport const s = SSMClient;\n" }, /reporters-pure/],
    ['a verdict module importing the transport', { 'src/verdict/judge.ts': "import { c } from '../aws/ssm.ts';\nexport const j = c;\n" }, /verdict-pure|boundary:src\/verdict/],
    ['a verdict module importing the twin', { 'src/verdict/judge.ts': "import { lab } from '../../infra/twin/lab.ts';\nexport const j = lab;\n" }, /verdict-pure|boundary:src\/verdict/],
    ['the model importing anything of the project', { 'src/model/check.ts': "import { x } from '../load/config.ts';\nexport const y = x;\n" }, /boundary:src\/model/],
    ['a cycle', { 'src/plan/a.ts': "import { b } from './b.ts';\nexport const a = () => b;\n", 'src/plan/b.ts': "import { a } from './a.ts';\nexport const b = () => a;\n" }, /no-circular/],
  ])('fails on %s', async (_, files, rule) => {
    const r = await lint({ ...base, ...files });
    expect(r.exitCode, r.out).not.toBe(0);
    expect(r.out).toMatch(rule);
  });
  test('the real tree passes', async () => {
    const r = await execa('npm', ['run', '-s', 'lint'], { cwd: ROOT, reject: false });
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
  }, 60_000);
});
