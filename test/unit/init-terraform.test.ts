/**
 * `pathproof init --from-terraform DIR`: an environment file from a root module's real
 * `terraform output -json` (a configuration of outputs only, applied by the real Terraform: no
 * provider, no network). The file holds ids and names, no private address; discovery fills them in.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/load/config.ts';
import { ROOT } from '../helpers/paths.ts';
import { referenceInventory } from '../helpers/reference.ts';

const work = mkdtempSync(path.join(tmpdir(), 'pp-init-'));
const cli = (args: string[]) => execa(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: ROOT, reject: false, all: true });

/** A root module with only outputs, applied for real: `terraform output -json` then reads its state. */
async function applied(name: string, outputs: string): Promise<string> {
  const dir = path.join(work, name);
  await execa('mkdir', ['-p', dir]);
  writeFileSync(path.join(dir, 'main.tf'), outputs);
  for (const args of [['init', '-input=false', '-no-color'], ['apply', '-auto-approve', '-input=false', '-no-color']]) {
    const r = await execa('terraform', args, { cwd: dir, reject: false, env: { TF_IN_AUTOMATION: '1' } });
    if (r.exitCode !== 0) throw new Error(`terraform ${args[0]}: ${r.stderr}`);
  }
  return dir;
}

// The shape of the examples' output "pathproof" (infra/terraform/examples/*/main.tf), with the ids
// the reference inventory uses.
const REFERENCE = `
output "pathproof" {
  value = {
    kind = "twin"
    accounts = {
      nz  = { id = "123456789012", region = "ap-southeast-6" }
      syd = { id = "123456789012", region = "ap-southeast-2" }
    }
    zones = merge(
      { for z in ["application", "inference", "data", "management", "sandbox"] : z => { account = "nz", vpc_id = "vpc-nz", imds = z != "sandbox", roles = z == "inference" ? ["pathproof-inference-probe"] : [] } },
      { sydney = { account = "syd", vpc_id = "vpc-syd", imds = true } },
    )
    bedrock = { account = "syd", region = "ap-southeast-2", vpc_id = "vpc-syd", services = ["bedrock", "bedrock-runtime", "bedrock-agent", "bedrock-agent-runtime"] }
    services = {
      model-proxy = { zone = "inference", port = 443 }, vector-db = { zone = "data", port = 6333 }, secrets = { zone = "management", port = 443 }
      app-frontend = { zone = "application", port = 443 }, sandbox-tool = { zone = "sandbox", port = 8080 }
      front-door = { zone = "application", port = 80 }, sydney-host = { zone = "sydney", port = 22 }
    }
    approved_names   = ["bedrock-runtime.ap-southeast-2.amazonaws.com", "ssm.ap-southeast-6.amazonaws.com", "logs.ap-southeast-6.amazonaws.com"]
    query_log_groups = ["/pathproof/resolver-queries/pathproof-nz-dns"]
  }
}
`;

describe('init --from-terraform', () => {
  let dir: string;
  beforeAll(async () => { dir = await applied('reference', REFERENCE); });

  test('writes an environment of ids and names that loads with every suite, its addresses discovered from tags', async () => {
    const out = path.join(work, 'tf-ref.yaml');
    const r = await cli(['init', '--from-terraform', dir, '--name', 'tf-ref', '--out', out]);
    expect(r.exitCode, r.all).toBe(0);
    expect(r.stdout).toMatch(/wrote .*tf-ref\.yaml \(env tf-ref, 6 zones, 7 services; addresses discovered at run time\)/);
    expect(r.stdout).toMatch(/review: models/);
    const text = readFileSync(out, 'utf8');
    expect(text).not.toMatch(/\b10\.\d+\.\d+\.\d+/);
    const config = loadConfig({ root: ROOT, env: 'tf-ref', envFile: out, marker: 'pp-test', inventory: referenceInventory() });
    expect(config.env.zones.inference!.cidr).toBe('10.0.2.0/24');
    expect(config.env.services['front-door']!.host).toBe('10.0.1.200');
    expect(config.env.bedrock.endpointCidrs).toEqual(['10.1.1.0/24']);
    expect(config.env.zones.inference!.roles).toEqual(['pathproof-inference-probe']);
    expect(config.env.zones.data!.roles).toBeUndefined();
    expect(config.env.dns?.approved).toEqual({ ssm: 'ssm.ap-southeast-6.amazonaws.com', logs: 'logs.ap-southeast-6.amazonaws.com' });
    expect(config.checks.length).toBeGreaterThan(250);
    // A second init does not overwrite what someone may have reviewed.
    const again = await cli(['init', '--from-terraform', dir, '--name', 'tf-ref', '--out', out]);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toMatch(/exists: give --force to replace it/);
  });

  test('a module without the output, an output of the wrong shape, or a bad name: exit 2 naming what to fix, nothing written', async () => {
    const none = await applied('none', 'output "vpc_id" { value = "vpc-1" }\n');
    const r1 = await cli(['init', '--from-terraform', none, '--out', path.join(work, 'none.yaml')]);
    expect(r1.exitCode).toBe(2);
    expect(r1.stderr).toMatch(/has no output "pathproof" \(its outputs: vpc_id\): add one like the output "pathproof" of infra\/terraform\/examples\/local\/main.tf/);
    const bad = await applied('bad', 'output "pathproof" { value = { accounts = {}, zones = { data = { account = "nz" } } } }\n');
    const r2 = await cli(['init', '--from-terraform', bad, '--out', path.join(work, 'bad.yaml')]);
    expect(r2.exitCode).toBe(2);
    expect(r2.stderr).toMatch(/pathproof\.zones\.data\.vpc_id/);
    expect(r2.stderr).toMatch(/pathproof\.bedrock/);
    const r3 = await cli(['init', '--from-terraform', dir, '--name', 'Prod; rm -rf /', '--out', path.join(work, 'x.yaml')]);
    expect(r3.exitCode).toBe(2);
    expect(r3.stderr).toMatch(/an environment name is lowercase letters, digits and dashes/);
    const r4 = await cli(['init', '--from-terraform', path.join(work, 'absent')]);
    expect(r4.exitCode).toBe(2);
    expect(r4.stderr).toMatch(/terraform output -json in .*absent failed/);
  });
});
