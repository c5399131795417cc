import type { KeyObject } from 'node:crypto';

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

/** Someone the verifier trusts, asked whether a signature is theirs (an AWS KMS key: src/aws/kms.ts). */
export interface SignatureAuthority {
  readonly name: string;
  check(message: Buffer, signature: Buffer): Promise<{ valid: boolean; publicKey: KeyObject }>;
}
