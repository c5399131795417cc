import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { GetPublicKeyCommand, SignCommand, VerifyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { PathproofError } from '../model/errors.ts';

/** How a manifest is signed. Ed25519 for keys held by pathproof; ECDSA P-256 for AWS KMS keys. */
export type SignatureAlgorithm = 'ed25519' | 'ecdsa-p256-sha256';

/**
 * What signs an evidence manifest. The signature covers one short statement naming the manifest's
 * SHA-256 (see `signedStatement`), because KMS signs at most 4,096 bytes of RAW message.
 */
export interface Signer {
  readonly algorithm: SignatureAlgorithm;
  /** Where the key came from: `generated-for-this-run`, `key-file`, `pem`, or `kms:<key id>`. */
  readonly source: string;
  /** SPKI PEM of the public key; it goes into the bundle as public-key.pem. */
  readonly publicKeyPem: string;
  sign(message: Buffer): Promise<Buffer>;
}

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

/**
 * An asymmetric AWS KMS key (key spec ECC_NIST_P256, usage SIGN_VERIFY): the private key never
 * leaves KMS, and the public key is read at once, so a wrong key id fails before anything runs.
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_Sign.html
 */
export async function kmsSigner(kms: KMSClient, keyId: string): Promise<Signer> {
  let der: Uint8Array | undefined;
  let spec: string | undefined;
  let usage: string | undefined;
  try {
    const out = await kms.send(new GetPublicKeyCommand({ KeyId: keyId }));
    der = out.PublicKey; spec = out.KeySpec ?? out.CustomerMasterKeySpec; usage = out.KeyUsage;
  } catch (e) {
    throw new PathproofError('SIGNING_KEY_INVALID', `KMS key ${keyId} cannot be used to sign evidence: ${(e as Error).name}: ${(e as Error).message}`, { cause: e });
  }
  if (!der || spec !== 'ECC_NIST_P256' || usage !== 'SIGN_VERIFY') {
    throw new PathproofError('SIGNING_KEY_INVALID', `KMS key ${keyId} is ${spec ?? 'unknown'}/${usage ?? 'unknown'}; evidence needs an ECC_NIST_P256 key with usage SIGN_VERIFY`);
  }
  const publicKey = createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' });
  return {
    algorithm: 'ecdsa-p256-sha256', source: `kms:${keyId}`,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    async sign(message) {
      const out = await kms.send(new SignCommand({ KeyId: keyId, Message: message, MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' }));
      if (!out.Signature) throw new PathproofError('SIGNING_KEY_INVALID', `KMS returned no signature for key ${keyId}`);
      return Buffer.from(out.Signature);
    },
  };
}

/** Checks a signature locally with the given public key. */
export function verifySignature(algorithm: SignatureAlgorithm, message: Buffer, publicKey: KeyObject, signature: Buffer): boolean {
  try {
    return algorithm === 'ed25519' ? verify(null, message, publicKey, signature) : verify('sha256', message, publicKey, signature);
  } catch {
    return false;
  }
}

/** Asks KMS itself whether the signature is the key's, and returns the key's public key. */
export async function kmsVerify(kms: KMSClient, keyId: string, message: Buffer, signature: Buffer): Promise<{ valid: boolean; publicKey: KeyObject }> {
  const pub = await kms.send(new GetPublicKeyCommand({ KeyId: keyId }));
  const publicKey = createPublicKey({ key: Buffer.from(pub.PublicKey ?? new Uint8Array()), format: 'der', type: 'spki' });
  try {
    const out = await kms.send(new VerifyCommand({ KeyId: keyId, Message: message, MessageType: 'RAW', Signature: signature, SigningAlgorithm: 'ECDSA_SHA_256' }));
    return { valid: out.SignatureValid === true, publicKey };
  } catch (e) {
    // KMS answers KMSInvalidSignatureException for a signature that is not the key's.
    if ((e as Error).name === 'KMSInvalidSignatureException') return { valid: false, publicKey };
    throw e;
  }
}
