import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { reporters, type ReporterName } from '../../reporters/index.ts';
import { evidenceFile, invocationFile, type Report } from '../model/report.ts';

import { ephemeralSigner, fingerprint, signedStatement, verifySignature } from './signing.ts';
import { type RunResult, type Verdict } from '../model/result.ts';
import { type SignatureAlgorithm, type SignatureAuthority, type Signer } from '../model/signing.ts';

export const MANIFEST = 'manifest.json';
export const SIGNATURE = 'manifest.sig';
export const PUBLIC_KEY = 'public-key.pem';

export interface BundleOutcome {
  readonly dir: string;
  readonly files: readonly string[];
  /** Reporters that threw: the others still ran, and the run must exit 2. */
  readonly reporterErrors: readonly { readonly reporter: string; readonly error: string }[];
  /** Fingerprint of the signing key. */
  readonly fingerprint: string;
}

/**
 * Writes the evidence bundle: run metadata and the exact plan, the verdicts (result.json), one file
 * per SSM invocation with its exact output and which verdicts were judged from it (`evidenceFile`), every reporter's output, then a manifest with the SHA-256 of
 * every file, signed (Ed25519 from a key file or PEM, or generated for this run; or an AWS KMS key);
 * the public key is included. The only place that writes report files.
 */
export async function writeBundle(dir: string, report: Report, result: RunResult, opts: { root?: string; /** Default: a key generated for this run. */ signer?: Signer; only?: readonly ReporterName[]; renderers?: Partial<typeof reporters>; /** More files to include and sign, by relative path. */ extra?: Record<string, string> } = {}): Promise<BundleOutcome> {
  mkdirSync(dir, { recursive: true });
  // Each file is hashed from the bytes written, once; a fleet run writes tens of thousands of them.
  const files = new Map<string, { sha256: string; bytes: number }>();
  const dirs = new Set<string>();
  const put = (rel: string, content: string) => {
    const file = path.join(dir, rel);
    const parent = path.dirname(file);
    if (!dirs.has(parent)) { mkdirSync(parent, { recursive: true }); dirs.add(parent); }
    const bytes = Buffer.from(content);
    writeFileSync(file, bytes);
    files.set(rel, { sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length });
  };
  put('run.json', `${JSON.stringify({
    tool: report.tool, runId: report.runId, env: report.env, startedAt: report.startedAt, finishedAt: report.finishedAt,
    partial: report.partial, notRun: report.notRun, couldNotLook: report.couldNotLook, suitesCommit: report.suitesCommit ?? null, accounts: report.accounts,
    regions: [...new Set(report.accounts.map((a) => a.region))],
    ...(report.discovered ? { discovered: report.discovered } : {}),
    plan: { batches: result.plan.batches.map((b) => ({ id: b.id, zone: b.zone, account: b.account, region: b.region, targets: b.targets.map((t) => t.instanceId), probes: b.probes, executionTimeoutSeconds: b.executionTimeoutSeconds, script: b.script })), commands: result.plan.commands, untargeted: result.plan.untargeted },
  }, null, 2)}\n`);
  // Each invocation's exact output is held once, in its evidence file: result.json's observations
  // name that file instead of repeating the output and its parse (every verdict carries what it used).
  put('result.json', `${JSON.stringify({
    ...result,
    observations: result.observations.map(({ probes: _parsed, invocation, ...o }) => (invocation
      ? { ...o, invocation: { ...invocation, stdout: undefined, stderr: undefined }, evidence: invocationFile(invocation.commandId, o.target.instanceId) }
      : o)),
  })}\n`);
  for (const [rel, content] of Object.entries(opts.extra ?? {})) put(rel, content);
  // One evidence file per invocation (command × host): the SSM record, the exact output, and every
  // verdict judged from it (the config checks' in one file). Compact JSON: tools read it, and at
  // fleet scale indentation is a third of the bytes.
  const invocations = new Map(result.observations.flatMap((o) => (o.invocation ? [[`${o.target.instanceId}|${o.invocation.commandId}`, o] as const] : [])));
  const groups = new Map<string, Verdict[]>();
  for (const v of report.verdicts) {
    const file = evidenceFile(v);
    (groups.get(file) ?? groups.set(file, []).get(file)!).push(v);
  }
  for (const [file, verdicts] of groups) {
    const first = verdicts[0]!;
    const obs = invocations.get(`${first.target.instanceId}|${first.evidence.commandId}`);
    const inv = obs?.invocation;
    put(file, `${JSON.stringify({
      ...(first.evidence.commandId && !first.evidence.assertion ? { commandId: first.evidence.commandId, instanceId: first.target.instanceId } : {}),
      ...(inv ? { batch: obs!.batch, ssm: { commandId: inv.commandId, status: inv.status, statusDetails: inv.statusDetails, responseCode: inv.responseCode, requestedAt: inv.requestedAt, finishedAt: inv.finishedAt, durationMs: inv.durationMs }, stdout: inv.stdout, stderr: inv.stderr } : {}),
      // Beside an invocation's output, each verdict judged from it by check, status and the output
      // lines it read ({"i":N,…}); the whole verdict is in result.json. Without an output (config
      // checks, a host no command reached) the verdict itself is the evidence.
      verdicts: inv ? verdicts.map((v) => ({ checkId: v.checkId, status: v.status, ...(v.evidence.probe ? { probe: v.evidence.probe.index } : {}), ...(v.evidence.control ? { control: v.evidence.control.index } : {}) })) : verdicts,
    })}\n`);
  }
  const reporterErrors: { reporter: string; error: string }[] = [];
  const table = { ...reporters, ...opts.renderers };
  for (const name of opts.only ?? (Object.keys(reporters) as ReporterName[])) {
    const entry = table[name]!;
    try {
      put(entry.file, entry.render(report, { ...(opts.root ? { root: opts.root } : {}) }));
    } catch (e) {
      reporterErrors.push({ reporter: name, error: (e as Error).stack ?? String(e) });
    }
  }
  if (reporterErrors.length) put('reporter-errors.json', `${JSON.stringify(reporterErrors, null, 2)}\n`);

  const signer = opts.signer ?? ephemeralSigner();
  put(PUBLIC_KEY, signer.publicKeyPem);
  const manifest = { algorithm: 'sha256', signature: signer.algorithm, signs: 'pathproof-manifest sha256=<SHA-256 of manifest.json>', runId: report.runId, keySource: signer.source, keyFingerprint: fingerprint(signer.publicKeyPem), files: [...files.keys()].sort().map((f) => ({ path: f, ...files.get(f)! })) };
  const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
  writeFileSync(path.join(dir, MANIFEST), manifestText);
  writeFileSync(path.join(dir, SIGNATURE), `${(await signer.sign(signedStatement(manifestText))).toString('base64')}\n`);
  return { dir, files: [...files.keys(), MANIFEST, SIGNATURE], reporterErrors, fingerprint: manifest.keyFingerprint };
}

