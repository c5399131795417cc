import { noDrift } from './drift.ts';
import { phzPerHostname, vpcDnsAttributes } from './dns.ts';
import { endpointPolicyRestrictsModels, endpointPrivateDns, endpointSgScoped, endpointsExist } from './endpoints.ts';
import { flowLogsAll, noDefaultRoute, peeringRoutesScoped } from './routing.ts';
import type { Assertion } from './types.ts';

/** API-level assertions of the `config` category, by the name suites use in `assert:`. */
export const assertions = {
  'endpoints-exist': { run: endpointsExist, params: [] },
  'endpoint-private-dns': { run: endpointPrivateDns, params: [] },
  'endpoint-sg-scoped': { run: endpointSgScoped, params: ['sources'] },
  'endpoint-policy-restricts-models': { run: endpointPolicyRestrictsModels, params: [] },
  'phz-per-hostname': { run: phzPerHostname, params: ['zone'] },
  'vpc-dns-attributes': { run: vpcDnsAttributes, params: [] },
  'no-default-route': { run: noDefaultRoute, params: ['zones'] },
  'peering-routes-scoped': { run: peeringRoutesScoped, params: ['zone'] },
  'flow-logs-all': { run: flowLogsAll, params: [] },
  'no-drift': { run: noDrift, params: [] },
} as const satisfies Record<string, { run: Assertion; params: readonly string[] }>;

export type AssertionName = keyof typeof assertions;
export const ASSERTION_NAMES = Object.keys(assertions) as [AssertionName, ...AssertionName[]];
