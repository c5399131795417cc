#!/usr/bin/env node
// The SDK's Node 20 end-of-support notice is for maintainers (see README), not for every run.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
/**
 * pathproof command line. `npm test -- --env=NAME` lands in `run`.
 * Exit codes: 0 compliant, 1 at least one FAIL, 2 harness/probe broke or bad configuration, 130 interrupted.
 */
import { parseArgs } from 'node:util';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../shared/issues.ts';
import { describeError, PathproofError } from '../model/errors.ts';
import { exitAfterFlush } from './exit.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const USAGE = `pathproof — proves that AI traffic takes only the private path

Usage:
  npm test [-- OPTIONS]               run the conformance suites (env local by default)
  npm run pathproof -- COMMAND ...

Commands:
  run        run the suites (default)
  lab up     start the local twin and keep it running (prints its endpoint and credentials)
  lab reload rebuild the running twin from the emulator's current state (after a change made with
             the AWS CLI or Terraform against the lab's endpoint), then run the checks again
  lab down   stop a twin started with 'lab up'
  lab reap [RUN_ID …]
             remove what killed runs left (namespaces, processes); with run ids, only theirs
  restore    put back what a crashed disruptive run changed (from .pathproof/journal; --env NAME)
  preflight  check credentials, probe hosts Online in SSM and the Bedrock endpoints (--env NAME)
  baseline   record the network configuration; each run then lists what changed since (--env NAME)
  export securityhub --report DIR [--env NAME]
             import the run's securityhub.asff.json into AWS Security Hub (BatchImportFindings,
             batches of 100, retried; failed findings named by id)
  audit [--flow-logs FILE …] [--query-logs FILE …] [--since 24h] [--out DIR] [--env NAME]
             judge VPC flow-log records (files: version 2 or a format declared by its header
             line, .gz fine; no AWS access needed) against the catalog, and Resolver query logs
             (JSON lines) for DNS tunnelling; without files, the environment's CloudWatch log
             groups (or the running lab's logs); same report set as a run, category monitoring;
             exit 1 on violations
  init --from-terraform DIR [--name NAME] [--out FILE] [--force]
             write an environment file (fixtures/environments/NAME.yaml; NAME defaults to DIR's
             name) from the root module's \`terraform output -json\` (its output "pathproof", as in
             infra/terraform/examples): ids only, addresses discovered at run time from tags;
             validated with every suite before it is written
  verify DIR check an evidence bundle: every file's SHA-256 and the signature, against a key you trust:
             --key PUBLIC.pem, --fingerprint sha256:…, or --kms-key KEY_ID [--env NAME] (asks KMS).
             Without one it can only say the bundle is consistent, not who signed it (exit 1).

Options of run:
  --env NAME            environment file fixtures/environments/NAME.yaml (default: local)
  --dry-run             print the plan and the exact commands; send nothing, need no credentials
  --suite NAME          only this suite (repeatable)
  --policy NET-XXX      only checks citing this policy (repeatable)
  -t, --filter PATTERN  only checks whose test name matches (regular expression)
  --out DIR             where reports go (default: reports/)
  --allow-disruptive    also run disruptive failover checks: the private path is taken away (journaled,
                        restored in finally, restore verified; after a crash: restore)
  --fail-on SEVERITIES  only FAILs at these severities exit 1 (default: critical,high,medium,low)
  --signing-key KEY     Ed25519 private key for the evidence manifest: a PEM file's path or the PEM text
                        (or PATHPROOF_SIGNING_KEY); checked before anything runs, never printed
  --reporter github     also print GitHub Actions annotations (::error file=suites/…,line=N,…) for
                        every FAIL, ERROR and INCONCLUSIVE, so they show on the suite line in a PR
  --signing-kms-key ID  sign with this AWS KMS key instead (ECC_NIST_P256, SIGN_VERIFY; or
                        PATHPROOF_SIGNING_KMS_KEY); default: a key generated for the run, which proves
                        only that nothing changed after signing