/** Files every bundle has; a bundle without one of them does not verify. */
export const REQUIRED_FILES = ['run.json', 'result.json', 'junit.xml', 'pathproof.sarif', 'pathproof-complete.sarif', 'report.html', PUBLIC_KEY] as const;

/** What the verifier trusts: a public key (PEM text), a key fingerprint, or an authority it asks (a KMS key). */
export interface Trust {
  readonly publicKeyPem?: string;
  readonly fingerprint?: string;
  readonly authority?: SignatureAuthority;
}

export interface VerifyResult {
  /** Every file matches the manifest and the signature matches the bundle's key. */
  readonly consistent: boolean;
  /** Consistent, and the key is one the verifier trusts. Only this is "verified". */
  readonly ok: boolean;
  readonly problems: readonly string[];
  /** Fingerprint of the key that signed, when it could be read. */
  readonly signedBy?: string;
}

/**
 * Checks a bundle: every manifest entry is a plain file inside the bundle with the SHA-256 it
 * lists, nothing unlisted is there, the required files are present, and the signature matches.
 * A per-run key proves only that nothing changed after signing: the bundle is `ok` only when
 * the signing key is one the verifier trusts.
 */
export async function verifyBundle(dir: string, trust: Trust = {}): Promise<VerifyResult> {
  const problems: string[] = [];
  const read = (rel: string): Buffer | undefined => {
    try { return readFileSync(path.join(dir, rel)); } catch { problems.push(`${rel} is missing: the bundle is not signed evidence`); return undefined; }
  };
  const manifestBytes = read(MANIFEST);
  const sigText = read(SIGNATURE);
  const pubPem = read(PUBLIC_KEY);
  if (!manifestBytes) return { consistent: false, ok: false, problems };
  const manifestText = manifestBytes.toString('utf8');
  let manifest: { signature?: string; files?: { path?: unknown; sha256?: unknown }[] };
  try {
    manifest = JSON.parse(manifestText) as typeof manifest;
    if (!Array.isArray(manifest.files)) throw new Error('no files list');
  } catch (e) {
    return { consistent: false, ok: false, problems: [...problems, `${MANIFEST} is not a pathproof manifest (${(e as Error).message})`] };
  }
  const listed = new Set<string>();
  for (const f of manifest.files!) {
    const rel = typeof f.path === 'string' ? f.path : '';
    const why = unsafeEntry(dir, rel);
    if (why) { problems.push(`${JSON.stringify(f.path)}: ${why}`); continue; }
    listed.add(rel);
    try {
      if (sha256(path.join(dir, rel)) !== f.sha256) problems.push(`${rel}: changed (SHA-256 differs)`);
    } catch {
      problems.push(`${rel}: missing`);
    }
  }
  for (const f of REQUIRED_FILES) if (!listed.has(f)) problems.push(`${f}: required in every bundle, but not in the manifest`);
  for (const f of walk(dir)) if (!listed.has(f) && f !== MANIFEST && f !== SIGNATURE) problems.push(`${f}: not in the manifest`);

  let signedBy: string | undefined;
  if (sigText && pubPem) {
    const algorithm = manifest.signature === 'ecdsa-p256-sha256' ? 'ecdsa-p256-sha256' : manifest.signature === 'ed25519' ? 'ed25519' : undefined;
    let bundleKey: KeyObject | undefined;
    try { bundleKey = createPublicKey(pubPem); } catch { problems.push(`${PUBLIC_KEY} is not a public key`); }
    const sig = Buffer.from(sigText.toString('utf8').trim(), 'base64');
    const statement = signedStatement(manifestText);
    if (!algorithm) problems.push(`${MANIFEST}: unknown signature algorithm ${JSON.stringify(manifest.signature)}`);
    else if (bundleKey) {
      signedBy = fingerprint(bundleKey);
      if (!verifySignature(algorithm, statement, bundleKey, sig)) problems.push(`${MANIFEST}: the signature does not match the key in the bundle`);
      const trusted = await trustProblems(trust, algorithm, bundleKey, statement, sig);
      if (trusted.length) return { consistent: problems.length === 0, ok: false, problems: [...problems, ...trusted], signedBy };
    }
  }
  const consistent = problems.length === 0;
  if (consistent && !trust.publicKeyPem && !trust.fingerprint && !trust.authority) {
    return { consistent, ok: false, problems: [`consistent but signed by an unknown key (${signedBy}): give the key you trust with --key PUBLIC.pem, --fingerprint ${signedBy} or --kms-key KEY_ID`], ...(signedBy ? { signedBy } : {}) };
  }
  return { consistent, ok: consistent, problems, ...(signedBy ? { signedBy } : {}) };
}

