import { z } from 'zod';
import { zoneNamePattern } from './catalog-schema.ts';
import { paramTypes } from './param-types.ts';

export const cidr = z.string().regex(/^(?:\d{1,3}\.){3}\d{1,3}\/(?:[0-9]|[12]\d|3[0-2])$/, 'a CIDR such as 10.0.2.0/24');
const region = z.string().regex(/^[a-z]{2}(?:-gov)?-[a-z]+-\d$/, 'an AWS region such as ap-southeast-6');
export const host = z.string().regex(paramTypes.host.pattern, paramTypes.host.hint);
const name = z.string().regex(/^[a-z][a-z0-9-]{0,40}$/, 'lowercase letters, digits and dashes');

export const BEDROCK_SERVICES = ['bedrock', 'bedrock-runtime', 'bedrock-agent', 'bedrock-agent-runtime'] as const;

const Account = z.strictObject({
  /** The 12-digit account id; checked against STS GetCallerIdentity before anything runs. */
  id: z.string().regex(/^\d{12}$/, 'a 12-digit AWS account id'),
  region,
  /** A named profile of the shared config files (local runs). */
  profile: z.string().min(1).optional(),
  /** A role to assume through the regional STS endpoint (CI). */
  roleArn: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, 'an IAM role ARN').optional(),
  externalId: z.string().min(2).max(1224).optional(),
});

const ProbeCall = z.strictObject({
  probe: z.string().min(1),
  params: z.record(z.string(), z.union([z.string(), z.number()])).default({}),
});

const Zone = z.strictObject({
  account: name,
  /** VPC id, e.g. vpc-0abc…; in the twin the VPC's Name tag may be given as tag:Name=… */
  vpc: z.string().min(1),
  /** Omitted: discovered at run time from the subnet of the zone's VPC tagged `pathproof:zone` = the zone's name. */
  cidr: cidr.optional(),
  /** How probe targets of this zone are found: EC2 tags (preferred) or fixed instance ids. */
  targets: z.union([
    z.strictObject({ tags: z.record(z.string().min(1), z.string().min(1)) }),
    z.strictObject({ instanceIds: z.array(z.string().regex(/^(?:i|mi)-[0-9a-f]{8,17}$/, 'an instance id such as i-0abc12345678')).min(1) }),
  ]),
  /** The must-succeed probe run in every batch of this zone; if it fails, deny results are INCONCLUSIVE. */
  control: ProbeCall,
  /**
   * A must-succeed probe that needs no DNS (an address, IMDS), for the batches whose checks address
   * their destination by IP, so that a DNS fault cannot make those results INCONCLUSIVE. Required
   * when `control` resolves a name and the zone has checks by address; default: `control`.
   */
  addressControl: ProbeCall.optional(),
  /**
   * The IAM roles whose credentials the zone's workloads call Bedrock with. Their identity policies
   * must deny bedrock:* unless the call arrives through one of the endpoints (aws:SourceVpce) or the
   * endpoints' VPC (aws:SourceVpc): public access closed (assertion bedrock-identity-deny).
   */
  roles: z.array(z.string().regex(/^[\w+=,.@-]{1,64}$/, 'an IAM role name (letters, digits and +=,.@_-, at most 64)')).optional(),
});

const Service = z.strictObject({
  zone: z.string().regex(zoneNamePattern),
  /** Omitted: discovered at run time, the address of the instance or load balancer tagged `pathproof:service` = the service's name. */
  host: host.optional(),
  port: z.number().int().min(1).max(65535),
});

