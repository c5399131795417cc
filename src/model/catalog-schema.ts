import { z } from 'zod';

export const policyIdPattern = /^NET-\d{3}$/;
export const zoneNamePattern = /^[a-z][a-z0-9-]{0,30}$/;

/** A zone of the policy model: an internal security zone or an external destination class. */
export const ZoneDef = z.strictObject({
  kind: z.enum(['internal', 'external']),
  description: z.string().min(1),
});

export const PortSpec = z.union([
  z.number().int().min(1).max(65535),
  z.string().regex(/^\d{1,5}-\d{1,5}$/, 'a port range is written "low-high", e.g. "6333-6334"'),
]);

export const PolicyDef = z.strictObject({
  id: z.string().regex(policyIdPattern, 'policy ids look like NET-001'),
  title: z.string().min(1),
  from: z.string().regex(zoneNamePattern),
  /** A zone name, or "*" for any destination outside the source zone. */
  to: z.union([z.literal('*'), z.string().regex(zoneNamePattern)]),
  protocol: z.enum(['tcp', 'udp', 'any']),
  ports: z.union([z.literal('any'), z.array(PortSpec).min(1)]),
  action: z.enum(['allow', 'deny']),
  severity: z.enum(['critical', 'high', 'medium', 'low']),
  justification: z.string().min(1),
  dataClassification: z.enum(['public', 'internal', 'confidential', 'restricted']),
  remediation: z.string().min(1),
  helpUri: z.url().optional(),
  /**
   * The flow carries model answers as streams (Converse/ConverseStream, server-sent events): every
   * load balancer and NAT gateway on it must keep an idle connection open at least the environment's
   * streamIdleSeconds (the source's common mistake 4: idle time-outs that cut streaming).
   */
  streaming: z.boolean().optional(),
});

export const CatalogFile = z.strictObject({
  zones: z.record(z.string().regex(zoneNamePattern), ZoneDef).optional(),
  policies: z.array(PolicyDef).optional(),
});

export const FrameworkFile = z.strictObject({
  framework: z.string().min(1),
  title: z.string().min(1),
  uri: z.url().optional(),
  controls: z.array(z.strictObject({
    id: z.string().min(1),
    title: z.string().min(1),
    policies: z.array(z.string().regex(policyIdPattern)).min(1),
  })).min(1),
});

export type PolicyDefInput = z.infer<typeof PolicyDef>;
