import { execa } from 'execa';
import { describe, expect, test } from 'vitest';

import { loadConfig } from '../../src/load/config.ts';

import { PAYLOAD_BUDGET, planRun, PROBES_PER_BATCH } from '../../src/plan/plan.ts';
import { ROOT } from '../helpers/paths.ts';
import { isAssertionCheck } from '../../src/model/check.ts';
import { needsDns } from '../../src/model/probe.ts';
import { BATCH_FRAME, MAX_WRAPPED_LINE, SSM_STDOUT_LIMIT } from '../../src/model/batch-protocol.ts';
import { type Target } from '../../src/model/plan.ts';
import { selectChecks } from '../../src/load/select.ts';
import { isProbeCheck } from '../../src/model/check.ts';

const config = loadConfig({ root: ROOT, env: 'prod', marker: 'pp-test' });
const targetsFor = (n: number) => new Map(Object.keys(config.env.zones).map((zone) => [zone,
  Array.from({ length: n }, (_, i): Target => ({ instanceId: `i-${zone.slice(0, 3)}${String(i).padStart(14, '0')}`, zone, account: 'nz', accountId: '111111111111', region: 'ap-southeast-6', vpc: 'vpc-1' }))]));

const zoneChecks = (zone: string) => config.checks.filter(isProbeCheck).filter((c) => c.from === zone);

