import { appendFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';

import { MANIFEST, PUBLIC_KEY, SIGNATURE, verifyBundle, writeBundle } from '../../src/report/bundle.ts';
import { ephemeralSigner, fingerprint, signedStatement, signerFromKey } from '../../src/report/signing.ts';
import { isPathproofError } from '../../src/model/errors.ts';
import { ROOT } from '../helpers/paths.ts';
import { sampleReport, sampleResult } from '../helpers/report-fixture.ts';
import { gateExitCode } from '../../src/report/gate.ts';

const report = sampleReport();
const fresh = () => mkdtempSync(path.join(tmpdir(), 'pp-bundle-'));
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const ed25519 = () => {
  const k = generateKeyPairSync('ed25519');
  return { pem: k.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), pub: k.publicKey.export({ type: 'spki', format: 'pem' }).toString() };
};

/** What an attacker with the bundle can do: rewrite files, re-hash, re-sign with a fresh key put in the bundle. */
async function forge(dir: string, edit: (manifest: { files: { path: string; sha256: string; bytes: number }[] }) => void): Promise<void> {
  const manifest = JSON.parse(readFileSync(path.join(dir, MANIFEST), 'utf8'));
  const signer = ephemeralSigner();
  writeFileSync(path.join(dir, PUBLIC_KEY), signer.publicKeyPem);
  edit(manifest);
  for (const f of manifest.files) if (!f.path.startsWith('/') && !f.path.includes('..')) f.sha256 = sha(readFileSync(path.join(dir, f.path)));
  manifest.keyFingerprint = fingerprint(signer.publicKeyPem);
  const text = `${JSON.stringify(manifest, null, 2)}\n`;
  writeFileSync(path.join(dir, MANIFEST), text);
  writeFileSync(path.join(dir, SIGNATURE), `${(await signer.sign(signedStatement(text))).toString('base64')}\n`);
}

