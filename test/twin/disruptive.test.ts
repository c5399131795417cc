/**
 * Disruptive failover: with the private DNS record or the peering route taken away, a Bedrock call
 * must fail loudly. Each change is journaled, restored and verified; a fault that cannot be applied
 * makes the check ERROR, never PASS.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { DeleteRouteCommand, DescribeRouteTablesCommand } from '@aws-sdk/client-ec2';
import { afterAll, describe, expect, test } from 'vitest';
import { FaultApi, SCENARIOS } from '../../infra/twin/faults.ts';
import { startLab, type StartedLab } from '../../infra/twin/lab.ts';
import { awsDisruption, restoreEntry } from '../../src/aws/disrupt.ts';
import { journalDir, pendingEntries } from '../../src/shared/journal.ts';
import { loadConfig } from '../../src/load/config.ts';
import { AwsClients } from '../../src/aws/aws-clients.ts';
import { runOnLab } from '../../scripts/twin-run.ts';
import { newTestRunId, ownLeftovers } from '../helpers/lab.ts';

const runIds: string[] = [];
const own = (what: string) => { const id = newTestRunId(what); runIds.push(id); return id; };
import { ROOT } from '../helpers/paths.ts';
import { isProbeCheck } from '../../src/model/check.ts';

const DISRUPTIVE = ['failover-endpoint-dns-removed', 'failover-endpoint-route-removed'];
const pick = (id: string) => DISRUPTIVE.includes(id) || ['cfg-phz-per-hostname', 'cfg-peering-routes-scoped', 'cfg-catalog-inference', 'dns-bedrock-runtime-private', 'net002-bedrock-runtime-invoke'].includes(id);
const journalEmpty = () => pendingEntries(ROOT, 'local').length === 0;

describe('disruptive failover', () => {
  // One lab serves every test that leaves it as it found it (each disruption is restored and
  // verified); a lab start costs more than the tests themselves.
  let shared: StartedLab | undefined;
  const sharedLab = async () => (shared ??= await startLab({ root: ROOT, runId: own('dis'), log: () => {} }));
  afterAll(async () => { await shared?.[Symbol.asyncDispose](); });

  test('without --allow-disruptive the check is not run, and listed as such', async () => {
    const lab = await sharedLab();
    const r = await runOnLab(ROOT, lab, 'pp-test-dis-aaaa', { checks: pick });
    expect(r.skipped).toEqual(DISRUPTIVE);
    expect(r.verdicts.map((v) => v.checkId)).not.toContain('failover-endpoint-dns-removed');
    expect(r.verdicts.map((v) => v.checkId)).not.toContain('failover-endpoint-route-removed');
  });

  test('the call fails loudly while the record, then the route, is gone; both are restored and verified', async () => {
    const lab = await sharedLab();
    const r = await runOnLab(ROOT, lab, 'pp-test-dis-bbbb', { checks: pick, disruptive: true });
    const v = (id: string) => r.verdicts.find((x) => x.checkId === id)!;
    expect(v('failover-endpoint-dns-removed')).toMatchObject({ status: 'PASS' });
    expect(v('failover-endpoint-dns-removed').sentence).toMatch(/was blocked \(nxdomain/);
    // The name still resolves to the endpoint; with no route the packets are dropped (a time-out).
    expect(v('failover-endpoint-route-removed')).toMatchObject({ status: 'PASS' });
    expect(v('failover-endpoint-route-removed').sentence).toMatch(/was blocked \(timeout/);
    // Judged after the restores: the zone's alias and the peering route are back, exactly as in the
    // baseline, and the same call works again (it ran before the disruptions, on the same twin).
    expect(v('cfg-phz-per-hostname').status).toBe('PASS');
    expect(v('cfg-peering-routes-scoped').status).toBe('PASS');
    expect(v('cfg-catalog-inference').status).toBe('PASS');
    expect(r.drift).toEqual({ baseline: true, changes: [] });
    expect(v('net002-bedrock-runtime-invoke').status).toBe('PASS');
    expect(journalEmpty()).toBe(true);
    // Each disruptive probe ran in a round of its own, and the evidence records that round's command.
    expect(r.plan.batches.map((b) => b.id)).toEqual(expect.arrayContaining(['inference.failover-endpoint-dns-removed', 'inference.failover-endpoint-route-removed']));
    const commands = new Set(DISRUPTIVE.map((id) => v(id).evidence.commandId));
    expect(commands.size).toBe(2);
    expect(commands.has(v('net002-bedrock-runtime-invoke').evidence.commandId)).toBe(false);
    const after = await runOnLab(ROOT, lab, 'pp-test-dis-bbbc', { checks: (id) => id === 'net002-bedrock-runtime-invoke' });
    expect(after.verdicts.map((x) => x.status)).toEqual(['PASS']);
  });

  // Note: a private hosted zone without its record still answers authoritatively (NXDOMAIN), so
  // removing the record can only show a loud failure; a silent public fallback needs the zone gone,
  // which the phz-deleted mutant and the dns-leak checks catch.
  test('when a disruption cannot be applied (the peering route or the zone already gone) the check is ERROR (nothing to take away), never PASS', async () => {
    await using lab = await startLab({ root: ROOT, runId: own('dis'), log: () => {}, beforeBuild: async (aws) => {
      const api = new FaultApi(aws);
      try {
        await api.nz.send(new DeleteRouteCommand({ RouteTableId: await api.routeTable(api.nz, 'pathproof-nz-inference'), DestinationCidrBlock: '10.1.1.0/24' }));
        await SCENARIOS.find((s) => s.id === 'phz-deleted')!.apply(api);
      } finally { api.destroy(); }
    } });
    const r = await runOnLab(ROOT, lab, 'pp-test-dis-dddd', { checks: (id) => DISRUPTIVE.includes(id), disruptive: true });
    const v = (id: string) => r.verdicts.find((x) => x.checkId === id)!;
    expect(v('failover-endpoint-route-removed').status, v('failover-endpoint-route-removed').sentence).toBe('ERROR');
    expect(v('failover-endpoint-route-removed').sentence).toMatch(/could not disrupt: .*no route from zone inference \(10.0.2.0\/24\)/);
    expect(v('failover-endpoint-dns-removed').status, v('failover-endpoint-dns-removed').sentence).toBe('ERROR');
    expect(v('failover-endpoint-dns-removed').sentence).toMatch(/could not disrupt: .*no private hosted zone bedrock-runtime/);
    expect(journalEmpty()).toBe(true);
  });

  test('after a crash between change and restore, the journal puts both changes back (what `restore` runs)', async () => {
    const lab = await sharedLab();
    const config = loadConfig({ root: ROOT, env: 'local', marker: 'pp-test-dis-eeee', inventory: lab.model });
    const clients = new AwsClients(config.env, lab.runId, lab.endpoint, lab.credentials);
    try {
      // The "crash": each change is made and journaled, and nothing restores it.
      const port = awsDisruption(clients, config, ROOT, async () => {});
      for (const id of DISRUPTIVE) await port.disrupt(config.checks.filter(isProbeCheck).find((c) => c.id === id)!, 'pp-test-dis-eeee');
      const inferenceRoutes = async () => {
        const t = await clients.ec2('nz', 'ap-southeast-6').send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'tag:Name', Values: ['pathproof-nz-inference'] }] }));
        return (t.RouteTables?.[0]?.Routes ?? []).map((r) => r.DestinationCidrBlock);
      };
      expect(await inferenceRoutes()).not.toContain('10.1.1.0/24');
      const pending = pendingEntries(ROOT, 'local');
      expect(pending.map((p) => p.entry.fault).sort()).toEqual(['remove-peering-route', 'remove-phz-record']);
      for (const { entry, file } of pending) await restoreEntry(clients, entry, file);
      expect(journalEmpty()).toBe(true);
      expect(await inferenceRoutes()).toContain('10.1.1.0/24');
      // Restoring is verified against the API; a second restore of the same entry is harmless.
      await restoreEntry(clients, pending[0]!.entry, pending[0]!.file);
      await lab.rebuild();
      const r = await runOnLab(ROOT, lab, 'pp-test-dis-eeef', { checks: (id) => ['net002-bedrock-runtime-invoke', 'cfg-catalog-inference'].includes(id) });
      expect(r.verdicts.map((v) => `${v.checkId} ${v.status}`).sort()).toEqual(['cfg-catalog-inference PASS', 'net002-bedrock-runtime-invoke PASS']);
      expect(r.drift).toEqual({ baseline: true, changes: [] });
    } finally {
      clients.destroy();
    }
  });

  test('nothing is left behind', async () => {
    await shared?.[Symbol.asyncDispose]();
    shared = undefined;
    expect(await ownLeftovers(runIds)).toEqual({ namespaces: [], processes: [] });
    expect(path.isAbsolute(journalDir(ROOT))).toBe(true);
  });
});
