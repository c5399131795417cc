/**
 * infra/terraform/examples/local, proven on the emulator: terraform fmt -check and validate, then
 * apply against moto, build the twin from the state Terraform made (no seeding), run every suite,
 * and destroy. Prints the apply time. `npm run terraform:local` (root).
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { startMoto } from '../infra/twin/emulator.ts';
import { startLab } from '../infra/twin/lab.ts';
import { runOnLab } from './twin-run.ts';
import { exitAfterFlush } from '../src/cli/exit.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tfRoot = path.join(root, 'infra/terraform');
const example = path.join(tfRoot, 'examples/local');

/** The provider comes from a local mirror (the public registry is not reachable from CI). */
function pluginDir(): string {
  const candidates = [process.env.PATHPROOF_TF_PLUGIN_DIR, '/opt/tf-plugins', path.join(process.env.HOME ?? '/root', '.terraform.d/plugins'), '/usr/share/terraform/plugins'];
  const dir = candidates.find((d) => d && existsSync(path.join(d, 'registry.terraform.io/hashicorp/aws')));
  if (!dir) throw new Error('no AWS provider mirror found: set PATHPROOF_TF_PLUGIN_DIR to the folder above registry.terraform.io');
  return dir;
}

async function tf(args: string[], cwd = example, env: Record<string, string> = {}) {
  const t0 = Date.now();
  const r = await execa('terraform', args, { cwd, reject: false, env: { TF_IN_AUTOMATION: '1', TF_INPUT: '0', ...env } });
  if (r.exitCode !== 0) throw new Error(`terraform ${args[0]} failed:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  return Date.now() - t0;
}

async function main(): Promise<number> {
  await tf(['fmt', '-recursive', '-check'], tfRoot);
  for (const dir of ['examples/local', 'examples/prod']) {
    await tf(['init', '-backend=false', `-plugin-dir=${pluginDir()}`, '-input=false'], path.join(tfRoot, dir));
    await tf(['validate', '-no-color'], path.join(tfRoot, dir));
  }
  process.stdout.write('terraform: fmt -check and validate passed (examples/local, examples/prod)\n');
  await using moto = await startMoto({ runId: 'pp-terraform', managedPolicies: true });
  const state = path.join(example, 'terraform.tfstate');
  const runId = `pp-tf-${Math.random().toString(16).slice(2, 6)}`;
  // Terraform talks to the lab's gateway (one endpoint for SDK, CLI and Terraform), which corrects
  // what the emulator gets wrong; the twin is rebuilt from whatever the apply made.
  await using lab = await startLab({ root, runId, log: (l) => process.stderr.write(`${l}\n`), emulatorUrl: moto.url, seed: false });
  const vars = ['-var', `endpoint=${lab.endpoint}`, `-state=${state}`];
  // The gateway accepts only the lab's own credentials; they reach Terraform through its environment.
  const creds = { TF_VAR_access_key: lab.credentials.accessKeyId, TF_VAR_secret_key: lab.credentials.secretAccessKey };
  let applied = false;
  try {
    const applyMs = await tf(['apply', '-auto-approve', '-no-color', ...vars], example, creds);
    applied = true;
    process.stdout.write(`terraform: apply of examples/local on the emulator took ${(applyMs / 1000).toFixed(1)} s\n`);
    await lab.rebuild();
    // The environment the run uses is written from Terraform's own outputs (init --from-terraform):
    // ids only, every address discovered from the tags the modules set.
    const envFile = path.join(mkdtempSync(path.join(tmpdir(), 'pp-tf-env-')), 'tf-local.yaml');
    const init = await execa(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), 'init', '--from-terraform', example, '--name', 'tf-local', '--out', envFile], { cwd: root, reject: false, all: true });
    process.stdout.write(init.all ?? '');
    if (init.exitCode !== 0) throw new Error(`init --from-terraform exited ${init.exitCode}`);
    const result = await runOnLab(root, lab, runId, { envFile });
    const counts: Record<string, number> = {};
    for (const v of result.verdicts) counts[v.status] = (counts[v.status] ?? 0) + 1;
    const bad = result.verdicts.filter((v) => v.status !== 'PASS' && v.status !== 'WAIVED');
    process.stdout.write(`terraform: the twin built from Terraform's state: ${result.verdicts.length} verdicts: ${Object.entries(counts).map(([k, n]) => `${n} ${k}`).join(', ')}\n`);
    for (const v of bad) process.stdout.write(`  ${v.status} ${v.checkId}: ${v.sentence}\n`);
    return bad.length === 0 ? 0 : 1;
  } finally {
    if (applied || existsSync(state)) {
      const destroyMs = await tf(['destroy', '-auto-approve', '-no-color', ...vars], example, creds).catch((e: unknown) => { process.stderr.write(`${(e as Error).message}\n`); return -1; });
      process.stdout.write(`terraform: destroy took ${(destroyMs / 1000).toFixed(1)} s\n`);
    }
  }
}

main().then((code) => exitAfterFlush(code), (e: unknown) => { process.stderr.write(`terraform-local: ${(e as Error).message}\n`); exitAfterFlush(2); });
