import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Checksum, SourceData } from '@smithy/types';

/** Credentials of one lab or run: the only ones its gateway accepts. */
export interface LabCredentials { readonly accessKeyId: string; readonly secretAccessKey: string }

/** Fresh credentials in AWS's shapes (an access key id of 20 characters, a 40-character secret). */
export function newLabCredentials(): LabCredentials {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const id = [...randomBytes(16)].map((b) => alphabet[b % 32]).join('');
  return { accessKeyId: `AKIA${id}`, secretAccessKey: randomBytes(30).toString('base64').replace(/[+/=]/g, 'x').slice(0, 40) };
}

/** SHA-256 / HMAC-SHA-256 in the shape the smithy signer wants, from node:crypto. */
class Sha256 implements Checksum {
  private readonly h;
  constructor(secret?: SourceData) {
    this.h = secret ? createHmac('sha256', Buffer.from(secret as Uint8Array | string)) : createHash('sha256');
  }
  update(data: Uint8Array): void { this.h.update(data); }
  async digest(): Promise<Uint8Array> { return this.h.digest(); }
  reset(): void {}
}

/** What AWS answers when a request is not properly signed (code, message), or undefined when it is. */
export type AuthFailure = { readonly code: 'MissingAuthenticationTokenException' | 'UnrecognizedClientException' | 'InvalidSignatureException'; readonly message: string };

// HTTP/2 clients (the JS SDK) sign the :authority pseudo-header, as AWS accepts.
const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;.:-]+), ?Signature=([0-9a-f]{64})$/;

/**
 * Verifies a request's Signature Version 4 as AWS does: the access key must be the lab's, the
 * signature must be the one the lab's secret gives over the same canonical request (recomputed with
 * the SDK's own signer, over exactly the headers the client signed), and the date within 15 minutes.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
export async function verifySigV4(req: { method: string; url: string; headers: IncomingHttpHeaders }, body: Buffer, creds: LabCredentials, now = Date.now()): Promise<AuthFailure | undefined> {
  const auth = String(req.headers.authorization ?? '');
  if (!auth) return { code: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' };
  const m = AUTH.exec(auth);
  if (!m) return { code: 'InvalidSignatureException', message: 'Authorization header requires Credential, SignedHeaders and Signature in AWS4-HMAC-SHA256 form.' };
  const [, keyId, , region, service, signedList, signature] = m as unknown as string[];
  if (keyId !== creds.accessKeyId) return { code: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  const when = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!when) return { code: 'InvalidSignatureException', message: 'Missing or malformed X-Amz-Date.' };
  const signingDate = new Date(Date.UTC(+when[1]!, +when[2]! - 1, +when[3]!, +when[4]!, +when[5]!, +when[6]!));
  if (Math.abs(now - signingDate.getTime()) > 15 * 60_000) return { code: 'InvalidSignatureException', message: `Signature expired: ${amzDate} is more than 15 minutes from the time of the server.` };
  const signed = signedList!.split(';');
  const url = new URL(req.url, 'http://gateway');
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of url.searchParams) query[k] = k in query ? [query[k]!, v].flat() : v;
  const headers: Record<string, string> = {};
  for (const h of signed) {
    const v = req.headers[h];
    if (v === undefined) return { code: 'InvalidSignatureException', message: `The request signature names header ${h}, which the request does not carry.` };
    headers[h] = Array.isArray(v) ? v.join(',') : v;
  }
  const signer = new SignatureV4({ credentials: creds, region: region!, service: service!, sha256: Sha256, applyChecksum: false });
  const resigned = await signer.sign(
    { method: req.method, protocol: 'http:', hostname: String(req.headers.host ?? '').split(':')[0]!, path: url.pathname, query, headers, body: body.length ? body : undefined },
    { signingDate, signableHeaders: new Set(signed), unsignableHeaders: new Set() },
  );
  const expected = /Signature=([0-9a-f]{64})/.exec(String(resigned.headers.authorization ?? resigned.headers.Authorization ?? ''))?.[1] ?? '';
  if (expected.length !== 64 || !timingSafeEqual(Buffer.from(expected), Buffer.from(signature!))) {
    return { code: 'InvalidSignatureException', message: 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.' };
  }
  return undefined;
}
