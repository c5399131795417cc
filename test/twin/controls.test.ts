/**
 * Controls must not depend on what they guard: with DNS support off in the NZ VPC, checks by
 * address keep their verdicts (their batch's control needs no DNS), the DNS checks FAIL, and only
 * checks that themselves resolve names may read INCONCLUSIVE.
 */
import { ModifyVpcAttributeCommand } from '@aws-sdk/client-ec2';
import { afterAll, describe, expect, test } from 'vitest';
import { FaultApi } from '../../infra/twin/faults.ts';
import { loadConfig } from '../../src/load/config.ts';

import { runScenario } from '../../scripts/mutation.ts';
import { ROOT } from '../helpers/paths.ts';
import { ownLeftovers } from '../helpers/lab.ts';
import { needsDns } from '../../src/model/probe.ts';
import { isProbeCheck } from '../../src/model/check.ts';

const runIds: string[] = [];
afterAll(async () => {
  expect(await ownLeftovers(runIds)).toEqual({ namespaces: [], processes: [] });
});

describe('controls by capability', () => {
  test('VPC DNS support off: IP-based deny checks stay PASS, DNS checks FAIL', async () => {
    const config = loadConfig({ root: ROOT, env: 'local', marker: 'm' });
    // The negative suite (most of its checks go by address, from every zone) and the DNS check that
    // must FAIL, with every config check: enough to see both kinds, at about half a full run's cost.
    const checks = config.checks.filter((c) => c.suite === 'negative' || c.id === 'dns-bedrock-runtime-private').map((c) => c.id);
    const o = await runScenario(ROOT, {
      id: 'vpc-dns-support-off', category: 'dns-leak', mistake: 'enableDnsSupport is off on the NZ VPC', policies: [], checks,
      async apply(api: FaultApi) { await api.nz.send(new ModifyVpcAttributeCommand({ VpcId: await api.vpc(api.nz, 'pathproof-nz'), EnableDnsSupport: { Value: false } })); },
    }, () => {}, (id) => runIds.push(id), { focus: true });
    const byId = new Map(config.checks.map((c) => [c.id, c]));
    const byAddress = o.verdicts.filter((v) => { const c = byId.get(v.checkId); return c && isProbeCheck(c) && !needsDns(config.probes.get(c.probe), c.params); });
    expect(byAddress.length).toBeGreaterThan(100);
    expect(byAddress.filter((v) => v.status === 'INCONCLUSIVE').map((v) => v.checkId)).toEqual([]);
    expect(byAddress.filter((v) => v.target.zone === 'data' && v.status === 'PASS').length).toBeGreaterThan(20);
    expect(o.failing).toEqual(expect.arrayContaining(['cfg-vpc-dns-attributes', 'dns-bedrock-runtime-private']));
  }, 300_000);
});
