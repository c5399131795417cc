import { cidrContains } from './cidr.ts';
import { cidr as cidrSchema, host as hostSchema, type DiscoveredValue, type EnvironmentInput } from './environment.ts';
import { findVpc, type Inventory } from './inventory.ts';

/**
 * Addresses an environment file may leave out, read from the inventory at run time instead:
 * - a zone's `cidr`: the subnet of the zone's VPC tagged `pathproof:zone` = the zone;
 * - a service's `host`: the instance or load balancer of the service's zone VPC tagged
 *   `pathproof:service` = the service;
 * - `bedrock.endpointCidrs`: the subnets holding the ENIs of the Bedrock interface endpoints in
 *   `bedrock.vpc`.
 * A literal value in the file always wins. Pure: the inventory is read once by the caller.
 */
export const ZONE_TAG = 'pathproof:zone';
export const SERVICE_TAG = 'pathproof:service';

/**
 * What stands in for a value before it is discovered: shown only by a dry run, never sent. An
 * address, as every discovered host is, so that validation judges it as it will judge the real one
 * (a control by address stays one).
 */
export const PLACEHOLDER = { cidr: '0.0.0.0/32', host: '0.0.0.0' } as const;

/** A value that could not be discovered: where it belongs, what was found instead, what to do. */
export interface DiscoveryProblem {
  readonly path: readonly string[];
  readonly message: string;
  readonly fix: string;
}

/** True while the environment still holds placeholders: a run must discover first. */
export function needsDiscovery(env: { readonly discovery?: { readonly gaps: readonly string[]; readonly found?: unknown } }): boolean {
  return (env.discovery?.gaps.length ?? 0) > 0 && env.discovery?.found === undefined;
}

/** The paths of the values the file leaves to discovery. */
export function discoveryGaps(env: EnvironmentInput): string[][] {
  return [
    ...Object.entries(env.zones).filter(([, z]) => z.cidr === undefined).map(([name]) => ['zones', name, 'cidr']),
    ...Object.entries(env.services).filter(([, s]) => s.host === undefined).map(([name]) => ['services', name, 'host']),
    ...(env.bedrock.endpointCidrs === undefined ? [['bedrock', 'endpointCidrs']] : []),
  ];
}

/** The environment with every gap filled: by the discovered values when given, else by placeholders. */
export function fillGaps(env: EnvironmentInput, found?: readonly DiscoveredValue[]): EnvironmentInput {
  const value = (p: readonly string[]) => found?.find((f) => f.path.join('.') === p.join('.'))?.value;
  return {
    ...env,
    zones: Object.fromEntries(Object.entries(env.zones).map(([n, z]) => [n, { ...z, cidr: z.cidr ?? (value(['zones', n, 'cidr']) as string | undefined) ?? PLACEHOLDER.cidr }])),
    services: Object.fromEntries(Object.entries(env.services).map(([n, s]) => [n, { ...s, host: s.host ?? (value(['services', n, 'host']) as string | undefined) ?? PLACEHOLDER.host }])),
    bedrock: { ...env.bedrock, endpointCidrs: env.bedrock.endpointCidrs ?? [...((value(['bedrock', 'endpointCidrs']) as readonly string[] | undefined) ?? [PLACEHOLDER.cidr])] },
  };
}

/**
 * Reads each gap from the inventory. Every value found is checked against the schema the file's
 * own values must meet (a tag is input too), and each one that cannot be found unambiguously is a
 * problem, never a guess.
 */
