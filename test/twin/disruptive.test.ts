/**
 * Disruptive failover: with the private DNS record taken away, a Bedrock call must fail loudly —
 * and where a public path exists, the check must say FAIL. The change is journaled and restored.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { FaultApi, SCENARIOS } from '../../infra/twin/faults.ts';
import { startLab } from '../../infra/twin/lab.ts';
import { journalDir } from '../../src/run/disrupt.ts';
import { runOnLab } from '../../scripts/twin-run.ts';
import { leftovers } from '../helpers/lab.ts';
import { ROOT } from '../helpers/paths.ts';

const pick = (id: string) => id === 'failover-endpoint-dns-removed' || id === 'cfg-phz-per-hostname' || id === 'cfg-no-drift' || id === 'dns-bedrock-runtime-private';
const journalEmpty = () => !existsSync(journalDir(ROOT)) || readdirSync(journalDir(ROOT)).length === 0;

describe('disruptive failover', () => {
  test('without --allow-disruptive the check is not run, and listed as such', async () => {
    await using lab = await startLab({ root: ROOT, runId: 'pp-test-dis-aaaa', log: () => {} });
    const r = await runOnLab(ROOT, lab, 'pp-test-dis-aaaa', { checks: pick });
    expect(r.skipped).toEqual(['failover-endpoint-dns-removed']);
    expect(r.verdicts.map((v) => v.checkId)).not.toContain('failover-endpoint-dns-removed');
  });

  test('the call fails loudly while the record is gone; the record is restored and verified', async () => {
    await using lab = await startLab({ root: ROOT, runId: 'pp-test-dis-bbbb', log: () => {} });
    const r = await runOnLab(ROOT, lab, 'pp-test-dis-bbbb', { checks: pick, disruptive: true });
    const v = (id: string) => r.verdicts.find((x) => x.checkId === id)!;
    expect(v('failover-endpoint-dns-removed')).toMatchObject({ status: 'PASS' });
    expect(v('failover-endpoint-dns-removed').sentence).toMatch(/was blocked \(nxdomain/);
    // Judged after the restore: the zone and its alias are back, exactly as in the baseline.
    expect(v('cfg-phz-per-hostname').status).toBe('PASS');
    expect(v('cfg-no-drift').status).toBe('PASS');
    expect(journalEmpty()).toBe(true);
  });

  // Note: a private hosted zone without its record still answers authoritatively (NXDOMAIN), so
  // removing the record can only show a loud failure; a silent public fallback needs the zone gone,
  // which the phz-deleted mutant and the dns-leak checks catch.
  test('when the disruption cannot be applied (the zone is already gone) the check is ERROR, never PASS', async () => {
    await using lab = await startLab({ root: ROOT, runId: 'pp-test-dis-cccc', log: () => {} });
    const api = new FaultApi(lab.aws);
    await SCENARIOS.find((s) => s.id === 'phz-deleted')!.apply(api);
    api.destroy();
    await lab.rebuild();
    const r = await runOnLab(ROOT, lab, 'pp-test-dis-cccc', { checks: (id) => id === 'failover-endpoint-dns-removed', disruptive: true });
    const v = r.verdicts.find((x) => x.checkId === 'failover-endpoint-dns-removed')!;
    expect(v.status, v.sentence).toBe('ERROR');
    expect(v.sentence).toMatch(/could not disrupt: .*no private hosted zone bedrock-runtime/);
    expect(journalEmpty()).toBe(true);
  });

  test('nothing is left behind', async () => {
    expect(await leftovers('pp-')).toEqual({ namespaces: [], processes: [] });
    expect(path.isAbsolute(journalDir(ROOT))).toBe(true);
  });
});