describe('evidence bundle', () => {
  test('every file is in the signed manifest; verified only against a trusted key', async () => {
    const dir = fresh();
    const key = ed25519();
    const out = await writeBundle(dir, report, sampleResult(), { root: ROOT, signer: signerFromKey(key.pem, 'test') });
    expect(out.reporterErrors).toEqual([]);
    const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { files: { path: string }[]; keyFingerprint: string };
    expect(manifest.files.map((f) => f.path)).toEqual(expect.arrayContaining(['run.json', 'result.json', 'junit.xml', 'pathproof.sarif', 'pathproof-complete.sarif', 'report.html', 'public-key.pem', 'evidence/cmd-0001/i-0app000000000001.json']));
    expect(manifest.keyFingerprint).toBe(fingerprint(key.pub));
    expect(await verifyBundle(dir, { publicKeyPem: key.pub })).toMatchObject({ ok: true, consistent: true, problems: [] });
    expect(await verifyBundle(dir, { fingerprint: fingerprint(key.pub) })).toMatchObject({ ok: true });
    // Without a trusted key, the most it can say is "consistent".
    const untrusted = await verifyBundle(dir);
    expect(untrusted).toMatchObject({ ok: false, consistent: true, signedBy: fingerprint(key.pub) });
    expect(untrusted.problems[0]).toMatch(/^consistent but signed by an unknown key/);
    // One file per invocation: the SSM record, its exact output, and every verdict judged from it,
    // with the output line it read; the output is held there once (result.json names the file).
    const evidence = JSON.parse(readFileSync(path.join(dir, 'evidence/cmd-0001/i-0app000000000001.json'), 'utf8')) as { commandId: string; stdout: string; verdicts: { checkId: string; status: string; probe?: number }[] };
    expect(evidence.commandId).toBe('cmd-0001');
    const v = evidence.verdicts.find((x) => x.checkId === 'net010-app-to-bedrock-runtime-endpoint')!;
    expect(v).toMatchObject({ status: 'FAIL' });
    const line = evidence.stdout.split('\n').find((l) => l.startsWith(`{"i":${v.probe},`));
    expect(line).toContain('"r":"connected"');
    const result = JSON.parse(readFileSync(path.join(dir, 'result.json'), 'utf8')) as { observations: { evidence?: string; invocation?: { stdout?: string } }[] };
    const observed = result.observations.find((o) => o.evidence === 'evidence/cmd-0001/i-0app000000000001.json')!;
    expect(observed.invocation).toBeDefined();
    expect(observed.invocation!.stdout).toBeUndefined();
    // Every verdict of the run is in exactly one evidence file.
    const all = manifest.files.filter((f) => f.path.startsWith('evidence/')).flatMap((f) => (JSON.parse(readFileSync(path.join(dir, f.path), 'utf8')) as { verdicts: unknown[] }).verdicts);
    expect(all).toHaveLength(sampleResult().verdicts.length);
  });

  test('a copy with every FAIL flipped to PASS, re-hashed and re-signed with a fresh key, is not verified', async () => {
    const dir = fresh();
    const key = ed25519();
    await writeBundle(dir, report, sampleResult(), { signer: signerFromKey(key.pem, 'test') });
    const result = path.join(dir, 'result.json');
    writeFileSync(result, readFileSync(result, 'utf8').replace(/"status": ?"FAIL"/g, '"status":"PASS"'));
    await forge(dir, () => {});
    expect((await verifyBundle(dir)).ok).toBe(false);
    const r = await verifyBundle(dir, { publicKeyPem: key.pub });
    expect(r.ok).toBe(false);
    expect(r.problems.join('\n')).toMatch(/does not match the trusted key/);
    expect((await verifyBundle(dir, { fingerprint: fingerprint(key.pub) })).problems.join('\n')).toMatch(/not by the trusted fingerprint/);
  });

  test('detects a changed, a missing and an added file, and an edited manifest', async () => {
    const dir = fresh();
    const key = ed25519();
    const trust = { publicKeyPem: key.pub };
    await writeBundle(dir, report, sampleResult(), { signer: signerFromKey(key.pem, 'test') });
    appendFileSync(path.join(dir, 'report.html'), '<!-- edited -->');
    unlinkSync(path.join(dir, 'coverage.json').replace('coverage.json', 'junit.xml'));
    writeFileSync(path.join(dir, 'extra.txt'), 'x');
    expect([...(await verifyBundle(dir, trust)).problems].sort()).toEqual(['extra.txt: not in the manifest', 'junit.xml: missing', 'report.html: changed (SHA-256 differs)']);
    const dir2 = fresh();
    await writeBundle(dir2, report, sampleResult(), { signer: signerFromKey(key.pem, 'test') });
    const m = readFileSync(path.join(dir2, 'manifest.json'), 'utf8');
    writeFileSync(path.join(dir2, 'manifest.json'), m.replace('"runId": "pp-20261124t010000-abcd"', '"runId": "pp-forged"'));
    expect((await verifyBundle(dir2, trust)).problems).toEqual(['manifest.json: the signature does not match the key in the bundle', expect.stringMatching(/does not match the trusted key/)]);
  });

  test('manifest entries must be plain files inside the bundle', async () => {
    const dir = fresh();
    await writeBundle(dir, report, sampleResult());
    await forge(dir, (m) => {
      m.files.push({ path: '../../../../../etc/hostname', sha256: sha(readFileSync('/etc/hostname')), bytes: 1 });
      m.files.push({ path: '/etc/hostname', sha256: sha(readFileSync('/etc/hostname')), bytes: 1 });
    });
    const r = await verifyBundle(dir);
    expect(r.consistent).toBe(false);
    expect(r.problems).toEqual(expect.arrayContaining(['"../../../../../etc/hostname": not a relative path inside the bundle', '"/etc/hostname": not a relative path inside the bundle']));
    // A symlink inside the bundle that points outside it.
    const dir2 = fresh();
    await writeBundle(dir2, report, sampleResult());
    symlinkSync('/etc/hostname', path.join(dir2, 'hostname'));
    await forge(dir2, (m) => { m.files.push({ path: 'hostname', sha256: sha(readFileSync('/etc/hostname')), bytes: 1 }); });
    expect((await verifyBundle(dir2)).problems).toContain('"hostname": a symbolic link: a bundle vouches only for its own files');
  });

  test('the required files must be there; a missing signature or key is NOT VERIFIED, not a crash', async () => {
    const dir = fresh();
    await writeBundle(dir, report, sampleResult());
    unlinkSync(path.join(dir, 'junit.xml'));
    await forge(dir, (m) => { m.files = m.files.filter((f) => f.path !== 'junit.xml'); });
    expect((await verifyBundle(dir)).problems).toContain('junit.xml: required in every bundle, but not in the manifest');
    for (const gone of [SIGNATURE, PUBLIC_KEY, MANIFEST]) {
      const d = fresh();
      await writeBundle(d, report, sampleResult());
      unlinkSync(path.join(d, gone));
      const r = await verifyBundle(d);
      expect(r.ok).toBe(false);
      expect(r.problems.join('\n')).toContain(`${gone} is missing`);
    }
  });

  test('one reporter failing never stops the others, and makes the run exit 2', async () => {
    const dir = fresh();
    const out = await writeBundle(dir, report, sampleResult(), { renderers: { html: { file: 'report.html', render: () => { throw new Error('boom'); } } } });
    expect(out.reporterErrors.map((e) => e.reporter)).toEqual(['html']);
    for (const f of ['pathproof.sarif', 'pathproof-complete.sarif', 'junit.xml', 'reporter-errors.json']) expect(out.files).toContain(f);
    expect((await verifyBundle(dir)).consistent).toBe(false); // report.html is required
    const passing = { ...report, verdicts: report.verdicts.filter((v) => v.status === 'PASS') };
    expect(gateExitCode(passing, ['critical'], { interrupted: false, reporterFailed: true })).toBe(2);
    expect(gateExitCode(passing, ['critical'], { interrupted: false, reporterFailed: false })).toBe(0);
  });
});

