/**
 * Two witnesses: the static analysis (cfg-catalog-ZONE's carried flows) and the live probes are
 * compared connection by connection; agreement is evidence and each disagreement is reported.
 */
import { describe, expect, test } from 'vitest';
import { localConfig } from '../helpers/reference.ts';
import { loadConfig } from '../../src/load/config.ts';
import type { Verdict } from '../../src/model/result.ts';
import { twoWitnesses } from '../../src/report/witnesses.ts';
import { ROOT } from '../helpers/paths.ts';

const config = localConfig({ marker: 'pp-test' });
const checks = config.checks.filter((c) => c.id === 'cfg-catalog-application' || c.id === 'gen-application-to-data-6333');
const statics = (carried: unknown[]) => ({ checkId: 'cfg-catalog-application', status: 'PASS', target: { instanceId: 'vpc-nz' }, evidence: { assertion: { name: 'catalog-conformance', examined: '1', facts: { carried } } } }) as unknown as Verdict;
const probe = (status: 'PASS' | 'FAIL') => ({ checkId: 'gen-application-to-data-6333', status, target: { instanceId: 'i-app' }, evidence: { probe: { outcome: status === 'PASS' ? 'timeout' : 'connected', data: { address: '10.0.3.20' } } } }) as unknown as Verdict;

describe('two witnesses', () => {
  test('static closed and probe blocked agree', () => {
    expect(twoWitnesses(checks, [statics([]), probe('PASS')])).toEqual([expect.objectContaining({ checkId: 'gen-application-to-data-6333', port: 6333, staticSays: 'closed', probeSays: 'blocked', agree: true })]);
  });
  test('static closed but the probe got through: a path the model does not know', () => {
    const [w] = twoWitnesses(checks, [statics([]), probe('FAIL')]);
    expect(w).toMatchObject({ staticSays: 'closed', probeSays: 'open', agree: false });
    expect(w!.note).toMatch(/a path the model does not know/);
  });
  test('static open but the probe was blocked: another layer, named as such', () => {
    const [w] = twoWitnesses(checks, [statics([{ to: 'data', protocol: 'tcp', ports: '6333-6334', dst: ['10.0.3.20'] }]), probe('PASS')]);
    expect(w).toMatchObject({ staticSays: 'open', probeSays: 'blocked', agree: false });
    // Open towards another address of the zone is not open towards this one.
    expect(twoWitnesses(checks, [statics([{ to: 'data', protocol: 'tcp', ports: '6333', dst: ['10.0.3.99'] }]), probe('PASS')])[0]).toMatchObject({ agree: true });
  });
  test('no static verdict (it could not look): no comparison is claimed', () => {
    expect(twoWitnesses(checks, [probe('PASS')])).toEqual([]);
  });
});

describe('the two witnesses in report.html', () => {
  test('each matrix cell says whether they agree (=) or disagree (≠) there, and the table lists every connection', async () => {
    const { sampleReport } = await import('../helpers/report-fixture.ts');
    const { html } = await import('../../reporters/html.ts');
    const w = { checkId: 'gen-application-to-data-6333', from: 'application', to: 'data', port: 6333, target: 'i-app', staticSays: 'closed' as const, probeSays: 'open' as const, agree: false, note: 'a path the model does not know' };
    const page = html({ ...sampleReport(), witnesses: [w, { ...w, checkId: 'x', from: 'inference', to: 'data', agree: true, probeSays: 'blocked' as const, note: 'agree' }] });
    expect(page).toMatch(/data-from="application" data-to="data"[^>]*data-witnesses="disagree"/);
    expect(page).toMatch(/data-from="inference" data-to="data"[^>]*data-witnesses="agree"/);
    expect(page).toMatch(/data-from="sandbox" data-to="data"[^>]*data-witnesses="none"/);
    expect(page).toContain('<b>a path the model does not know</b>');
  });
});
