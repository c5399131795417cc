import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, test } from 'vitest';
import { ROOT } from '../helpers/paths.ts';

type Step = { name?: string; id?: string; run?: string; uses?: string; with?: Record<string, string>; env?: Record<string, string> };
const workflow = parse(readFileSync(path.join(ROOT, '.github/workflows/pathproof-prod.yml'), 'utf8')) as { jobs: Record<string, { steps: Step[] }> };
const steps = Object.values(workflow.jobs).flatMap((j) => j.steps);

describe('the shipped GitHub workflow', () => {
  test('uploads only pathproof.sarif (failures) to code scanning, never a directory or the complete SARIF', () => {
    const uploads = steps.filter((s) => s.uses?.startsWith('github/codeql-action/upload-sarif'));
    expect(uploads).toHaveLength(1);
    const file = uploads[0]!.with!.sarif_file!;
    // Either a literal path to pathproof.sarif, or the output of a step that finds exactly that file.
    const ref = /^\$\{\{ steps\.([a-z-]+)\.outputs\.file \}\}$/.exec(file);
    const finder = ref ? steps.find((s) => s.id === ref[1]) : undefined;
    const resolved = finder?.run ?? file;
    expect(resolved).toMatch(/pathproof\.sarif\b/);
    expect(resolved).not.toMatch(/complete/);
    expect(resolved).not.toMatch(/^reports\/?$/);
  });

  test('annotates failures on the suite lines (--reporter github)', () => {
    expect(steps.find((s) => s.run?.includes('npm test -- --env=prod'))?.run).toMatch(/--reporter github/);
  });

  test('signs the evidence with a pinned KMS key', () => {
    const run = steps.find((s) => s.run?.includes('npm test -- --env=prod'));
    expect(run?.env?.PATHPROOF_SIGNING_KMS_KEY).toMatch(/^arn:aws:kms:[a-z0-9-]+:\d{12}:(alias|key)\//);
  });
});
