import { DescribeInstanceInformationCommand } from '@aws-sdk/client-ssm';
import { describeError } from '../model/errors.ts';

import type { AwsClients } from './aws-clients.ts';
import type { PreflightItem, TargetResolver } from '../model/ports.ts';
import { isAssertionCheck, type Config } from '../model/check.ts';
import type { Inventory } from '../model/inventory.ts';


/**
 * Before anything runs against real accounts: credentials per account (and that they reach the
 * account the environment names), probe hosts found per zone and Online in SSM, and the Bedrock
 * endpoints present. Every problem says what to do.
 */
export async function preflight(config: Config, session: { clients: AwsClients; resolver: TargetResolver; identity(account: string): Promise<{ Account?: string; Arn?: string }>; inventory(): Promise<Inventory> }): Promise<PreflightItem[]> {
  const items: PreflightItem[] = [];
  for (const [name, acct] of Object.entries(config.env.accounts)) {
    try {
      const id = await session.identity(name);
      const ok = id.Account === acct.id;
      items.push({ ok, what: `credentials for account ${name}`, detail: ok ? `${id.Arn} in ${acct.region}` : `resolve to account ${id.Account}, but the environment says ${acct.id}: check ${acct.roleArn ? `roleArn ${acct.roleArn}` : `profile ${acct.profile ?? 'default'}`}` });
    } catch (e) {
      items.push({ ok: false, what: `credentials for account ${name}`, detail: `${describeError(e)}. Log in (aws sso login --profile …) or let CI assume ${acct.roleArn ?? 'the role'} through OIDC; STS must be regional for ${acct.region}` });
    }
  }
  const zones = [...new Set(config.checks.filter((c) => !isAssertionCheck(c)).map((c) => c.from))].sort();
  for (const zone of zones) {
    const z = config.env.zones[zone]!;
    const acct = config.env.accounts[z.account]!;
    try {
      const targets = await session.resolver.resolve(zone);
      if (targets.length === 0) {
        items.push({ ok: false, what: `probe hosts of ${zone}`, detail: `no running instance matches ${JSON.stringify(z.targets)} in ${z.vpc}: deploy infra/terraform/modules/probe-runners` });
        continue;
      }
      const info = await session.clients.ssm(z.account, acct.region).send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: targets.map((t) => t.instanceId) }] }));
      for (const t of targets) {
        const i = info.InstanceInformationList?.find((x) => x.InstanceId === t.instanceId);
        items.push(i?.PingStatus === 'Online'
          ? { ok: true, what: `SSM agent of ${t.instanceId} (${zone})`, detail: `Online, ${i.PlatformName ?? ''} ${i.PlatformVersion ?? ''}, agent ${i.AgentVersion ?? ''}` }
          : { ok: false, what: `SSM agent of ${t.instanceId} (${zone})`, detail: i ? `${i.PingStatus}: the agent lost contact` : 'not managed by SSM: attach AmazonSSMManagedInstanceCore and give the subnet the ssm, ssmmessages and ec2messages endpoints' });
      }
    } catch (e) {
      items.push({ ok: false, what: `probe hosts of ${zone}`, detail: describeError(e) });
    }
  }
  try {
    const inv = await session.inventory();
    const vpc = inv.vpcs.find((v) => v.id === config.env.bedrock.vpc || `tag:Name=${v.name}` === config.env.bedrock.vpc);
    const present = inv.endpoints.filter((e) => e.vpcId === vpc?.id).map((e) => e.service);
    const missing = config.env.bedrock.services.filter((s) => !present.includes(s));
    items.push({ ok: !!vpc && missing.length === 0, what: 'Bedrock interface endpoints', detail: !vpc ? `VPC ${config.env.bedrock.vpc} not found in ${config.env.bedrock.region}` : missing.length ? `missing: ${missing.join(', ')}` : `available in ${vpc.name}: ${present.join(', ')}` });
  } catch (e) {
    items.push({ ok: false, what: 'Bedrock interface endpoints', detail: describeError(e) });
  }
  return items;
}
