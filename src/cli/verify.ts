import { readFileSync } from 'node:fs';
import { PathproofError } from '../model/errors.ts';
import { verifyBundle, type Trust } from '../report/bundle.ts';
import { loadConfig } from '../load/config.ts';

/**
 * `pathproof verify DIR`: exit 0 only when every file matches and the signature is by a key the
 * verifier trusts; 1 otherwise (tampered, incomplete, or signed by a key nobody vouched for).
 */
export async function verifyCommand(root: string, dir: string, opts: { key?: string; fingerprint?: string; kmsKey?: string; env: string }): Promise<number> {
  if (opts.fingerprint && !/^sha256:[0-9a-f]{64}$/i.test(opts.fingerprint)) {
    throw new PathproofError('USAGE', `--fingerprint takes sha256:<64 hex digits>, as printed by the run ("evidence signed by …"); got ${JSON.stringify(opts.fingerprint.slice(0, 80))}`);
  }
  let publicKeyPem: string | undefined;
  if (opts.key) {
    try { publicKeyPem = readFileSync(opts.key, 'utf8'); } catch (e) { throw new PathproofError('USAGE', `--key ${opts.key} cannot be read (${(e as NodeJS.ErrnoException).code})`); }
  }
  // The AWS SDK loads only for a KMS key.
  const kms = opts.kmsKey ? (await import('./signing-setup.ts')).kmsAuthorityFor(loadConfig({ root, env: opts.env, marker: 'verify' }).env, opts.kmsKey) : undefined;
  const trust: Trust = { ...(publicKeyPem ? { publicKeyPem } : {}), ...(opts.fingerprint ? { fingerprint: opts.fingerprint } : {}), ...(kms ? { authority: kms.authority } : {}) };
  try {
    const r = await verifyBundle(dir, trust);
    if (r.ok) process.stdout.write(`verified: every file matches the signed manifest, signed by ${r.signedBy} (${opts.kmsKey ? `KMS key ${opts.kmsKey}` : 'a key you trust'})\n`);
    else if (r.consistent && r.problems.length === 1 && r.problems[0]!.startsWith('consistent but')) process.stdout.write(`NOT VERIFIED: ${r.problems[0]}\n`);
    else process.stdout.write(`NOT VERIFIED:\n${r.problems.map((p) => `  ${p}`).join('\n')}\n`);
    return r.ok ? 0 : 1;
  } finally {
    kms?.dispose();
  }
}
