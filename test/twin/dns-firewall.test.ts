/**
 * Route 53 Resolver DNS Firewall in the twin: the lab's endpoint answers the API moto lacks to the
 * AWS SDK and the AWS CLI (Terraform: npm run terraform:local), and the twin's Amazon DNS enforces
 * what the API holds — NXDOMAIN, NODATA, OVERRIDE, ALERT, per-VPC associations, fail-closed and
 * fail-open — and writes each query to the Resolver query log. Needs root.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { execa } from 'execa';
import { CreateFirewallDomainListCommand, CreateFirewallRuleCommand, ListFirewallRuleGroupsCommand, ListFirewallRulesCommand, Route53ResolverClient, UpdateFirewallConfigCommand, UpdateFirewallDomainsCommand, UpdateFirewallRuleCommand } from '@aws-sdk/client-route53resolver';
import { startLab } from '../../infra/twin/lab.ts';
import { readTwinQueryLogs } from '../../infra/twin/query-logs.ts';
import { ROOT } from '../helpers/paths.ts';
import { inInstance, newTestRunId, ownLeftovers } from '../helpers/lab.ts';

const runIds: string[] = [];
afterAll(async () => {
  expect(await ownLeftovers(runIds)).toEqual({ namespaces: [], processes: [] });
});

describe('DNS Firewall in the twin', () => {
  test('managed through the lab endpoint by the SDK and the CLI; the resolver enforces each block response and ALERT, and logs every query', async () => {
    await using lab = await startLab({ root: ROOT, runId: newTestRunId('dnsfw', runIds), log: () => {} });
    const cli = await execa('aws', ['route53resolver', 'list-firewall-rule-groups', '--region', 'ap-southeast-6', '--endpoint-url', lab.endpoint, '--output', 'json'], {
      reject: false, env: { AWS_ACCESS_KEY_ID: lab.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: lab.credentials.secretAccessKey },
    });
    expect(cli.exitCode, cli.stderr).toBe(0);
    expect((JSON.parse(cli.stdout) as { FirewallRuleGroups: { Name: string }[] }).FirewallRuleGroups.map((g) => g.Name)).toEqual(['pathproof-nz-dns']);
    const unsigned = await execa('aws', ['route53resolver', 'list-firewall-rule-groups', '--region', 'ap-southeast-6', '--endpoint-url', lab.endpoint, '--no-sign-request'], { reject: false });
    expect(unsigned.exitCode).not.toBe(0);

    const probe = inInstance(lab, 'probe-inference');
    expect(await probe.dig('www.example.com')).toEqual({ status: 'NXDOMAIN', answers: [] });
    expect((await probe.dig('ssm.ap-southeast-6.amazonaws.com')).answers).toHaveLength(1);
    // Associations are per VPC: Sydney's own rule group approves its region's SSM name, which NZ's blocks.
    expect((await inInstance(lab, 'probe-sydney').dig('ssm.ap-southeast-2.amazonaws.com')).answers).toHaveLength(1);
    expect(await probe.dig('ssm.ap-southeast-2.amazonaws.com')).toEqual({ status: 'NXDOMAIN', answers: [] });

    const r = new Route53ResolverClient({ region: 'ap-southeast-6', endpoint: lab.endpoint, credentials: lab.credentials });
    try {
      const group = (await r.send(new ListFirewallRuleGroupsCommand({}))).FirewallRuleGroups![0]!.Id!;
      const block = (await r.send(new ListFirewallRulesCommand({ FirewallRuleGroupId: group }))).FirewallRules!.find((x) => x.Action === 'BLOCK')!;
      const change = async (fields: Record<string, unknown>) => {
        await r.send(new UpdateFirewallRuleCommand({ FirewallRuleGroupId: group, FirewallDomainListId: block.FirewallDomainListId!, ...fields }));
        await lab.rebuild();
      };
      await change({ BlockResponse: 'NODATA' });
      expect(await inInstance(lab, 'probe-inference').dig('www.example.com')).toEqual({ status: 'NOERROR', answers: [] });
      await change({ BlockResponse: 'OVERRIDE', BlockOverrideDomain: 'blocked.pathproof.test', BlockOverrideDnsType: 'CNAME', BlockOverrideTtl: 30 });
      const over = await execa('ip', ['netns', 'exec', inInstance(lab, 'probe-inference').ns, 'dig', '+time=2', '+tries=1', '+noall', '+answer', 'www.example.com', 'A']);
      expect(over.stdout).toMatch(/www\.example\.com\.\s+30\s+IN\s+CNAME\s+blocked\.pathproof\.test\./);
      // ALERT before the block: the query goes through, and the log says ALERT.
      const watch = await r.send(new CreateFirewallDomainListCommand({ CreatorRequestId: 'watch', Name: 'watch' }));
      await r.send(new UpdateFirewallDomainsCommand({ FirewallDomainListId: watch.FirewallDomainList!.Id!, Operation: 'ADD', Domains: ['*.example.com'] }));
      await r.send(new CreateFirewallRuleCommand({ CreatorRequestId: 'alert', FirewallRuleGroupId: group, FirewallDomainListId: watch.FirewallDomainList!.Id!, Priority: 150, Action: 'ALERT', Name: 'alert-example' }));
      await lab.rebuild();
      const inference = inInstance(lab, 'probe-inference');
      expect((await inference.dig('www.example.com')).answers).toEqual(['192.0.2.80']);
      const log = readTwinQueryLogs(lab.applied.records).filter((x) => x.query_name === 'www.example.com.' && x.srcaddr === '10.0.2.10');
      expect(log.at(-1)).toMatchObject({ firewall_rule_action: 'ALERT', rcode: 'NOERROR', srcids: { instance: lab.model.hosts.find((h) => h.tags.Name === 'probe-inference')!.id }, query_type: 'A' });
    } finally {
      r.destroy();
    }
  });

  test('when DNS Firewall cannot evaluate a query: fail-closed answers SERVFAIL, fail-open lets it through unfiltered', async () => {
    await using lab = await startLab({ root: ROOT, runId: newTestRunId('dnsfo', runIds), log: () => {}, dnsFirewallUnavailable: true });
    expect((await inInstance(lab, 'probe-data').dig('www.example.com')).status).toBe('SERVFAIL');
    const r = new Route53ResolverClient({ region: 'ap-southeast-6', endpoint: lab.endpoint, credentials: lab.credentials });
    try {
      const vpc = lab.model.vpcs.find((v) => v.name === 'pathproof-nz')!.id;
      await r.send(new UpdateFirewallConfigCommand({ ResourceId: vpc, FirewallFailOpen: 'ENABLED' }));
    } finally {
      r.destroy();
    }
    await lab.rebuild();
    expect((await inInstance(lab, 'probe-data').dig('www.example.com')).answers).toEqual(['192.0.2.80']);
  });
});
