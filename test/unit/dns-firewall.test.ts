/**
 * The DNS Firewall decision procedure against AWS's documented behaviour: association priority, then
 * rule priority, lowest first; the first matching rule decides (ALERT too); `*` matches every name,
 * `*.example.com` matches names below example.com but not example.com itself; case and the trailing
 * dot do not matter. Also the query-log line parser.
 */
import { describe, expect, test } from 'vitest';
import { decideQuery, domainMatches, parseQueryLogLine, type DnsDefences } from '../../src/model/dns-firewall.ts';

const fw = (over: Partial<DnsDefences> = {}): DnsDefences => ({
  domainLists: [
    { id: 'ok', name: 'ok', domains: ['bedrock-runtime.ap-southeast-2.amazonaws.com', '*.corp.example'] },
    { id: 'watch', name: 'watch', domains: ['*.example.org'] },
    { id: 'all', name: 'all', domains: ['*'] },
  ],
  ruleGroups: [
    { id: 'g1', name: 'first', rules: [{ name: 'block-all', priority: 300, action: 'BLOCK', domainListId: 'all', blockResponse: 'NXDOMAIN' }, { name: 'allow', priority: 100, action: 'ALLOW', domainListId: 'ok' }, { name: 'alert', priority: 200, action: 'ALERT', domainListId: 'watch' }] },
    { id: 'g0', name: 'earlier', rules: [{ name: 'override', priority: 100, action: 'BLOCK', domainListId: 'watch', blockResponse: 'OVERRIDE', blockOverrideDomain: 'sinkhole.example', blockOverrideTtl: 30 }] },
  ],
  associations: [{ id: 'a1', name: 'a1', vpcId: 'vpc-1', ruleGroupId: 'g1', priority: 200, status: 'COMPLETE' }],
  failOpen: {},
  queryLogs: [],
  ...over,
});

describe('DNS Firewall decisions', () => {
  test('wildcards as AWS documents them', () => {
    expect(domainMatches('*', 'anything.at.all')).toBe(true);
    expect(domainMatches('*.corp.example', 'a.b.corp.example')).toBe(true);
    expect(domainMatches('*.corp.example', 'corp.example')).toBe(false);
    expect(domainMatches('*.corp.example', 'xcorp.example')).toBe(false);
    expect(domainMatches('Bedrock-Runtime.ap-southeast-2.amazonaws.com.', 'bedrock-runtime.AP-southeast-2.amazonaws.com')).toBe(true);
    expect(domainMatches('example.com', 'www.example.com')).toBe(false);
  });
  test('rule priority inside a group, lowest first; the first match decides, ALERT included', () => {
    expect(decideQuery(fw(), 'vpc-1', 'bedrock-runtime.ap-southeast-2.amazonaws.com').action).toBe('ALLOW');
    expect(decideQuery(fw(), 'vpc-1', 'x.example.org')).toMatchObject({ action: 'ALERT', rule: 'alert' });
    expect(decideQuery(fw(), 'vpc-1', 'evil.test')).toMatchObject({ action: 'BLOCK', blockResponse: 'NXDOMAIN', rule: 'block-all' });
  });
  test('association priority across groups, lowest first; OVERRIDE carries its domain and TTL', () => {
    const two = fw({ associations: [...fw().associations, { id: 'a0', name: 'a0', vpcId: 'vpc-1', ruleGroupId: 'g0', priority: 101, status: 'COMPLETE' }] });
    expect(decideQuery(two, 'vpc-1', 'x.example.org')).toMatchObject({ action: 'BLOCK', blockResponse: 'OVERRIDE', overrideDomain: 'sinkhole.example', overrideTtl: 30 });
  });
  test('associations are per VPC: another VPC is not filtered', () => {
    expect(decideQuery(fw(), 'vpc-2', 'evil.test').action).toBe('NONE');
  });
  test('query-log lines: the fields a judgement needs, or nothing', () => {
    const line = '{"version":"1.100000","vpc_id":"vpc-1","query_timestamp":"2026-12-02T00:00:00Z","query_name":"evil.test.","query_type":"A","rcode":"NXDOMAIN","srcaddr":"10.0.2.10","firewall_rule_action":"BLOCK"}';
    expect(parseQueryLogLine(line)).toMatchObject({ query_name: 'evil.test.', firewall_rule_action: 'BLOCK' });
    expect(parseQueryLogLine('{"query_name":"x."}')).toBeUndefined();
    expect(parseQueryLogLine('not json')).toBeUndefined();
  });
});
