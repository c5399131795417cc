import type { Catalog } from '../../model/catalog.ts';
import type { Environment } from '../../model/environment.ts';
import { findVpc, type Inventory, type Vpc } from '../../model/inventory.ts';
import { cidrContains } from '../../model/cidr.ts';

/** What one API-level assertion found. */
export interface AssertionFinding {
  readonly status: 'PASS' | 'FAIL' | 'ERROR';
  readonly sentence: string;
  /** The resource the finding is about (becomes the verdict's target). */
  readonly resource: { readonly id: string; readonly region: string; readonly vpc: string };
  /** What the assertion looked at, with counts ("2 VPC(s): …"): never empty for PASS or FAIL. */
  readonly examined: string;
  /** The API facts the finding rests on. */
  readonly facts: Readonly<Record<string, unknown>>;
}

export interface AssertionContext {
  readonly inventory: Inventory;
  readonly env: Environment;
  /** The policy catalog, for assertions that judge the configuration by it. */
  readonly catalog: Pick<Catalog, 'policies'>;
  readonly params: Readonly<Record<string, string>>;
}

export type Assertion = (ctx: AssertionContext) => AssertionFinding;

export { findVpc };

/** Subnets of a zone: by the pathproof:zone tag, else those inside the zone's CIDR. */
export function zoneSubnets(inv: Inventory, env: Environment, zone: string) {
  const z = env.zones[zone];
  const vpc = z && findVpc(inv, z.vpc);
  if (!z || !vpc) return [];
  return vpc.subnets.filter((s) => s.zone === zone || (!s.zone && cidrContains(z.cidr, s.cidr.split('/')[0]!) && Number(s.cidr.split('/')[1]) >= Number(z.cidr.split('/')[1])));
}

/** True when `inner` lies entirely inside `outer`. */
export function cidrWithin(inner: string, outer: string): boolean {
  const [ip, bits] = inner.split('/');
  return cidrContains(outer, ip!) && Number(bits) >= Number(outer.split('/')[1]);
}

export const bedrockEndpoints = (ctx: AssertionContext) => {
  const vpc = findVpc(ctx.inventory, ctx.env.bedrock.vpc);
  return { vpc, endpoints: ctx.inventory.endpoints.filter((e) => e.vpcId === vpc?.id && ctx.env.bedrock.services.includes(e.service as never)) };
};

/** The subject was not in the inventory: the assertion could not look, so it is ERROR, never PASS. */
export function notFound(resource: AssertionFinding['resource'], what: string): AssertionFinding {
  return { status: 'ERROR', sentence: `Could not look: ${what} is not in the inventory read from the AWS API.`, resource, examined: 'nothing', facts: { notFound: what } };
}

/** Every VPC the environment names (each zone's and the Bedrock VPC), and which of them the inventory lacks. */
export function environmentVpcs(ctx: AssertionContext) {
  const refs = [...new Set([...Object.values(ctx.env.zones).map((z) => z.vpc), ctx.env.bedrock.vpc])];
  const found = refs.map((r) => [r, findVpc(ctx.inventory, r)] as const);
  return { refs, vpcs: found.flatMap(([, v]) => (v ? [v] : [])), missing: found.filter(([, v]) => !v).map(([r]) => r) };
}
