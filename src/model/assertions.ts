/**
 * The API-level assertions of the `config` category, by the name suites use in `assert:`, and the
 * parameters each takes. Their implementations live in src/verdict/assertions/.
 */
export const ASSERTION_PARAMS = {
  'endpoints-exist': [],
  'endpoint-private-dns': [],
  'endpoint-sg-scoped': ['sources'],
  'endpoint-policy-restricts-models': [],
  'phz-per-hostname': ['zone'],
  'vpc-dns-attributes': [],
  'no-default-route': ['zones'],
  'peering-routes-scoped': ['zone'],
  'flow-logs-all': [],
  'catalog-conformance': ['zone'],
  'dns-firewall': ['zone'],
  'dns-query-logging': ['zone'],
  'bedrock-identity-deny': ['zone'],
  'stream-idle-timeouts': [],
} as const satisfies Record<string, readonly string[]>;

export type AssertionName = keyof typeof ASSERTION_PARAMS;
export const ASSERTION_NAMES = Object.keys(ASSERTION_PARAMS) as [AssertionName, ...AssertionName[]];
