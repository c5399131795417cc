import type { KMSClient } from '@aws-sdk/client-kms';
import type { Environment } from '../model/environment.ts';
import { kmsSigner, signerFromKey, type Signer } from '../report/signing.ts';
import { AwsClients } from '../aws/aws-clients.ts';

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

/** Resolves the signer before anything runs, so that a bad key stops the run at once. */
export async function resolveSigner(option: SigningOption | undefined, env: Environment, clients: AwsClients): Promise<Signer | undefined> {
  if (!option) return undefined;
  if ('key' in option) return signerFromKey(option.key, option.origin);
  const { client } = kmsClientFor(env, option.kmsKeyId, clients);
  return kmsSigner(client, option.kmsKeyId);
}
