import { z } from 'zod';
import { policyIdPattern, zoneNamePattern } from './catalog-schema.ts';
import { ASSERTION_NAMES } from './assertions.ts';

/** Pseudo policy id for flows that only the catalog's default deny governs. */
export const DEFAULT_DENY = 'default-deny';

export const CATEGORIES = ['positive', 'negative', 'exfiltration', 'dns-leak', 'failover', 'lateral-movement', 'agent-sandbox', 'config'] as const;
export type Category = (typeof CATEGORIES)[number];

const Expectation = z.discriminatedUnion('result', [
  z.strictObject({
    result: z.literal('allowed'),
    /** For HTTP probes: the statuses that count as the expected answer (default: any). */
    status: z.array(z.number().int().min(100).max(599)).min(1).optional(),
    /** Require an AWS request id header in the answer (proves an AWS-style endpoint answered). */
    awsRequestId: z.boolean().optional(),
    /** Also require an ACCEPT record of the call in the VPC flow logs, from the probe host to the address it used (the source's "confirm traffic flows through peering"). */
    logged: z.literal('accept').optional(),
    /** The address the call used (the probe's `ip`) must lie in these CIDRs, e.g. "${bedrock.endpointCidrs}": answered by the private endpoint, not another. */
    within: z.union([z.string(), z.array(z.string())]).optional(),
    /** For SDK calls: the AWS error code the answer must carry (e.g. AccessDeniedException from the endpoint policy). */
    error: z.string().regex(/^[A-Za-z]{1,64}$/).optional(),
    /**
     * With `error`: which policy must have refused, read from the reason AWS gives in the message
     * ("because no VPC endpoint policy allows …", "with an explicit deny in a VPC endpoint policy").
     * A refusal by another policy (the role's own, say) never reached the one under test: INCONCLUSIVE.
     */
    deniedBy: z.literal('endpoint-policy').optional(),
    /** For streams: the events the answer must include, in this order (e.g. messageStart, messageStop). */
    events: z.array(z.string().regex(/^[A-Za-z]{1,64}$/)).min(1).optional(),
  }),
  z.strictObject({
    result: z.literal('blocked'),
    /** Block evidence that counts (probe outcomes, or http-NNN for an HTTP status such as http-403). Default: any block outcome. */
    by: z.array(z.string().regex(/^(?:[a-z][a-z0-9-]*|http-\d{3})$/)).min(1).optional(),
    /** Also ask the canaries (HTTP sink, canary DNS) whether this check's marker reached them; any hit is a FAIL. */
    confirm: z.literal('canary').optional(),
    /**
     * Also require monitoring to show the block: `reject` — a REJECT record in the VPC flow logs;
     * `query-blocked` — a Resolver query-log record of the query with DNS Firewall's BLOCK, agreeing
     * with the answer the probe got.
     */
    logged: z.enum(['reject', 'query-blocked']).optional(),
  }),
  z.strictObject({
    /**
     * A name that must not lead off the private path: it does not exist for the zone (NXDOMAIN or no
     * address, as a DNS Firewall block answers), or every answer lies in `cidrs`. A resolver that
     * fails or stays silent is not an answer: ERROR.
     */
    result: z.literal('stays-private'),
    cidrs: z.union([z.string(), z.array(z.string())]),
  }),
  z.strictObject({
    result: z.literal('resolves-within'),
    /** Every answer must lie in these CIDRs, e.g. "${bedrock.endpointCidrs}". */
    cidrs: z.union([z.string(), z.array(z.string())]),
  }),
]);