describe('planning and batching', () => {
  test('batches per zone with the control first, sized so the worst-case output fits SSM; one SendCommand per 50 targets, never one per check', () => {
    const plan = planRun(config, config.checks, targetsFor(120), 'pp-test');
    const zones = new Set(config.checks.filter((c) => !isAssertionCheck(c)).map((c) => c.from));
    expect(new Set(plan.batches.map((b) => b.zone))).toEqual(zones);
    expect(new Set(plan.batches.map((b) => b.id)).size).toBe(plan.batches.length);
    for (const zone of zones) {
      const batches = plan.batches.filter((b) => b.zone === zone);
      // Every probe check of the zone, exactly once across its batches; config checks are never batched.
      expect(batches.flatMap((b) => b.probes.slice(1).map((p) => p.key)).sort()).toEqual(config.checks.filter((c) => c.from === zone && !isAssertionCheck(c)).map((c) => c.id).sort());
      // One group of batches per control: by name and by address when the zone has two controls.
      const controls = config.controls.get(zone)!;
      const groups = controls.byAddress === controls.byName ? [zoneChecks(zone)] : [zoneChecks(zone).filter((c) => needsDns(config.probes.get(c.probe), c.params)), zoneChecks(zone).filter((c) => !needsDns(config.probes.get(c.probe), c.params))].filter((g) => g.length);
      expect(batches.length).toBe(groups.reduce((n, g) => n + Math.ceil(g.length / (PROBES_PER_BATCH - 1)), 0));
      for (const b of batches) {
        expect(b.probes[0]!.key).toBe('control');
        // The control never depends on DNS when the checks it vouches for do not.
        const byAddress = b.probes.slice(1).every((p) => !needsDns(config.probes.get(p.probe), p.params));
        if (byAddress) expect(needsDns(config.probes.get(b.probes[0]!.probe), b.probes[0]!.params), b.id).toBe(false);
        expect(b.probes.length).toBeLessThanOrEqual(PROBES_PER_BATCH);
        expect(BATCH_FRAME + b.probes.length * MAX_WRAPPED_LINE).toBeLessThanOrEqual(SSM_STDOUT_LIMIT);
        const cmds = plan.commands.filter((c) => c.batch === b.id);
        expect(cmds.map((c) => c.instanceIds.length)).toEqual([50, 50, 20]);
        // The control may take a second try; SSM's execution time-out covers both.
        const control = b.probes[0]!;
        expect(control.retryUnless?.length, b.id).toBeGreaterThan(0);
        for (const o of control.retryUnless!) expect(config.probes.get(control.probe)!.outcomes[o]).toBe('success');
        expect(b.probes.slice(1).every((p) => p.retryUnless === undefined)).toBe(true);
        expect(b.executionTimeoutSeconds).toBeGreaterThan(Math.max(2 * control.timeoutSeconds, ...b.probes.map((p) => p.timeoutSeconds)));
      }
    }
    expect(plan.commands.length).toBe(plan.batches.length * 3);
    expect(plan.commands.length).toBeLessThan(config.checks.length);
  });

  test('a round of its own (a disruptive check) gets batch ids that cannot collide with the main round', () => {
    const check = config.checks.find((c) => c.id === 'failover-endpoint-route-removed')!;
    expect(planRun(config, [check], targetsFor(1), 'pp-test', check.id).batches.map((b) => b.id)).toEqual(['inference.failover-endpoint-route-removed.dns']);
  });

  test('every SendCommand payload stays under the budget at fleet scale; large probe bodies split a zone into more batches; one probe over it is refused', () => {
    const prod = config;
    const plan = planRun(prod, prod.checks, targetsFor(200), 'pp-test');
    const sizes = plan.batches.map((b) => Buffer.byteLength(b.script));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(PAYLOAD_BUDGET);
    expect(PAYLOAD_BUDGET).toBeLessThanOrEqual(64 * 1024 / 2);
    // Each probe's body goes into a script once: with every body 5 KB heavier, a batch that mixes
    // several probes outweighs the budget, so zones split into more batches, each under it.
    const heavy = new Map([...prod.probes].map(([id, d]) => [id, { ...d, script: `${d.script}\n# ${'x'.repeat(5 * 1024)}\n` }]));
    const tcp = prod.probes.get('tcp-connect')!;
    const heavier = { ...prod, probes: heavy };
    const split = planRun(heavier, prod.checks, targetsFor(1), 'pp-test');
    for (const b of split.batches) expect(Buffer.byteLength(b.script), b.id).toBeLessThanOrEqual(PAYLOAD_BUDGET);
    expect(split.batches.length).toBeGreaterThan(planRun(prod, prod.checks, targetsFor(1), 'pp-test').batches.length);
    heavy.set('tcp-connect', { ...tcp, script: `${tcp.script}\n# ${'x'.repeat(40 * 1024)}\n` });
    expect(() => planRun(heavier, prod.checks, targetsFor(1), 'pp-test')).toThrow(/over the 32768-byte budget for a SendCommand's parameters/);
  });

  test('a zone without targets is listed as untargeted, not dropped', () => {
    const t = targetsFor(1);
    t.set('sandbox', []);
    expect(planRun(config, config.checks, t, 'pp-test').untargeted).toEqual(['sandbox']);
  });

  test('selection by suite, policy and name pattern', () => {
    expect(new Set(selectChecks(config, { suites: ['dns-leak'], policies: [] }).map((c) => c.suite))).toEqual(new Set(['dns-leak']));
    expect(selectChecks(config, { suites: [], policies: ['NET-003'] }).map((c) => c.id).sort()).toEqual(['cfg-catalog-inference', 'net003-inference-to-vector-db-grpc', 'net003-inference-to-vector-db-http']);
    expect(selectChecks(config, { suites: [], policies: [], filter: 'sandbox-no-imds' }).map((c) => c.id)).toEqual(['sandbox-no-imds']);
  });
});

describe('the launcher', () => {
  const clean = { PATH: process.env.PATH!, HOME: '/nonexistent', AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent' };
  test('`npm test -- --env=prod --dry-run` prints the plan and exact commands without any credentials', async () => {
    const r = await execa(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'run', '--env=prod', '--dry-run'], { cwd: ROOT, env: clean, extendEnv: false, reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/dry run pp-[0-9t]+-[0-9a-f]{4}, env prod: \d+ checks, (\d+) batches, \1 SendCommand calls\. Nothing is sent\./);
    expect(r.stdout).toContain('aws ssm send-command --region ap-southeast-6 --document-name AWS-RunShellScript');
    expect(r.stdout).toContain("PP_host='bedrock-runtime.ap-southeast-2.amazonaws.com'");
    // Disruptive checks are named with the change they would make, not planned with the rest.
    expect(r.stdout).toMatch(/^disruptive, not run without --allow-disruptive: failover-endpoint-route-removed: journal and delete the routes of zone inference/m);
  });
  test('the whole dry run arrives through a slow pipe (a bare process.exit cut everything after the first 64 KB)', async () => {
    const r = await execa('sh', ['-c', `"${process.execPath}" --import tsx src/cli/main.ts run --env=prod --dry-run 2>/dev/null | (sleep 1; tail -n 1)`], { cwd: ROOT, env: clean, extendEnv: false, reject: false });
    expect(r.stdout).toMatch(/^coverage: policy × category untested: /);
  });
  test('a bad configuration exits 2 with every problem and runs nothing', async () => {
    const r = await execa(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'run', '--env=nowhere'], { cwd: ROOT, env: clean, extendEnv: false, reject: false });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/ENV_UNKNOWN: environment "nowhere"/);
  });
  test('an unknown option exits 2 and shows usage', async () => {
    const r = await execa(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'run', '--envv=prod'], { cwd: ROOT, env: clean, extendEnv: false, reject: false });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/Unknown option '--envv'/);
  });
});