async function trustProblems(trust: Trust, algorithm: SignatureAlgorithm, bundleKey: KeyObject, statement: Buffer, sig: Buffer): Promise<string[]> {
  const out: string[] = [];
  const have = fingerprint(bundleKey);
  if (trust.publicKeyPem) {
    const want = fingerprint(trust.publicKeyPem);
    if (want !== have || !verifySignature(algorithm, statement, createPublicKey(trust.publicKeyPem), sig)) out.push(`${MANIFEST}: the signature does not match the trusted key (${want}; the bundle was signed by ${have})`);
  }
  if (trust.fingerprint && trust.fingerprint.toLowerCase() !== have) out.push(`${MANIFEST}: signed by ${have}, not by the trusted fingerprint ${trust.fingerprint}`);
  if (trust.authority) {
    const { valid, publicKey } = await trust.authority.check(statement, sig);
    if (!valid || fingerprint(publicKey) !== have) out.push(`${MANIFEST}: ${trust.authority.name} did not make this signature`);
  }
  return out;
}

/** Why a manifest entry cannot be vouched for: it must be a relative path to a plain file inside the bundle. */
function unsafeEntry(dir: string, rel: string): string | undefined {
  if (!rel) return 'not a path';
  if (path.isAbsolute(rel) || rel.includes('\\') || rel.split('/').some((p) => p === '..' || p === '.' || p === '')) return 'not a relative path inside the bundle';
  const root = path.resolve(dir);
  let at = root;
  for (const part of rel.split('/')) {
    at = path.join(at, part);
    let st;
    try { st = lstatSync(at); } catch { return undefined; } // missing: reported with the hashes
    if (st.isSymbolicLink()) return 'a symbolic link: a bundle vouches only for its own files';
  }
  return undefined;
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function walk(dir: string, base = ''): string[] {
  return readdirSync(path.join(dir, base), { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(dir, path.join(base, d.name)) : [path.join(base, d.name)]));
}