describe('signing key', () => {
  test('a path or the PEM text both sign', async () => {
    const key = ed25519();
    const dir = fresh();
    const file = path.join(dir, 'key.pem');
    writeFileSync(file, key.pem);
    for (const value of [file, key.pem]) {
      const s = signerFromKey(value, 'PATHPROOF_SIGNING_KEY');
      expect(fingerprint(s.publicKeyPem)).toBe(fingerprint(key.pub));
    }
    rmSync(dir, { recursive: true });
  });

  test('a bad key is refused at once and never echoed', () => {
    const key = ed25519();
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const broken = key.pem.slice(0, 60) + key.pem.slice(-30); // any 32 bytes are an Ed25519 key, but not a truncated DER
    for (const value of ['/no/such/key.pem', '/etc', '/dev/zero', broken, rsa, key.pub, 'MC4CAQAwBQYDK2VwBCIEIL0aG']) {
      let e: unknown;
      try { signerFromKey(value, 'PATHPROOF_SIGNING_KEY'); } catch (x) { e = x; }
      expect(isPathproofError(e, 'SIGNING_KEY_INVALID')).toBe(true);
      const msg = (e as Error).message;
      expect(msg).toContain('PATHPROOF_SIGNING_KEY');
      expect(msg).toContain('value not shown');
      for (const line of value.split('\n').filter((l) => l.length > 8)) expect(msg).not.toContain(line);
    }
  });
});

describe('AWS KMS signing (against the emulator)', () => {
  test('a KMS key signs; KMS itself verifies; a bundle re-signed with another key fails', async () => {
    const { startMoto } = await import('../../infra/twin/emulator.ts');
    const { KMSClient, CreateKeyCommand } = await import('@aws-sdk/client-kms');
    const { kmsSigner, kmsAuthority } = await import('../../src/aws/kms.ts');
    await using moto = await startMoto({ runId: 'pp-unit-kms' });
    const kms = new KMSClient({ region: 'ap-southeast-6', endpoint: moto.url, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    try {
      const { KeyMetadata } = await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
      const keyId = KeyMetadata!.Arn!;
      const signer = await kmsSigner(kms, keyId);
      expect(signer.source).toBe(`kms:${keyId}`);
      const dir = fresh();
      await writeBundle(dir, report, sampleResult(), { signer });
      expect(JSON.parse(readFileSync(path.join(dir, MANIFEST), 'utf8'))).toMatchObject({ signature: 'ecdsa-p256-sha256', keySource: `kms:${keyId}` });
      expect(await verifyBundle(dir, { authority: kmsAuthority(kms, keyId) })).toMatchObject({ ok: true, problems: [] });
      // The same bundle, forged and re-signed with a fresh key: KMS does not vouch for it.
      const result = path.join(dir, 'result.json');
      writeFileSync(result, readFileSync(result, 'utf8').replace(/"status": ?"FAIL"/g, '"status":"PASS"'));
      await forge(dir, () => {});
      const forged = await verifyBundle(dir, { authority: kmsAuthority(kms, keyId) });
      expect(forged.ok).toBe(false);
      expect(forged.problems.join('\n')).toMatch(/did not make this signature/);
      // A symmetric key cannot sign evidence: refused before anything runs.
      const sym = await kms.send(new CreateKeyCommand({}));
      await expect(kmsSigner(kms, sym.KeyMetadata!.KeyId!)).rejects.toMatchObject({ code: 'SIGNING_KEY_INVALID' });
    } finally {
      kms.destroy();
    }
  }, 60_000);
});