`;

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  const command = first && !first.startsWith('-') ? first : 'run';
  const args = command === first ? rest : argv;
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  switch (command) {
    case 'run': {
      const { values } = parseArgs({
        args, allowPositionals: false, strict: true,
        options: {
          env: { type: 'string', default: 'local' },
          'dry-run': { type: 'boolean', default: false },
          suite: { type: 'string', multiple: true },
          policy: { type: 'string', multiple: true },
          filter: { type: 'string', short: 't' },
          out: { type: 'string', default: 'reports' },
          'allow-disruptive': { type: 'boolean', default: false },
          'fail-on': { type: 'string', default: 'critical,high,medium,low' },
          'signing-key': { type: 'string' },
          'signing-kms-key': { type: 'string' },
          reporter: { type: 'string', multiple: true },
        },
      });
      const signingKey = values['signing-key'] ?? process.env.PATHPROOF_SIGNING_KEY;
      const signingKms = values['signing-kms-key'] ?? process.env.PATHPROOF_SIGNING_KMS_KEY;
      if (signingKey && signingKms) throw new PathproofError('USAGE', 'give either a signing key or a KMS signing key, not both');
      const extra = values.reporter ?? [];
      const unknownReporter = extra.filter((r) => r !== 'github');
      if (unknownReporter.length) throw new PathproofError('USAGE', `--reporter takes github; got ${unknownReporter.join(', ')}`);
      const failOn = values['fail-on'].split(',').map((s) => s.trim()).filter(Boolean);
      const bad = failOn.filter((s) => !['critical', 'high', 'medium', 'low'].includes(s));
      if (bad.length) throw new PathproofError('USAGE', `--fail-on takes severities critical,high,medium,low; got ${bad.join(', ')}`);
      const { runCommand } = await import('./run.ts');
      return runCommand({
        root: ROOT, env: values.env, dryRun: values['dry-run'], suites: values.suite ?? [], policies: values.policy ?? [],
        ...(values.filter ? { filter: values.filter } : {}), out: path.resolve(values.out), allowDisruptive: values["allow-disruptive"],
        failOn: failOn as ('critical' | 'high' | 'medium' | 'low')[],
        ...(signingKey ? { signing: { key: signingKey, origin: values['signing-key'] ? '--signing-key' : 'PATHPROOF_SIGNING_KEY' } } : {}),
        ...(signingKms ? { signing: { kmsKeyId: signingKms } } : {}),
        reporters: extra as 'github'[],
      });
    }
    case 'restore': {
      const { values } = parseArgs({ args, options: { env: { type: 'string', default: 'local' } } });
      const { restoreCommand } = await import('./commands.ts');
      return restoreCommand(ROOT, values.env);
    }
    case 'preflight': {
      const { values } = parseArgs({ args, options: { env: { type: 'string', default: 'local' } } });
      const { preflightCommand } = await import('./commands.ts');
      return preflightCommand(ROOT, values.env);
    }
    case 'baseline': {
      const { values } = parseArgs({ args, options: { env: { type: 'string', default: 'local' } } });
      const { baselineCommand } = await import('./commands.ts');
      return baselineCommand(ROOT, values.env);
    }
    case 'verify': {
      const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { key: { type: 'string' }, fingerprint: { type: 'string' }, 'kms-key': { type: 'string' }, env: { type: 'string', default: 'local' } } });
      if (positionals.length !== 1) throw new PathproofError('USAGE', 'usage: npm run pathproof -- verify REPORT_DIR [--key TRUSTED_PUBLIC_KEY.pem | --fingerprint sha256:… | --kms-key KEY_ID --env NAME]');
      const { verifyCommand } = await import('./verify.ts');
      return verifyCommand(ROOT, positionals[0]!, { ...(values.key ? { key: values.key } : {}), ...(values.fingerprint ? { fingerprint: values.fingerprint } : {}), ...(values['kms-key'] ? { kmsKey: values['kms-key'] } : {}), env: values.env });
    }
    case 'export': {
      const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { report: { type: 'string' }, env: { type: 'string', default: 'local' } } });
      if (positionals.length !== 1 || !values.report) throw new PathproofError('USAGE', 'usage: npm run pathproof -- export securityhub --report REPORT_DIR [--env NAME]');
      const { exportCommand } = await import('./export.ts');
      return exportCommand(ROOT, positionals[0]!, values.report, values.env);
    }
    case 'audit': {
      const { values } = parseArgs({ args, options: { env: { type: 'string', default: 'local' }, 'flow-logs': { type: 'string', multiple: true }, 'query-logs': { type: 'string', multiple: true }, since: { type: 'string' }, out: { type: 'string', default: 'reports' } } });
      const { auditCommand } = await import('./audit.ts');
      return auditCommand(ROOT, { env: values.env, files: (values['flow-logs'] ?? []).map((f) => path.resolve(f)), queryLogFiles: (values['query-logs'] ?? []).map((f) => path.resolve(f)), ...(values.since ? { since: values.since } : {}), out: path.resolve(values.out) });
    }
    case 'init': {
      const { values } = parseArgs({ args, options: { 'from-terraform': { type: 'string' }, name: { type: 'string' }, out: { type: 'string' }, force: { type: 'boolean', default: false } } });
      if (!values['from-terraform']) throw new PathproofError('USAGE', 'usage: npm run pathproof -- init --from-terraform DIR [--name NAME] [--out FILE] [--force]');
      const { initCommand } = await import('./init.ts');
      return initCommand(ROOT, { fromTerraform: values['from-terraform'], ...(values.name ? { name: values.name } : {}), ...(values.out ? { out: path.resolve(values.out) } : {}), force: values.force });
    }
    case 'lab': {
      const { labCommand } = await import('../../infra/twin/lab-cli.ts');
      return labCommand(ROOT, args);
    }
    default:
      throw new PathproofError('USAGE', `unknown command "${command}"\n\n${USAGE}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => exitAfterFlush(code),
  (e: unknown) => {
    if (e instanceof ConfigError) process.stderr.write(`${e.message}\n`);
    else if (e instanceof Error && (e as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') process.stderr.write(`${e.message}\n\n${USAGE}`);
    else process.stderr.write(`pathproof: ${describeError(e)}\n`);
    exitAfterFlush(2);
  },
);