export const EnvironmentFile = z.strictObject({
  name,
  description: z.string().min(1),
  /** `twin`: the harness starts the emulator and the namespace twin; `aws`: real accounts. */
  kind: z.enum(['twin', 'aws']),
  /** Endpoint override for every AWS client (emulators). AWS_ENDPOINT_URL overrides it. */
  endpointUrl: z.url().optional(),
  /**
   * The emulator behind a twin: `moto` (started by the harness) or `localstack` (endpointUrl or
   * $PATHPROOF_LOCALSTACK_URL when given, else a container started with testcontainers). Default moto.
   */
  emulator: z.enum(['moto', 'localstack']).default('moto'),
  accounts: z.record(name, Account),
  zones: z.record(z.string().regex(zoneNamePattern), Zone),
  bedrock: z.strictObject({
    account: name,
    region,
    vpc: z.string().min(1),
    services: z.array(z.enum(BEDROCK_SERVICES)).min(1),
    /**
     * Where the interface endpoints' ENIs live: a Bedrock name must resolve only inside these.
     * Omitted: discovered at run time, the subnets that hold the endpoints of `services` in `vpc`.
     */
    endpointCidrs: z.array(cidr).min(1).optional(),
    /** Public addresses of Bedrock as seen from the internet (used by failover and negative checks). */
    publicAddresses: z.array(z.string().regex(paramTypes.ipv4.pattern, paramTypes.ipv4.hint)).default([]),
  }),
  /** Named destinations inside the zones that suites refer to as ${services.NAME.host|port}. */
  services: z.record(name, Service),
  models: z.strictObject({
    allowed: z.string().regex(paramTypes['model-id'].pattern),
    denied: z.string().regex(paramTypes['model-id'].pattern),
  }),
  canaries: z.strictObject({
    httpSink: z.strictObject({ host, port: z.number().int().min(1).max(65535) }),
    dnsDomain: host,
    /**
     * Where the harness asks what reached the canaries: GET URL?marker=M answers JSON lines
     * {"kind":"http"|"dns","from":"…","t":"…"}. The local twin reads its own records instead.
     * Without it, checks that ask for canary confirmation are ERROR.
     */
    recordUrl: z.url().optional(),
  }),
  /**
   * Overrides of probe parameter defaults for this environment (a check's own value still wins),
   * e.g. shorter connect time-outs where the round trip is microseconds, as in the twin.
   */
  probeDefaults: z.record(z.string().regex(/^[a-z][a-z0-9_]{0,30}$/), z.union([z.string(), z.number()])).default({}),
  /**
   * Streams on the catalog's `streaming` flows: a load balancer or NAT gateway on them must keep an
   * idle connection open at least `idleSeconds` (the SDKs' own event-stream session time-out is
   * 300 s); the live check pauses a stream `gapSeconds` between events (a real deployment: longer
   * than idleSeconds, 330; the twin: a few seconds, since it enforces each idle time-out's real value).
   */
  streaming: z.strictObject({
    idleSeconds: z.number().int().min(1).max(4000).default(300),
    gapSeconds: z.number().int().min(1).max(600).default(330),
  }).default({ idleSeconds: 300, gapSeconds: 330 }),
  /** What the DNS Firewall should let the zones resolve, and a name it should block. */
  dns: z.strictObject({
    /** Names the zones legitimately resolve besides Bedrock's, by a short key (`${dns.approved.ssm}`). */
    approved: z.record(name, host),
    /** An ordinary public name no zone is approved to resolve (`${dns.unapproved}`). */
    unapproved: host,
  }).optional(),
  /** Thresholds of the flow-log audit (`pathproof audit`); the source's defaults. */
  audit: z.strictObject({
    /** A transfer from inference larger than this (MB, summed per flow) is flagged. */
    largeTransferMB: z.number().positive().default(100),
    /** DNS tunnelling signals in the Resolver query logs. */
    dns: z.strictObject({
      /** A query-name label longer than this is flagged (tunnels pack data into long labels; 63 is DNS's limit). */
      maxLabelLength: z.number().int().min(1).max(63).default(40),
      /** A label of at least 16 characters with more bits of entropy per character than this is flagged. */
      entropyBits: z.number().positive().max(6).default(3.9),
      /** More distinct subdomains of one parent domain than this, from one zone within the window, is flagged. */
      uniqueSubdomains: z.number().int().min(1).default(40),
      windowSeconds: z.number().int().min(1).default(600),
    }).prefault({}),
  }).prefault({}),
  /** Where the VPC flow logs are queried (CloudWatch Logs Insights), for checks that ask whether a block was logged. */
  monitoring: z.strictObject({
    account: name,
    region,
    flowLogGroups: z.array(z.string().min(1)).min(1),
    /** Resolver query logs in CloudWatch Logs, for checks marked `logged: query-blocked`. */
    queryLogGroups: z.array(z.string().min(1)).min(1).optional(),
    /** Flow logs arrive in batches: how long to wait for a record, in seconds (default 600). */
    waitSeconds: z.number().int().min(0).max(3600).default(600),
  }).optional(),
  timeouts: z.strictObject({
    /** Default per-probe time-out in seconds. */
    probeSeconds: z.number().int().min(1).max(300).default(8),
    /** SSM delivery time-out (SendCommand TimeoutSeconds); AWS minimum is 30. */
    deliverySeconds: z.number().int().min(30).max(2592000).default(60),
    /** How long the poll loop waits for one command after its execution time-out. */
    pollGraceSeconds: z.number().int().min(5).max(600).default(60),
    /** Longest pause between GetCommandInvocation polls, in ms (backoff grows up to it). */
    pollMaxDelayMs: z.number().int().min(50).max(30000).default(4000),
    /**
     * The most SSM API calls per second per account and region (a burst of as many). AWS publishes
     * no rate for Run Command's APIs; the default keeps a fleet run well below where it throttles.
     */
    ssmCallsPerSecond: z.number().int().min(1).max(1000).default(10),
  }).prefault({}),
});

