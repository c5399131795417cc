import { z } from 'zod';
import { BEDROCK_SERVICES } from '../model/environment.ts';

/**
 * What `init --from-terraform DIR` reads: the root module's output `pathproof` (both examples in
 * infra/terraform/examples define it from the modules' outputs). Ids and names only: addresses are
 * discovered at run time from the tags the modules set, so the file written never goes stale when
 * the network is re-addressed.
 */
const Account = z.strictObject({ id: z.string(), region: z.string(), role_arn: z.string().nullish(), profile: z.string().nullish() });
export const TerraformPathproof = z.strictObject({
  /** `twin` for a network on the emulator (the local example), `aws` for real accounts. */
  kind: z.enum(['twin', 'aws']).default('aws'),
  accounts: z.record(z.string(), Account),
  zones: z.record(z.string(), z.strictObject({
    account: z.string(),
    vpc_id: z.string(),
    /** False when the zone's probe host has no instance metadata (its control then needs neither IMDS nor the network). */
    imds: z.boolean().default(true),
    /** The IAM roles the zone's workloads call Bedrock with (their identity policies must close public access). */
    roles: z.array(z.string()).nullish(),
  })),
  bedrock: z.strictObject({
    account: z.string(), region: z.string(), vpc_id: z.string(),
    services: z.array(z.enum(BEDROCK_SERVICES)).min(1),
    public_addresses: z.array(z.string()).nullish(),
  }),
  services: z.record(z.string(), z.strictObject({ zone: z.string(), port: z.number() })),
  approved_names: z.array(z.string()).nullish(),
  flow_log_groups: z.array(z.string()).nullish(),
  query_log_groups: z.array(z.string()).nullish(),
});
export type TerraformPathproof = z.infer<typeof TerraformPathproof>;

/** The twin's stand-ins for the internet (documentation ranges the twin serves). */
const TWIN = { publicAddresses: ['203.0.113.10'], httpSink: { host: '198.51.100.80', port: 80 }, dnsDomain: 'canary.pathproof.test' } as const;

/**
 * The environment an output describes. What Terraform cannot know is filled with the reference's
 * choices and listed in `review`: the models to allow and deny, the canaries (an HTTP sink and a
 * DNS zone you control), Bedrock's public addresses for the no-fallback checks.
 */
export function environmentFrom(out: TerraformPathproof, name: string, dir: string): { env: Record<string, unknown>; review: string[] } {
  const twin = out.kind === 'twin';
  const review: string[] = ['models: the model families the endpoint policy allows and one it must deny'];
  const zoneRegion = (z: { account: string }) => out.accounts[z.account]?.region ?? out.bedrock.region;
  const approved = (out.approved_names ?? []).filter((n) => !n.startsWith('bedrock'));
  const keys = new Map<string, string>();
  for (const n of approved) { const k = n.split('.')[0]!; keys.set(keys.has(k) ? `${k}-${keys.size}` : k, n); }
  if (!twin) review.push('canaries: an HTTP sink and a DNS zone you control, whose logs confirm that no marker arrived');
  if (!twin && !out.bedrock.public_addresses?.length) review.push('bedrock.publicAddresses: an address of Bedrock\'s public endpoint, which the negative checks prove unreachable');
  const firstAccount = Object.keys(out.accounts)[0] ?? out.bedrock.account;
  const env = {
    name,
    description: `Written by \`pathproof init --from-terraform ${dir}\`; addresses are discovered at run time from the tags the modules set`,
    kind: out.kind,
    accounts: Object.fromEntries(Object.entries(out.accounts).map(([k, a]) => [k, { id: a.id, region: a.region, ...(a.role_arn ? { roleArn: a.role_arn } : {}), ...(a.profile ? { profile: a.profile } : {}) }])),
    zones: Object.fromEntries(Object.entries(out.zones).map(([zone, z]) => [zone, {
      account: z.account, vpc: z.vpc_id,
      ...(z.roles?.length ? { roles: z.roles } : {}),
      targets: { tags: { 'pathproof:zone': zone, 'pathproof:role': 'probe' } },
      // The SSM agent itself resolves this name: while commands arrive, it must answer. A host
      // without instance metadata (and perhaps without DNS, as a sandbox) proves its tooling only.
      ...(z.imds
        ? { control: { probe: 'dns-resolve', params: { name: `ssm.${zoneRegion(z)}.amazonaws.com` } }, addressControl: { probe: 'imds', params: {} } }
        : { control: { probe: 'dns-resolve', params: { name: 'localhost', tool: 'getent' } } }),
    }])),
    bedrock: {
      account: out.bedrock.account, region: out.bedrock.region, vpc: out.bedrock.vpc_id, services: out.bedrock.services,
      publicAddresses: out.bedrock.public_addresses?.length ? out.bedrock.public_addresses : twin ? [...TWIN.publicAddresses] : [],
    },
    services: Object.fromEntries(Object.entries(out.services).map(([k, s]) => [k, { zone: s.zone, port: s.port }])),
    models: { allowed: 'anthropic.claude-3-haiku-20240307-v1:0', denied: 'meta.llama3-70b-instruct-v1:0' },
    ...(keys.size ? { dns: { approved: Object.fromEntries(keys), unapproved: 'www.example.com' } } : {}),
    canaries: twin ? { httpSink: { ...TWIN.httpSink }, dnsDomain: TWIN.dnsDomain } : { httpSink: { host: 'sink.canary.example.com', port: 80 }, dnsDomain: 'dns.canary.example.com' },
    ...(out.flow_log_groups?.length ? {
      monitoring: {
        account: firstAccount, region: out.accounts[firstAccount]?.region ?? out.bedrock.region, flowLogGroups: out.flow_log_groups,
        ...(out.query_log_groups?.length ? { queryLogGroups: out.query_log_groups } : {}),
      },
    } : {}),
    // The twin enforces each idle time-out at its real value, so a short pause proves the path.
    ...(twin ? { streaming: { idleSeconds: 300, gapSeconds: 3 }, probeDefaults: { connect_timeout: 1, resolve_timeout: 4, max_time: 3 }, timeouts: { probeSeconds: 12, deliverySeconds: 30, pollGraceSeconds: 30, pollMaxDelayMs: 250, ssmCallsPerSecond: 200 } } : {}),
  };
  return { env, review };
}
