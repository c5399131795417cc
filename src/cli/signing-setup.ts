import type { KMSClient } from '@aws-sdk/client-kms';
import type { Environment } from '../model/environment.ts';
import { signerFromKey } from '../report/signing.ts';
import { kmsAuthority, kmsSigner } from '../aws/kms.ts';

import { AwsClients } from '../aws/aws-clients.ts';
import { type Signer, type SignatureAuthority } from '../model/signing.ts';

/** How the run signs its evidence: an Ed25519 key (path or PEM text) or an AWS KMS key. */
export type SigningOption = { readonly key: string; readonly origin: string } | { readonly kmsKeyId: string };

/**
 * A KMS client for a key id or ARN, with the environment's credentials: the account whose id the
 * ARN names (else the first), in the ARN's region (else that account's region).
 */
export function kmsClientFor(env: Environment, keyId: string, clients?: AwsClients): { client: KMSClient; dispose(): void } {
  const arn = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):/.exec(keyId);
  const accounts = Object.entries(env.accounts);
  const [name, acct] = accounts.find(([, a]) => a.id === arn?.[2]) ?? accounts[0]!;
  const own = clients ?? new AwsClients(env, 'verify');
  const client = own.kms(name, arn?.[1] ?? acct.region);
  return { client, dispose: () => { if (!clients) own.destroy(); } };
}

/** Resolves the signer before anything runs, so that a bad key stops the run at once. Dispose after signing. */
export async function resolveSigner(option: SigningOption | undefined, env: Environment): Promise<{ signer?: Signer; dispose(): void }> {
  if (!option) return { dispose() {} };
  if ('key' in option) return { signer: signerFromKey(option.key, option.origin), dispose() {} };
  const kms = kmsClientFor(env, option.kmsKeyId);
  try {
    return { signer: await kmsSigner(kms.client, option.kmsKeyId), dispose: () => kms.dispose() };
  } catch (e) {
    kms.dispose();
    throw e;
  }
}

/** The KMS key an auditor trusts, asked through KMS itself. Dispose when done. */
export function kmsAuthorityFor(env: Environment, keyId: string): { authority: SignatureAuthority; dispose(): void } {
  const kms = kmsClientFor(env, keyId);
  return { authority: kmsAuthority(kms.client, keyId), dispose: () => kms.dispose() };
}
