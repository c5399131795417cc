/**
 * Lifecycle guarantees, through `npm test` as users run it: Ctrl-C (SIGINT to the process group, as
 * a terminal sends it) during the twin build, the probes and the report writing, and SIGTERM to npm
 * alone, each end in teardown, a signed partial report and exit 130 or 143. A killed run's leftovers
 * are removed by `lab reap`; `lab up` / `lab down` keep and stop a twin. Every assertion about
 * leftovers looks only at this test's own runs: others may be running on the machine.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { describe, expect, onTestFinished, test } from 'vitest';
import { newTestRunId, ownLeftovers } from '../helpers/lab.ts';
import { ROOT } from '../helpers/paths.ts';

const cli = (args: string[]) => execa(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: ROOT, reject: false });

/** `npm test -- ARGS` in a process group of its own, as a terminal would run it. */
function npmTest(args: string[]): { proc: ResultPromise; stderr: () => string } {
  const proc = execa('npm', ['test', '--', ...args], { cwd: ROOT, reject: false, detached: true, all: true });
  let text = '';
  proc.all?.on('data', (c: Buffer) => { text += c.toString(); });
  return { proc, stderr: () => text };
}

async function waitFor(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`still waiting for ${what} after ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The status a shell reports ($?): npm re-raises its child's signal on itself, which the shell shows as 128 + N. */
const shellStatus = (r: { exitCode?: number; signal?: string }) => r.exitCode ?? (r.signal ? 128 + constants.signals[r.signal as keyof typeof constants.signals] : undefined);

/** The line a run prints once the twin is up and the probes are being sent. */
const PROBING = /pathproof: run pp-\S+, env local \(.*\), \d+ checks/;

/** The run's id, from its report folder. */
const runIdIn = (out: string) => readdirSync(out).find((d) => d.startsWith('pp-'));

async function expectPartialSignedAndClean(out: string, text: string): Promise<string> {
  const runId = runIdIn(out)!;
  expect(runId, text).toBeDefined();
  const dir = path.join(out, runId);
  const meta = JSON.parse(readFileSync(path.join(dir, 'run.json'), 'utf8')) as { partial: boolean };
  expect(meta.partial).toBe(true);
  // A per-run key proves consistency only; the fingerprint the run printed is what an auditor pins.
  expect((await cli(['verify', dir])).stdout).toMatch(/^NOT VERIFIED: consistent but signed by an unknown key/);
  const fp = /evidence signed by (sha256:[0-9a-f]{64})/.exec(text)?.[1];
  expect((await cli(['verify', dir, '--fingerprint', fp!])).stdout).toMatch(/^verified/);
  expect(await ownLeftovers([runId])).toEqual({ namespaces: [], processes: [] });
  return runId;
}

// Interrupts and kills land during the twin build or the first probes: one suite is enough to get
// there, and spares the machine (these tests run beside the others) the rest of a full run.
describe('interrupts through npm test', () => {
  test.each([
    ['the twin build', /twin: corrected:/],
    ['the probes', PROBING],
  ])('Ctrl-C during %s: exit 130, teardown, partial signed evidence', async (what, moment) => {
    const out = mkdtempSync(path.join(tmpdir(), 'pp-int-'));
    const { proc, stderr } = npmTest(['--out', out, '--suite', 'positive']);
    await waitFor(() => moment.test(stderr()), 60_000, what);
    if (moment === PROBING) await new Promise((r) => setTimeout(r, 800));
    process.kill(-proc.pid!, 'SIGINT');
    const r = await proc;
    expect(shellStatus(r), stderr()).toBe(130);
    expect(stderr()).toMatch(/interrupted \(SIGINT\); cancelling commands, tearing down and writing a partial report/);
    expect(stderr()).not.toMatch(/MaxListenersExceededWarning/);
    await expectPartialSignedAndClean(out, stderr());
  });

  test('Ctrl-C during report writing: the reports finish, signed, and the run exits 130', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'pp-int-'));
    const { proc, stderr } = npmTest(['--out', out, '--suite', 'positive']);
    await waitFor(() => stderr().includes('writing the evidence bundle'), 60_000, 'report writing');
    process.kill(-proc.pid!, 'SIGINT');
    const r = await proc;
    expect(shellStatus(r), stderr()).toBe(130);
    const runId = runIdIn(out)!;
    expect(existsSync(path.join(out, runId, 'manifest.sig'))).toBe(true);
    const fp = /evidence signed by (sha256:[0-9a-f]{64})/.exec(stderr())?.[1];
    expect(fp, stderr().slice(-3000)).toBeDefined();
    expect((await cli(['verify', path.join(out, runId), '--fingerprint', fp!])).stdout).toMatch(/^verified/);
    expect(await ownLeftovers([runId])).toEqual({ namespaces: [], processes: [] });
  });

  test('SIGTERM to npm alone: the orphaned run notices, tears down and writes a partial signed report', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'pp-term-'));
    const { proc, stderr } = npmTest(['--out', out, '--suite', 'positive']);
    await waitFor(() => PROBING.test(stderr()), 60_000, 'probes');
    await new Promise((r) => setTimeout(r, 800));
    process.kill(proc.pid!, 'SIGTERM');
    await proc;
    // npm exits at once; the run itself finishes its teardown and its report after it.
    await waitFor(() => { const id = runIdIn(out); return !!id && existsSync(path.join(out, id, 'manifest.sig')); }, 60_000, 'the partial report');
    await waitFor(async () => (await ownLeftovers([runIdIn(out)!])).namespaces.length === 0, 30_000, 'teardown');
    const run = JSON.parse(readFileSync(path.join(out, runIdIn(out)!, 'run.json'), 'utf8')) as { partial: boolean };
    expect(run.partial).toBe(true);
    await waitFor(async () => (await ownLeftovers([runIdIn(out)!])).processes.length === 0, 10_000, 'the run to exit');
  });
});

describe('lab', () => {
  test('a killed run leaves resources that lab reap removes', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'pp-kill-'));
    const { proc, stderr } = npmTest(['--out', out, '--suite', 'positive']);
    await waitFor(() => /pathproof: run (pp-\S+),/.test(stderr()), 60_000, 'the run to start');
    const runId = /pathproof: run (pp-\S+),/.exec(stderr())![1]!;
    await waitFor(async () => (await ownLeftovers([runId])).namespaces.length > 5, 60_000, 'the twin\'s namespaces');
    process.kill(-proc.pid!, 'SIGKILL');
    await proc;
    await new Promise((r) => setTimeout(r, 300));
    expect((await ownLeftovers([runId])).namespaces.length).toBeGreaterThan(0);
    // Scoped to this run: another test's or job's dead run is theirs to reap, and they may reap at any time.
    const reap = await cli(['lab', 'reap', runId]);
    expect(reap.stdout).toMatch(new RegExp(`run ${runId}`));
    expect(await ownLeftovers([runId])).toEqual({ namespaces: [], processes: [] });
  });

  test('lab up keeps a twin that npm test reuses; its files are the owner\'s alone; lab down removes it', async () => {
    const up = await cli(['lab', 'up']);
    expect(up.stdout, up.stderr).toMatch(/lab up: endpoint http:\/\/127\.0\.0\.1:\d+/);
    // Whatever happens below, the lab goes down: a lab left up would be reused by the next test.
    onTestFinished(async () => { await cli(['lab', 'down']); });
    const labFile = path.join(ROOT, '.pathproof', 'lab.json');
    expect(statSync(labFile).mode & 0o777).toBe(0o600);
    const { runId } = JSON.parse(readFileSync(labFile, 'utf8')) as { runId: string };
    expect(statSync(`/run/pathproof/${runId}.json`).mode & 0o777).toBe(0o600);
    const out = mkdtempSync(path.join(tmpdir(), 'pp-warm-'));
    const r = await cli(['run', '--out', out, '--suite', 'positive']);
    expect(r.stderr.split('\n').find((l) => l.startsWith('pathproof:'))).toMatch(new RegExp(`^pathproof: run pp-\\S+, env local: testing the running lab ${runId} \\(endpoint http`));
    expect(r.exitCode).toBe(0);

    // "What if": change the network through the lab's endpoint as a person would (its own
    // credentials), reload, and the right checks FAIL; undo, reload, and it is green again.
    const { EC2Client: Ec2, DescribeSecurityGroupsCommand, AuthorizeSecurityGroupIngressCommand, RevokeSecurityGroupIngressCommand, AuthorizeSecurityGroupEgressCommand, RevokeSecurityGroupEgressCommand } = await import('@aws-sdk/client-ec2');
    const info = JSON.parse(readFileSync(labFile, 'utf8')) as { endpoint: string; credentials: { accessKeyId: string; secretAccessKey: string } };
    const syd = new Ec2({ region: 'ap-southeast-2', endpoint: info.endpoint, credentials: info.credentials });
    const sg = (await syd.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['pathproof-syd-endpoints'] }] }))).SecurityGroups![0]!.GroupId!;
    const wide = { GroupId: sg, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '10.0.0.0/16' }] }] };
    // The application group's egress names only the proxy: the mistake needs AWS's default egress too.
    const nz = new Ec2({ region: 'ap-southeast-6', endpoint: info.endpoint, credentials: info.credentials });
    const app = (await nz.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['pathproof-nz-app'] }] }))).SecurityGroups![0]!.GroupId!;
    const open = { GroupId: app, IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] };
    const net010 = async () => cli(['run', '--out', out, '--suite', 'negative', '--policy', 'NET-010']);
    try {
      await syd.send(new AuthorizeSecurityGroupIngressCommand(wide));
      await nz.send(new AuthorizeSecurityGroupEgressCommand(open));
      const reload1 = await cli(['lab', 'reload']);
      expect(reload1.stdout, reload1.stderr).toMatch(/^lab reloaded in [\d.]+ s/);
      const mutated = await net010();
      expect(mutated.exitCode, mutated.stderr.slice(-1500)).toBe(1);
      expect(mutated.stderr).toMatch(/\d+ FAIL/);
      await syd.send(new RevokeSecurityGroupIngressCommand(wide));
      await nz.send(new RevokeSecurityGroupEgressCommand(open));
      const reload2 = await cli(['lab', 'reload']);
      expect(reload2.exitCode, `${reload2.stdout}${reload2.stderr}`).toBe(0);
      const undone = await net010();
      expect(undone.exitCode, undone.stderr.slice(-1500)).toBe(0);
    } finally {
      syd.destroy();
      nz.destroy();
    }

    // Explicit configuration wins: another emulator named by PATHPROOF_LOCALSTACK_URL is what gets
    // tested while the lab is up, and a mutation made there is seen (flow logs deleted).
    const { startMoto } = await import('../../infra/twin/emulator.ts');
    const { seedTopology } = await import('../../infra/twin/seed.ts');
    const { loadTopology } = await import('../../infra/twin/topology.ts');
    const { TWIN_CREDENTIALS } = await import('../../infra/twin/lab.ts');
    const { EC2Client, DescribeFlowLogsCommand, DeleteFlowLogsCommand } = await import('@aws-sdk/client-ec2');
    await using other = await startMoto({ runId: newTestRunId('other') });
    // Seeded straight into moto, which has no DNS Firewall API (the twin's gateway answers it): without it.
    await seedTopology({ ...loadTopology(path.join(ROOT, 'fixtures/topologies/reference.yaml')), dnsFirewall: undefined }, { endpoint: other.url, credentials: TWIN_CREDENTIALS });
    for (const region of ['ap-southeast-6', 'ap-southeast-2']) {
      const ec2 = new EC2Client({ region, endpoint: other.url, credentials: TWIN_CREDENTIALS });
      const ids = (await ec2.send(new DescribeFlowLogsCommand({}))).FlowLogs!.map((f) => f.FlowLogId!);
      if (ids.length) await ec2.send(new DeleteFlowLogsCommand({ FlowLogIds: ids }));
      ec2.destroy();
    }
    const swapped = await execa(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'run', '--out', out, '--suite', 'config'], { cwd: ROOT, reject: false, env: { PATHPROOF_LOCALSTACK_URL: other.url } });
    const first = swapped.stderr.split('\n').find((l) => l.startsWith('pathproof:'));
    expect(first).toContain(`testing the emulator at ${other.url} (from PATHPROOF_LOCALSTACK_URL)`);
    expect(first).toContain(`the running lab ${runId} is not used`);
    expect(swapped.stderr).toMatch(/FAIL|1 FAIL/);
    expect(swapped.exitCode, swapped.stderr.slice(-2000)).toBe(1);
    const down = await cli(['lab', 'down']);
    expect(down.stdout).toMatch(/lab down: run pp-.* torn down/);
    expect(existsSync(labFile)).toBe(false);
    expect(await ownLeftovers([runId])).toEqual({ namespaces: [], processes: [] });
  });
});

describe('runs coexist on one machine', () => {
  test('a lab in another clone and two npm test runs at once all succeed and leave nothing', async () => {
    // Another clone of this repository, sharing node_modules, keeps a lab up meanwhile.
    const clone = path.join(mkdtempSync(path.join(tmpdir(), 'pp-clone-')), 'p');
    await execa('git', ['clone', '-q', ROOT, clone]);
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(clone, 'node_modules'));
    const inClone = (args: string[]) => execa(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: clone, reject: false });
    const up = await inClone(['lab', 'up']);
    expect(up.stdout, up.stderr).toMatch(/lab up: endpoint/);
    const labRun = (JSON.parse(readFileSync(path.join(clone, '.pathproof', 'lab.json'), 'utf8')) as { runId: string }).runId;
    try {
      const outs = [mkdtempSync(path.join(tmpdir(), 'pp-co1-')), mkdtempSync(path.join(tmpdir(), 'pp-co2-'))];
      const runs = outs.map((out) => npmTest(['--out', out, '--suite', 'positive']));
      const results = await Promise.all(runs.map((r) => r.proc));
      results.forEach((r, i) => expect(r.exitCode, runs[i]!.stderr().slice(-2000)).toBe(0));
      const ids = outs.map((o) => runIdIn(o)!);
      // Neither run used the other clone's lab, and each left nothing of its own.
      for (const r of runs) expect(r.stderr()).toMatch(/testing a moto emulator started for this run/);
      expect(await ownLeftovers(ids)).toEqual({ namespaces: [], processes: [] });
      // The lab is still up and whole.
      const warm = await inClone(['run', '--out', outs[0]!, '--suite', 'positive']);
      expect(warm.exitCode, warm.stderr.slice(-2000)).toBe(0);
    } finally {
      await inClone(['lab', 'down']);
    }
    expect(await ownLeftovers([labRun])).toEqual({ namespaces: [], processes: [] });
  });
});
