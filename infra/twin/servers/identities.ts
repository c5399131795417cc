/**
 * Instance-profile credentials in the twin: what IMDS hands each instance with a role, and what
 * every Bedrock listener knows about them (to verify a signature and evaluate the role's policies).
 */
import { createHmac } from 'node:crypto';

/** The credentials IMDS serves for an instance's role, in IMDS's shape. */
export interface InstanceCredentials { readonly role: string; readonly AccessKeyId: string; readonly SecretAccessKey: string; readonly Token: string }

/** What a Bedrock listener needs to know about a caller's access key. */
export interface Identity { readonly secret: string; readonly token: string; readonly role: string; readonly instance: string; readonly policies: readonly unknown[] }

/** Deterministic per run and instance (an HMAC of the run's secret), so IMDS and Bedrock agree without sharing state. */
export function instanceCredentials(salt: string, instanceId: string, role: string): InstanceCredentials {
  const mac = (what: string) => createHmac('sha256', salt).update(`${what}:${instanceId}`).digest();
  const b32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  return {
    role,
    AccessKeyId: `ASIA${[...mac('id')].slice(0, 16).map((b) => b32[b % 32]).join('')}`,
    SecretAccessKey: mac('secret').toString('base64').replace(/[+/=]/g, 'x').slice(0, 40),
    Token: `IQoJtwin${mac('token').toString('base64')}`,
  };
}
