import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import createDebug from 'debug';
import { applyLayout, type AppliedLayout } from './apply.ts';
import { startMoto, useExistingEndpoint, type StartedEmulator } from './emulator.ts';
import { planLayout, type TwinLayout } from './layout.ts';
import type { Inventory } from '../../src/model/inventory.ts';
import { checkPrerequisites, recordPath, recordProcess, RUNS_DIR, writeRecord, type RunRecord } from './netns.ts';
import { createPki, type LeafCert, type TwinPki } from './pki.ts';
import { endpointSource, readState } from '../../src/aws/read-state.ts';
import { seedTopology, type AwsEndpoint } from './seed.ts';
import { startGateway, type StartedGateway } from './ssm-gateway.ts';
import { newLabCredentials, type LabCredentials } from './sigv4.ts';
import { TeardownStack } from './teardown.ts';
import { flowHosts, readTwinFlowLogs } from './flow-logs.ts';
import type { FlowRecord } from '../../src/model/result.ts';
import { loadTopology } from './topology.ts';

const debug = createDebug('pathproof:lab');

/** What the emulator itself is given (it checks no signature); the gateway in front of it accepts only the lab's own credentials. */
export const TWIN_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;

export interface LabOptions {
  /** Project root (fixtures/, infra/). */
  readonly root: string;
  readonly runId: string;
  readonly log: (line: string) => void;
  /** Topology to seed (default fixtures/topologies/reference.yaml). Ignored when `seed` is false. */
  readonly topology?: string;
  /** Seed the emulator (default: true when the lab started it). */
  readonly seed?: boolean;
  /** Use this emulator instead of starting moto (a LocalStack or moto URL). Default: start moto. */
  readonly emulatorUrl?: string;
  /** Regions to read (default: the reference regions). */
  readonly regions?: readonly string[];
  /** Changes made through the emulator's API after seeding and before the twin is built (a fault scenario), so it is built once. */
  readonly beforeBuild?: (aws: AwsEndpoint) => Promise<void>;
  /** Fault with no API to make it: DNS Firewall cannot evaluate queries (FirewallFailOpen decides). */
  readonly dnsFirewallUnavailable?: boolean;
}

/** A running twin: the emulator, the namespaces built from its state, and the SSM gateway in front. */
export interface StartedLab extends AsyncDisposable {
  readonly runId: string;
  /** The one endpoint for SDK, CLI and Terraform: SSM handled here, everything else passed to the emulator. */
  readonly endpoint: string;
  /** The only credentials the endpoint accepts (SigV4), made for this lab. */
  readonly credentials: LabCredentials;
  readonly emulator: StartedEmulator;
  readonly gateway: StartedGateway;
  readonly aws: AwsEndpoint;
  readonly runDir: string;
  model: Inventory;
  layout: TwinLayout;
  applied: AppliedLayout;
  /** Re-reads the emulator's state and rebuilds every namespace (after a fault is applied to the emulator). */
  rebuild(): Promise<void>;
  /** Flow-log records of the twins a rebuild tore down (a flow log outlives a change in AWS). */
  readonly earlierFlows: FlowRecord[];
}

/**
 * The twin's hosts have what this machine has installed; the AWS CLI and botocore often live in a
 * Python environment outside the system PATH the SSM agent uses (pyenv, a venv). Its bin directory
 * goes first on the hosts' PATH, found without starting a process: a pyenv shim is followed to the
 * version that holds the real `aws`. Nothing found: the bedrock-call probe reports tool-missing.
 */
export function awsToolsPath(env: NodeJS.ProcessEnv = process.env): { PATH?: string } {
  const system = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
  for (const dir of (env.PATH ?? '').split(':').filter(Boolean)) {
    if (!existsSync(path.join(dir, 'aws'))) continue;
    if (path.basename(dir) === 'shims') {
      const versions = path.join(path.dirname(dir), 'versions');
      const real = (existsSync(versions) ? readdirSync(versions) : []).map((v) => path.join(versions, v, 'bin')).find((b) => existsSync(path.join(b, 'aws')));
      return real ? { PATH: `${real}:${system}` } : {};
    }
    return system.split(':').includes(dir) ? {} : { PATH: `${dir}:${system}` };
  }
  return {};
}

/** The run's short tag in namespace and interface names (interface names are at most 15 characters). */
export const short = (runId: string) => runId.slice(-4).replace(/[^a-z0-9]/g, 'x');

