import { createPublicKey, type KeyObject } from 'node:crypto';
import { GetPublicKeyCommand, SignCommand, VerifyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { PathproofError } from '../model/errors.ts';
import { type SignatureAuthority, type Signer } from '../model/signing.ts';

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

/** Asks KMS itself whether the signature is the key's, and returns the key's public key. */
async function kmsVerify(kms: KMSClient, keyId: string, message: Buffer, signature: Buffer): Promise<{ valid: boolean; publicKey: KeyObject }> {
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

/** A KMS key as the authority an auditor trusts: KMS itself says whether a signature is the key's. */
export function kmsAuthority(kms: KMSClient, keyId: string): SignatureAuthority {
  return { name: `KMS key ${keyId}`, check: (message, signature) => kmsVerify(kms, keyId, message, signature) };
}
