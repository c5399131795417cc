import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify as verifySig, type KeyObject } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { reporters, type ReporterName } from '../../reporters/index.ts';
import type { Report } from '../model/report.ts';
import type { RunResult } from '../run/execute.ts';

export const MANIFEST = 'manifest.json';
export const SIGNATURE = 'manifest.sig';
export const PUBLIC_KEY = 'public-key.pem';

export interface BundleOutcome {
  readonly dir: string;
  readonly files: readonly string[];
  /** Reporters that threw: the others still ran, and the run must exit 2. */
  readonly reporterErrors: readonly { readonly reporter: string; readonly error: string }[];
}

/**
 * Writes the evidence bundle: run metadata and the exact plan, one file per check × target with
 * the raw probe output and SSM ids, every reporter's output, then a manifest with the SHA-256 of
 * every file, signed with Ed25519 (key from a file, or generated for this run; the public key is
 * included). The only place that writes report files.
 */
export function writeBundle(dir: string, report: Report, result: RunResult, opts: { root?: string; signingKey?: string; only?: readonly ReporterName[]; renderers?: Partial<typeof reporters>; /** More files to include and sign, by relative path. */ extra?: Record<string, string> } = {}): BundleOutcome {
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
    partial: report.partial, notRun: report.notRun, suitesCommit: report.suitesCommit ?? null, accounts: report.accounts,
    regions: [...new Set(report.accounts.map((a) => a.region))],
    plan: { batches: result.plan.batches.map((b) => ({ id: b.id, zone: b.zone, account: b.account, region: b.region, targets: b.targets.map((t) => t.instanceId), probes: b.probes, executionTimeoutSeconds: b.executionTimeoutSeconds, script: b.script })), commands: result.plan.commands, untargeted: result.plan.untargeted },
  }, null, 2)}\n`);
  put('result.json', `${JSON.stringify(result, null, 2)}\n`);
  for (const [rel, content] of Object.entries(opts.extra ?? {})) put(rel, content);
  // The invocation that produced each verdict: same host, same command (a zone may have several batches and rounds).
  const invocations = new Map(result.observations.flatMap((o) => (o.invocation ? [[`${o.target.instanceId}|${o.invocation.commandId}`, o] as const] : [])));
  for (const v of report.verdicts) {
    const obs = invocations.get(`${v.target.instanceId}|${v.evidence.commandId}`);
    put(path.join('checks', v.checkId, `${v.target.instanceId.replace(/[^A-Za-z0-9_.-]/g, '_')}.json`), `${JSON.stringify({
      verdict: v,
      ssm: obs?.invocation ? { commandId: obs.invocation.commandId, status: obs.invocation.status, statusDetails: obs.invocation.statusDetails, responseCode: obs.invocation.responseCode, requestedAt: obs.invocation.requestedAt, finishedAt: obs.invocation.finishedAt, durationMs: obs.invocation.durationMs } : null,
      rawProbeOutput: v.evidence.probe?.raw ?? null, rawControlOutput: v.evidence.control?.raw ?? null,
    }, null, 2)}\n`);
  }
  for (const o of result.observations) {
    if (o.invocation) put(path.join('raw', `${o.batch}-${o.target.instanceId}.stdout`), o.invocation.stdout);
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

  const key = loadOrGenerateKey(opts.signingKey);
  put(PUBLIC_KEY, createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString());
  const manifest = { algorithm: 'sha256', signature: 'ed25519', runId: report.runId, keySource: opts.signingKey ? 'file' : 'generated-for-this-run', files: [...files.keys()].sort().map((f) => ({ path: f, ...files.get(f)! })) };
  const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
  writeFileSync(path.join(dir, MANIFEST), manifestText);
  writeFileSync(path.join(dir, SIGNATURE), `${sign(null, Buffer.from(manifestText), key).toString('base64')}\n`);
  return { dir, files: [...files.keys(), MANIFEST, SIGNATURE], reporterErrors };
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function loadOrGenerateKey(file?: string): KeyObject {
  if (file) return createPrivateKey(readFileSync(file));
  return generateKeyPairSync('ed25519').privateKey;
}

export interface VerifyResult { readonly ok: boolean; readonly problems: readonly string[] }

/**
 * Checks a bundle: the signature over the manifest (with the included public key, or a trusted
 * one given by the auditor), and every file's SHA-256; extra and missing files are problems too.
 */
export function verifyBundle(dir: string, trustedPublicKey?: string): VerifyResult {
  const problems: string[] = [];
  let manifestText: string;
  try {
    manifestText = readFileSync(path.join(dir, MANIFEST), 'utf8');
  } catch {
    return { ok: false, problems: [`${MANIFEST} is missing`] };
  }
  const pub = createPublicKey(readFileSync(trustedPublicKey ?? path.join(dir, PUBLIC_KEY)));
  const sig = Buffer.from(readFileSync(path.join(dir, SIGNATURE), 'utf8').trim(), 'base64');
  if (!verifySig(null, Buffer.from(manifestText), pub, sig)) problems.push(`${MANIFEST}: the Ed25519 signature does not match${trustedPublicKey ? ' the trusted key' : ''}`);
  const manifest = JSON.parse(manifestText) as { files: { path: string; sha256: string }[] };
  const listed = new Set(manifest.files.map((f) => f.path));
  for (const f of manifest.files) {
    try {
      if (sha256(path.join(dir, f.path)) !== f.sha256) problems.push(`${f.path}: changed (SHA-256 differs)`);
    } catch {
      problems.push(`${f.path}: missing`);
    }
  }
  for (const f of walk(dir)) if (!listed.has(f) && f !== MANIFEST && f !== SIGNATURE) problems.push(`${f}: not in the manifest`);
  return { ok: problems.length === 0, problems };
}

function walk(dir: string, base = ''): string[] {
  return readdirSync(path.join(dir, base), { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(dir, path.join(base, d.name)) : [path.join(base, d.name)]));
}