export function discover(env: EnvironmentInput, inv: Inventory): { found: DiscoveredValue[]; problems: DiscoveryProblem[] } {
  const found: DiscoveredValue[] = [];
  const problems: DiscoveryProblem[] = [];
  const accept = (path: string[], value: string | string[], source: string, schema: { safeParse(v: unknown): { success: boolean } }) => {
    const bad = (Array.isArray(value) ? value : [value]).find((v) => !schema.safeParse(v).success);
    if (bad !== undefined) problems.push({ path, message: `the value ${JSON.stringify(bad)} read from ${source} is not ${path[0] === 'services' ? 'a host name or IPv4 address' : 'a CIDR'}`, fix: 'correct the resource, or write the value in the file' });
    else found.push({ path, value, source });
  };

  // Zones first: a discovered service must lie inside its zone's range.
  const zoneCidr = new Map<string, string>();
  for (const [name, z] of Object.entries(env.zones)) {
    if (z.cidr !== undefined) { zoneCidr.set(name, z.cidr); continue; }
    const path = ['zones', name, 'cidr'];
    const vpc = findVpc(inv, z.vpc);
    if (!vpc) { problems.push({ path, message: `no VPC ${z.vpc} was found to discover the zone's range in`, fix: `check vpc: of zone ${name}, or write cidr:` }); continue; }
    const tagged = vpc.subnets.filter((s) => s.zone === name);
    if (tagged.length !== 1) {
      problems.push({
        path,
        message: tagged.length === 0
          ? `no subnet of ${vpc.name} (${vpc.id}) is tagged ${ZONE_TAG}=${name}`
          : `${tagged.length} subnets of ${vpc.name} are tagged ${ZONE_TAG}=${name} (${tagged.map((s) => `${s.id} ${s.cidr}`).join(', ')}); a zone is one range`,
        fix: tagged.length === 0 ? `tag the zone's subnet ${ZONE_TAG}=${name}, or write cidr:` : 'write cidr: one range that covers them, or tag one subnet',
      });
      continue;
    }
    const s = tagged[0]!;
    zoneCidr.set(name, s.cidr);
    accept(path, s.cidr, `subnet ${s.id} (${s.name}) tagged ${ZONE_TAG}=${name}`, cidrSchema);
  }

  for (const [name, svc] of Object.entries(env.services)) {
    if (svc.host !== undefined) continue;
    const path = ['services', name, 'host'];
    const zone = env.zones[svc.zone];
    const vpc = zone && findVpc(inv, zone.vpc);
    if (!vpc) { problems.push({ path, message: `the VPC of zone ${svc.zone} was not found to discover the service in`, fix: `check zone: of service ${name}, or write host:` }); continue; }
    const hosts = inv.hosts.filter((h) => h.kind === 'instance' && h.vpcId === vpc.id && h.tags[SERVICE_TAG] === name && h.enis[0])
      .map((h) => ({ ip: h.enis[0]!.ip, source: `instance ${h.id} tagged ${SERVICE_TAG}=${name}` }));
    const balancers = (inv.loadBalancers ?? []).filter((lb) => lb.vpcId === vpc.id && lb.tags[SERVICE_TAG] === name && lb.addresses[0])
      .map((lb) => ({ ip: lb.addresses[0]!, source: `load balancer ${lb.name} tagged ${SERVICE_TAG}=${name}` }));
    const all = [...hosts, ...balancers];
    if (all.length !== 1) {
      problems.push({
        path,
        message: all.length === 0
          ? `no instance or load balancer in ${vpc.name} (${vpc.id}) is tagged ${SERVICE_TAG}=${name}`
          : `${all.length} resources are tagged ${SERVICE_TAG}=${name} (${all.map((a) => `${a.source.split(' tagged')[0]} ${a.ip}`).join(', ')}); a service is one address`,
        fix: all.length === 0 ? `tag the service's instance or load balancer ${SERVICE_TAG}=${name}, or write host:` : 'keep the tag on one of them, or write host:',
      });
      continue;
    }
    const { ip, source } = all[0]!;
    const range = zoneCidr.get(svc.zone);
    if (range && !cidrContains(range, ip)) {
      problems.push({ path, message: `${source} has address ${ip}, outside zone ${svc.zone} (${range})`, fix: `tag a resource of zone ${svc.zone}, or correct zone: of service ${name}` });
      continue;
    }
    accept(path, ip, source, hostSchema);
  }

  if (env.bedrock.endpointCidrs === undefined) {
    const path = ['bedrock', 'endpointCidrs'];
    const vpc = findVpc(inv, env.bedrock.vpc);
    const eps = vpc ? inv.endpoints.filter((e) => e.vpcId === vpc.id && (env.bedrock.services as readonly string[]).includes(e.service)) : [];
    const subnetIds = new Set(inv.hosts.flatMap((h) => h.enis).filter((e) => eps.some((ep) => ep.eniIds.includes(e.id))).map((e) => e.subnetId));
    const subnets = (vpc?.subnets ?? []).filter((s) => subnetIds.has(s.id));
    if (!vpc) problems.push({ path, message: `no VPC ${env.bedrock.vpc} was found to discover the endpoints in`, fix: 'check bedrock.vpc, or write endpointCidrs:' });
    else if (subnets.length === 0) problems.push({ path, message: `${vpc.name} (${vpc.id}) holds no interface endpoint with a network interface for ${env.bedrock.services.join(', ')}`, fix: 'create the endpoints, or write endpointCidrs:' });
    else accept(path, [...new Set(subnets.map((s) => s.cidr))].sort(), `the subnets of ${eps.map((e) => `${e.id} (${e.service})`).join(', ')}: ${subnets.map((s) => s.id).join(', ')}`, cidrSchema);
  }
  return { found, problems };
}