/**
 * The environment a run uses: every address known, written in the file or discovered from tags.
 * Discovered values are validated by this schema too, so a tag can never put anything into a probe
 * parameter that the file could not.
 */
export const ResolvedEnvironment = EnvironmentFile.extend({
  zones: z.record(z.string().regex(zoneNamePattern), Zone.extend({ cidr })),
  services: z.record(name, Service.extend({ host })),
  bedrock: EnvironmentFile.shape.bedrock.extend({ endpointCidrs: z.array(cidr).min(1) }),
});

/** An environment file as written: addresses may be left to discovery. */
export type EnvironmentInput = z.infer<typeof EnvironmentFile>;

/** One value discovered at run time, and where it came from. */
export interface DiscoveredValue {
  /** Where it belongs in the environment, e.g. zones.application.cidr. */
  readonly path: readonly string[];
  readonly value: string | readonly string[];
  /** The resources it was read from, e.g. "subnet subnet-0abc (pathproof-nz-application) tagged pathproof:zone=application". */
  readonly source: string;
}

export type Environment = z.infer<typeof ResolvedEnvironment> & {
  readonly file: string;
  /**
   * The values the file leaves to discovery (dotted paths). While `found` is absent they hold
   * placeholders (`PLACEHOLDER`), which only a dry run ever shows: a run discovers them first.
   */
  readonly discovery?: { readonly gaps: readonly string[]; readonly found?: readonly DiscoveredValue[] };
};
export type EnvZone = Environment['zones'][string];
export type EnvAccount = Environment['accounts'][string];

/** A name the AWS SDK's endpoint resolver can choose for a Bedrock service besides the standard one. */
export interface SdkHostname { readonly service: string; readonly variant: 'fips' | 'dualstack' | 'fips-dualstack' | 'mantle'; readonly host: string }

/**
 * The other names an SDK can be configured into (`useFipsEndpoint`, `useDualstackEndpoint`, both),
 * as the SDKs' endpoint rule sets build them: `{service}-fips.{region}.amazonaws.com`,
 * `{service}.{region}.api.aws` and `{service}-fips.{region}.api.aws`; and Bedrock's
 * OpenAI-compatible endpoint `bedrock-mantle.{region}.api.aws` when the runtime is in use.
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-endpoints.html
 * https://docs.aws.amazon.com/general/latest/gr/bedrock.html
 * None of them is covered by an interface endpoint's private DNS: they must not resolve, or resolve
 * only to the endpoints, from every zone.
 */
export function sdkHostnames(services: readonly string[], region: string): SdkHostname[] {
  const out: SdkHostname[] = services.flatMap((s) => [
    { service: s, variant: 'fips' as const, host: `${s}-fips.${region}.amazonaws.com` },
    { service: s, variant: 'dualstack' as const, host: `${s}.${region}.api.aws` },
    { service: s, variant: 'fips-dualstack' as const, host: `${s}-fips.${region}.api.aws` },
  ]);
  if (services.includes('bedrock-runtime')) out.push({ service: 'bedrock-mantle', variant: 'mantle', host: `bedrock-mantle.${region}.api.aws` });
  return out;
}

/** The values suites may reference as ${...}. */
export function referenceables(env: Environment, run: { marker: string }): Record<string, unknown> {
  return {
    services: env.services,
    zones: env.zones,
    models: env.models,
    canaries: env.canaries,
    ...(env.dns ? { dns: env.dns } : {}),
    bedrock: {
      region: env.bedrock.region,
      endpointCidrs: env.bedrock.endpointCidrs,
      publicAddresses: env.bedrock.publicAddresses,
      publicAddress: env.bedrock.publicAddresses[0],
      hostnames: Object.fromEntries(env.bedrock.services.map((s) => [s, `${s}.${env.bedrock.region}.amazonaws.com`])),
      sdkNames: sdkHostnames(env.bedrock.services, env.bedrock.region).map((n) => n.host),
    },
    // A streamed answer with one idle gap: the call's time limit is the gap plus 20 s.
    streaming: { ...env.streaming, callSeconds: env.streaming.gapSeconds + 20 },
    run,
  };
}
