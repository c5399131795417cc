import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import YAML from 'yaml';
import { loadConfig } from '../load/config.ts';
import { environmentFrom, TerraformPathproof } from '../load/from-terraform.ts';
import { PathproofError } from '../model/errors.ts';

/**
 * `pathproof init --from-terraform DIR [--name NAME] [--out FILE] [--force]`: writes an environment
 * file from the root module's `terraform output -json` (its output `pathproof`). The file is
 * validated with every suite before it is written; what Terraform cannot know is listed for review.
 */
export async function initCommand(root: string, opts: { fromTerraform: string; name?: string; out?: string; force: boolean }): Promise<number> {
  const dir = path.resolve(opts.fromTerraform);
  const name = opts.name ?? path.basename(dir).toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^[^a-z]+/, '').slice(0, 41);
  if (!/^[a-z][a-z0-9-]{0,40}$/.test(name)) throw new PathproofError('USAGE', `--name ${JSON.stringify(name)}: an environment name is lowercase letters, digits and dashes, starting with a letter`);
  const file = path.resolve(opts.out ?? path.join(root, 'fixtures/environments', `${name}.yaml`));
  if (existsSync(file) && !opts.force) throw new PathproofError('USAGE', `${path.relative(process.cwd(), file)} exists: give --force to replace it, or --name/--out for another file`);

  // No shell: the directory is an argument of its own.
  const tf = await execa('terraform', [`-chdir=${dir}`, 'output', '-json'], { reject: false });
  if (tf.exitCode !== 0) throw new PathproofError('USAGE', `terraform output -json in ${dir} failed (${tf.exitCode ?? tf.signal}): ${String(tf.stderr || tf.message || "").trim().split('\n').filter(Boolean).slice(-2).join(' ')}; apply the configuration there first`);
  let outputs: Record<string, { value?: unknown }>;
  try { outputs = JSON.parse(tf.stdout) as Record<string, { value?: unknown }>; } catch { throw new PathproofError('USAGE', `terraform output -json in ${dir} did not print JSON`); }
  if (!outputs.pathproof) throw new PathproofError('USAGE', `${dir} has no output "pathproof" (its outputs: ${Object.keys(outputs).join(', ') || 'none'}): add one like the output "pathproof" of infra/terraform/examples/local/main.tf`);
  const parsed = TerraformPathproof.safeParse(outputs.pathproof.value);
  if (!parsed.success) {
    throw new PathproofError('CONFIG_INVALID', `the output "pathproof" of ${dir} is not what init reads:\n${parsed.error.issues.map((i) => `  pathproof.${i.path.join('.')}: ${i.message}`).join('\n')}`);
  }
  const { env, review } = environmentFrom(parsed.data, name, path.relative(root, dir) || dir);
  const text = `# yaml-language-server: $schema=${path.relative(path.dirname(file), path.join(root, 'schemas/environment.schema.json'))}\n`
    + `# Written by pathproof init from \`terraform output -json\` in ${dir}, ${new Date().toISOString().slice(0, 10)}.\n`
    + `# No private address is written: zone ranges, service hosts and endpoint ranges are discovered at\n`
    + `# run time from the tags the modules set (pathproof:zone, pathproof:service) and the endpoints' subnets.\n`
    + `# Review before the first run: ${review.join('; ')}.\n`
    + YAML.stringify(env, { lineWidth: 0 });

  // Validated with every suite before it is written: a file that would fail a run is never left behind.
  mkdirSync(path.dirname(file), { recursive: true });
  const draft = `${file}.draft-${process.pid}`;
  writeFileSync(draft, text, { mode: 0o644 });
  try {
    loadConfig({ root, env: name, envFile: draft, marker: 'pp-init' });
    writeFileSync(file, text, { mode: 0o644 });
  } finally {
    rmSync(draft, { force: true });
  }
  process.stdout.write(`wrote ${path.relative(process.cwd(), file)} (env ${name}, ${Object.keys(parsed.data.zones).length} zones, ${Object.keys(parsed.data.services).length} services; addresses discovered at run time)\nreview: ${review.join('; ')}\nthen: npm test -- --env=${name} --dry-run\n`);
  return 0;
}
