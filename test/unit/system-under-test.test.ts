import { describe, expect, test } from 'vitest';
import { localConfig } from '../helpers/reference.ts';
import { loadConfig } from '../../src/load/config.ts';
import { systemUnderTest } from '../../src/run/session.ts';
import type { LabInfo } from '../../infra/twin/lab-cli.ts';
import { ROOT } from '../helpers/paths.ts';

const local = localConfig({ marker: 'm' });
const localstack = loadConfig({ root: ROOT, env: 'localstack', marker: 'm' });
const prod = loadConfig({ root: ROOT, env: 'prod', marker: 'm' });
const lab = { runId: 'pp-lab-1', env: 'local', endpoint: 'http://127.0.0.1:4001', emulator: 'http://127.0.0.1:4002' } as LabInfo;

describe('what a run tests', () => {
  test('an explicit emulator URL wins over a running lab, and the line says both', () => {
    const s = systemUnderTest(local, 'pp-run-1', { PATHPROOF_LOCALSTACK_URL: 'http://127.0.0.1:4566' }, lab);
    expect(s).toMatchObject({ kind: 'url', url: 'http://127.0.0.1:4566' });
    expect(s.describe).toBe('the emulator at http://127.0.0.1:4566 (from PATHPROOF_LOCALSTACK_URL), through a twin pp-run-1 built from its state; the running lab pp-lab-1 is not used');
  });
  test('a running lab is reused only for its own environment and when nothing else is named', () => {
    expect(systemUnderTest(local, 'pp-run-1', {}, lab)).toMatchObject({ kind: 'lab', describe: expect.stringContaining('pp-lab-1 (endpoint http://127.0.0.1:4001, emulator http://127.0.0.1:4002)') });
    expect(systemUnderTest(localstack, 'pp-run-1', {}, lab).kind).not.toBe('lab');
    expect(systemUnderTest(local, 'pp-run-1', {}).kind).toBe('moto');
  });
  test('real accounts are named with their ids and regions', () => {
    expect(systemUnderTest(prod, 'pp-run-1', {}).describe).toMatch(/^AWS accounts nz \d{12} \(ap-southeast-6, role arn:aws:iam::\d{12}:role\/[^)]+\), syd \d{12} \(ap-southeast-2/);
  });
});

describe('LocalStack as it is today', () => {
  test('a pinned community image by default; the auth token passes through only when set; the image can be overridden', async () => {
    const { LOCALSTACK_IMAGE, localstackContainerSpec } = await import('../../infra/twin/emulator.ts');
    expect(LOCALSTACK_IMAGE).toMatch(/^localstack\/localstack:\d+\.\d+\.\d+$/);
    expect(localstackContainerSpec({})).toEqual({ image: LOCALSTACK_IMAGE, environment: {} });
    expect(localstackContainerSpec({ LOCALSTACK_AUTH_TOKEN: 'ls-secret' }).environment).toEqual({ LOCALSTACK_AUTH_TOKEN: 'ls-secret' });
    expect(localstackContainerSpec({ PATHPROOF_LOCALSTACK_IMAGE: 'localstack/localstack:2026.11.0', LOCALSTACK_AUTH_TOKEN: 't' }).image).toBe('localstack/localstack:2026.11.0');
  });
});
