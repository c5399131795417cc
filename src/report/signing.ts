import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { PathproofError } from '../model/errors.ts';
import { SignatureAlgorithm, Signer } from '../model/signing.ts';

/** The bytes a bundle's signature covers. */
export function signedStatement(manifestText: string): Buffer {
  return Buffer.from(`pathproof-manifest sha256=${createHash('sha256').update(manifestText).digest('hex')}\n`);
}

/** `sha256:<hex>` of the public key's DER (SPKI): what an auditor pins with `verify --fingerprint`. */
export function fingerprint(publicKey: KeyObject | string): string {
  const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
  return `sha256:${createHash('sha256').update(key.export({ type: 'spki', format: 'der' })).digest('hex')}`;
}

/** A key generated for this run: it proves only that nothing changed after signing, not who signed. */
export function ephemeralSigner(): Signer {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return ed25519Signer(privateKey, publicKey, 'generated-for-this-run');
}

function ed25519Signer(privateKey: KeyObject, publicKey: KeyObject, source: string): Signer {
  return {
    algorithm: 'ed25519', source,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    sign: async (message) => sign(null, message, privateKey),
  };
}

/**
 * An Ed25519 private key given as a path to a PEM file or as the PEM text itself (as CI secrets
 * usually are). Validated at once, before anything runs; neither the value nor the key's text is
 * ever repeated in an error message, since either may be the secret.
 */
export function signerFromKey(value: string, origin: string): Signer {
  const fail = (why: string): never => {
    throw new PathproofError('SIGNING_KEY_INVALID', `the signing key from ${origin} ${why} (value not shown). Give a path to an Ed25519 private key in PEM (openssl genpkey -algorithm ed25519 -out key.pem), or the PEM text itself.`);
  };
  const isPem = value.includes('-----BEGIN');
  let pem: string | Buffer;
  if (isPem) pem = value;
  else {
    if (value.length > 4096 || !existsSync(value)) return fail('is neither a readable file nor PEM text');
    if (!statSync(value).isFile()) return fail('is not a regular file');
    if (statSync(value).size > 64 * 1024) return fail('is larger than a PEM key can be');
    pem = readFileSync(value);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    return fail(isPem ? 'is PEM text but not a private key' : 'is a file but not a PEM private key');
  }
  if (key.asymmetricKeyType !== 'ed25519') return fail(`is a ${key.asymmetricKeyType ?? 'symmetric'} key, not Ed25519`);
  return ed25519Signer(key, createPublicKey(key), isPem ? 'pem' : 'key-file');
}

/** Checks a signature locally with the given public key. */
export function verifySignature(algorithm: SignatureAlgorithm, message: Buffer, publicKey: KeyObject, signature: Buffer): boolean {
  try {
    return algorithm === 'ed25519' ? verify(null, message, publicKey, signature) : verify('sha256', message, publicKey, signature);
  } catch {
    return false;
  }
}

