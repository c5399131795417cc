import type { AssertionName } from '../../model/assertions.ts';
import { catalogConformance } from './catalog.ts';
import { phzPerHostname, vpcDnsAttributes } from './dns.ts';
import { dnsFirewall, dnsQueryLogging } from './dns-firewall.ts';
import { endpointPolicyRestrictsModels, endpointPrivateDns, endpointSgScoped, endpointsExist } from './endpoints.ts';
import { bedrockIdentityDeny } from './identity.ts';
import { streamIdleTimeouts } from './streaming.ts';
import { flowLogsAll, noDefaultRoute, peeringRoutesScoped } from './routing.ts';
import type { Assertion } from './types.ts';

/** Each assertion named in src/model/assertions.ts, by its name. */
export const assertions: Readonly<Record<AssertionName, Assertion>> = {
  'endpoints-exist': endpointsExist,
  'endpoint-private-dns': endpointPrivateDns,
  'endpoint-sg-scoped': endpointSgScoped,
  'endpoint-policy-restricts-models': endpointPolicyRestrictsModels,
  'phz-per-hostname': phzPerHostname,
  'vpc-dns-attributes': vpcDnsAttributes,
  'no-default-route': noDefaultRoute,
  'peering-routes-scoped': peeringRoutesScoped,
  'flow-logs-all': flowLogsAll,
  'catalog-conformance': catalogConformance,
  'dns-firewall': dnsFirewall,
  'dns-query-logging': dnsQueryLogging,
  'bedrock-identity-deny': bedrockIdentityDeny,
  'stream-idle-timeouts': streamIdleTimeouts,
};
