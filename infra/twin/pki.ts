import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';

export interface LeafCert { readonly key: string; readonly cert: string }
export interface TwinPki {
  readonly caFile: string;
  /** Issues a leaf certificate for these names and addresses, signed by the twin CA. */
  issue(name: string, sans: { dns?: readonly string[]; ips?: readonly string[] }): Promise<LeafCert>;
}

/**
 * A per-run certificate authority for the twin (openssl CLI; Node has no X.509 issuing API).
 * Probe hosts trust it the way a real host trusts its system store: the SSM executor hands
 * curl the CA through CURL_CA_BUNDLE. EC P-256 keys keep generation fast.
 */
export async function createPki(dir: string): Promise<TwinPki> {
  const o = (args: string[]) => execa('openssl', args, { cwd: dir });
  await o(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=pathproof twin CA']);
  const issue = async (name: string, sans: { dns?: readonly string[]; ips?: readonly string[] }): Promise<LeafCert> => {
    const san = [...(sans.dns ?? []).map((d) => `DNS:${d}`), ...(sans.ips ?? []).map((i) => `IP:${i}`)].join(',');
    writeFileSync(path.join(dir, `${name}.ext`), `subjectAltName=${san}\nextendedKeyUsage=serverAuth\n`);
    await o(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${sans.dns?.[0] ?? sans.ips?.[0] ?? name}`]);
    await o(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`]);
    return { key: path.join(dir, `${name}.key`), cert: path.join(dir, `${name}.pem`) };
  };
  return { caFile: path.join(dir, 'ca.pem'), issue };
}

export const readPem = (file: string): string => readFileSync(file, 'utf8');