export const CheckFields = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9-]{2,80}$/, 'lowercase letters, digits and dashes, 3 to 81 long'),
  title: z.string().min(1),
  category: z.enum(CATEGORIES),
  /** The NET policies the check gives evidence for; `default-deny` for a flow no policy allows. */
  policies: z.array(z.union([z.literal(DEFAULT_DENY), z.string().regex(policyIdPattern, 'policy ids look like NET-001, or default-deny')])).min(1),
  from: z.string().regex(zoneNamePattern),
  to: z.string().regex(zoneNamePattern),
  /** The probe that runs on targets of `from` (every category but config). */
  probe: z.string().min(1).optional(),
  /** The API-level assertion of a config check (category config only). */
  assert: z.enum(ASSERTION_NAMES).optional(),
  params: z.record(z.string(), z.union([z.string(), z.number()])).default({}),
  /** Required for probe checks; a config check passes when its assertion holds. */
  expect: Expectation.optional(),
  /**
   * Disruptive failover (runs only with --allow-disruptive): the private path is taken away for the
   * duration of this check (journaled, restored in finally, restore verified). Expect a connection error.
   */
  disruptive: z.discriminatedUnion('fault', [
    /** Delete the apex A record of this service's private hosted zone (the name stops resolving). */
    z.strictObject({ fault: z.literal('remove-phz-record'), service: z.enum(['bedrock', 'bedrock-runtime', 'bedrock-agent', 'bedrock-agent-runtime']) }),
    /** Delete the peering routes from the check's zone to bedrock.endpointCidrs (the endpoint becomes unreachable). */
    z.strictObject({ fault: z.literal('remove-peering-route') }),
  ]).optional(),
  /** Per-probe time-out in seconds (default: the environment's timeouts.probeSeconds). */
  timeoutSeconds: z.number().int().min(1).max(900).optional(),
  waiver: z.strictObject({
    justification: z.string().min(10, 'say why, in a sentence'),
    expires: z.iso.date('a date written YYYY-MM-DD'),
    approvedBy: z.string().min(1),
  }).optional(),
});

/**
 * Checks generated from the policy catalog: every internal zone × destination × port the catalog
 * denies becomes a blocked check, so that no zone pair is forgotten by hand.
 */
export const ZonePairGenerator = z.strictObject({
  kind: z.literal('zone-pairs'),
  /** Representative ports probed for every pair. */
  ports: z.array(z.number().int().min(1).max(65535)).min(1),
  /** Where each destination zone is probed: a host (usually a ${...} reference). Zones not listed are not generated. */
  destinations: z.record(z.string().regex(zoneNamePattern), z.string().min(1)),
  /** Evidence that counts as the block. A refused connection means the SYN reached the host, so it does not count by default. */
  by: z.array(z.string()).default(['timeout', 'unreachable', 'nxdomain']),
});

/**
 * Checks generated from the environment's Bedrock services: from every zone, each name the SDK can
 * choose besides the standard one (FIPS, dual-stack, both, bedrock-mantle) stays private.
 */
export const SdkNameGenerator = z.strictObject({
  kind: z.literal('sdk-names'),
  /** Where the names may resolve, usually "${bedrock.endpointCidrs}". */
  cidrs: z.union([z.string(), z.array(z.string())]),
});

export const Generator = z.discriminatedUnion('kind', [ZonePairGenerator, SdkNameGenerator]);

export const CheckDef = CheckFields.superRefine((c, ctx) => {
  if (c.category === 'config') {
    if (!c.assert) ctx.addIssue({ code: 'custom', path: ['assert'], message: `a config check names an assertion: ${ASSERTION_NAMES.join(', ')}` });
    if (c.probe) ctx.addIssue({ code: 'custom', path: ['probe'], message: 'a config check runs no probe: use assert:' });
  } else {
    if (!c.probe) ctx.addIssue({ code: 'custom', path: ['probe'], message: 'a probe check names its probe' });
    if (c.assert) ctx.addIssue({ code: 'custom', path: ['assert'], message: 'only config checks use assert:' });
    if (!c.expect) ctx.addIssue({ code: 'custom', path: ['expect'], message: 'a probe check states what it expects' });
  }
});

export const SuiteFile = z.strictObject({
  suite: z.string().regex(/^[a-z][a-z0-9-]{0,40}$/, 'lowercase letters, digits and dashes; equal to the file name'),
  description: z.string().min(1),
  /** Each check is validated on its own (CheckDef), so that one bad check hides no other problem. */
  checks: z.array(z.unknown()).default([]),
  generate: z.array(Generator).optional(),
});

export type CheckInput = z.infer<typeof CheckFields>;
export type Expectation = z.infer<typeof Expectation>;