export async function startLab(opts: LabOptions): Promise<StartedLab> {
  await checkPrerequisites();
  const t0 = Date.now();
  const stack = new TeardownStack();
  try {
    const runDir = path.join(RUNS_DIR, opts.runId);
    mkdirSync(runDir, { recursive: true, mode: 0o700 });
    const record: RunRecord = { runId: opts.runId, short: short(opts.runId), owner: recordProcess(process.pid), prefix: `pp-${short(opts.runId)}-`, processes: [], dir: runDir };
    writeRecord(record);
    stack.defer('run record', () => { rmSync(recordPath(opts.runId), { force: true }); rmSync(runDir, { recursive: true, force: true }); });
    const onPid = (pid: number) => { record.processes.push(recordProcess(pid)); writeRecord(record); };

    // The caller decides what is tested (the session reads PATHPROOF_LOCALSTACK_URL): no second guess here.
    const url = opts.emulatorUrl;
    const emulator = url ? await useExistingEndpoint(url) : await startMoto({ runId: opts.runId, onPid });
    stack.defer(`emulator ${emulator.url}`, () => emulator[Symbol.asyncDispose]());
    debug('emulator up after %d ms', Date.now() - t0);
    const phases: [string, number][] = [['emulator', Date.now() - t0]];
    let mark = Date.now();
    const lap = (name: string) => { const now = Date.now(); phases.push([name, now - mark]); mark = now; };

    const topoFile = opts.topology ?? path.join(opts.root, 'fixtures/topologies/reference.yaml');
    const topology = loadTopology(topoFile);
    const regions = opts.regions ?? [...new Set(Object.values(topology.vpcs).map((v) => v.region))];
    const { pki, bedrock } = await makePki(runDir, regions);
    // The gateway comes first: the one endpoint for SDK, CLI and Terraform, and for the twin's own
    // seeding and reading (it answers what moto lacks, such as DNS Firewall). Instances join its map
    // when the twin is built. It accepts only credentials made for this lab (it runs commands as root).
    const instances = new Map<string, { ns: string; ip: string }>();
    const credentials = newLabCredentials();
    const gateway = await startGateway({ credentials, upstream: emulator.url, instances, execEnv: { CURL_CA_BUNDLE: pki.caFile, SSL_CERT_FILE: pki.caFile, AWS_CA_BUNDLE: pki.caFile, ...awsToolsPath() }, workDir: path.join(runDir, 'ssm'), onPid, log: opts.log });
    stack.defer(`ssm gateway ${gateway.url}`, () => gateway[Symbol.asyncDispose]());
    const aws: AwsEndpoint = { endpoint: gateway.url, credentials };
    lap('gateway');
    if (opts.seed ?? !url) await seedTopology(topology, aws);
    debug('seeded after %d ms', Date.now() - t0);
    lap('seed');
    await opts.beforeBuild?.(aws);
    mark = Date.now();

    // The twin is built from what the API says, so that a fault applied to the emulator shows up.
    const build = async (): Promise<{ model: Inventory; layout: TwinLayout; applied: AppliedLayout; teardown: TeardownStack }> => {
      const source = endpointSource(aws);
      const model = await readState(source, regions, opts.log).finally(() => source.destroy());
      lap('state');
      // Internal TLS services get a certificate for their own addresses, as read from the API.
      const tlsIps = model.hosts.filter((h) => h.tags['pathproof:tls'] === 'true').map((h) => h.enis[0]!.ip);
      const internal = await pki.issue('internal', { dns: ['*.twin.internal'], ips: tlsIps });
      const layout = planLayout({ model, short: record.short, certs: { bedrock, internal }, credentialSalt: credentials.secretAccessKey, ...(opts.dnsFirewallUnavailable ? { dnsFirewallUnavailable: true } : {}) });
      lap('certificates');
      const teardown = new TeardownStack();
      try {
        const applied = await applyLayout(layout, { stack: teardown, runDir, root: opts.root, onPid, log: opts.log });
        phases.push(['namespaces', applied.phases.namespaces], ['addresses+nftables', applied.phases.network], ['services', applied.phases.services]);
        mark = Date.now();
        return { model, layout, applied, teardown };
      } catch (e) {
        await teardown.dispose();
        throw e;
      }
    };
    let built = await build();
    stack.defer('twin namespaces', () => built.teardown.dispose());
    debug('twin built after %d ms', Date.now() - t0);

    for (const [id, v] of built.layout.instances) instances.set(id, { ns: v.ns, ip: v.ip });
    opts.log(`twin: up in ${((Date.now() - t0) / 1000).toFixed(1)} s (${phases.map(([n, ms]) => `${n} ${(ms / 1000).toFixed(1)}`).join(', ')}): ${built.layout.namespaces.length} namespaces, ${built.layout.processes.length} services, gateway ${gateway.url} -> emulator ${emulator.url}`);

    const lab: StartedLab = {
      runId: opts.runId, endpoint: gateway.url, credentials, emulator, gateway, aws, runDir,
      model: built.model, layout: built.layout, applied: built.applied, earlierFlows: [],
      async rebuild() {
        lab.earlierFlows.push(...await readTwinFlowLogs(flowHosts(built.layout, built.model), '').catch(() => []));
        const errors = await built.teardown.dispose();
        if (errors.length) opts.log(`twin: rebuild teardown problems: ${errors.join('; ')}`);
        built = await build();
        lab.model = built.model;
        lab.layout = built.layout;
        lab.applied = built.applied;
        instances.clear();
        for (const [id, v] of built.layout.instances) instances.set(id, { ns: v.ns, ip: v.ip });
      },
      async [Symbol.asyncDispose]() {
        const errors = await stack.dispose();
        if (errors.length) opts.log(`twin: teardown problems:\n${errors.map((e) => `  ${e}`).join('\n')}`);
      },
    };
    return lab;
  } catch (e) {
    // A half-finished start cleans up what it made, then re-throws the original error.
    const errors = await stack.dispose();
    if (errors.length) opts.log(`twin: cleanup after failed start: ${errors.join('; ')}`);
    throw e;
  }
}

/** The twin CA and the certificate every Bedrock endpoint (private and public) presents. */
async function makePki(runDir: string, regions: readonly string[]): Promise<{ pki: TwinPki; bedrock: LeafCert }> {
  const dir = path.join(runDir, 'pki');
  mkdirSync(dir, { recursive: true });
  const pki = await createPki(dir);
  const services = ['bedrock', 'bedrock-runtime', 'bedrock-agent', 'bedrock-agent-runtime'];
  const bedrock = await pki.issue('bedrock', { dns: [...regions.flatMap((r) => services.map((s) => `${s}.${r}.amazonaws.com`)), '*.vpce.amazonaws.com'] });
  return { pki, bedrock };
}
