import { DescribeInstanceInformationCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/load/config.ts';
import { openSession } from '../../src/run/session.ts';
import { ROOT } from '../helpers/paths.ts';

const sts = mockClient(STSClient);
const ec2 = mockClient(EC2Client);
const ssm = mockClient(SSMClient);
afterEach(() => { sts.reset(); ec2.reset(); ssm.reset(); });

describe('a session against real accounts asks each question once', () => {
  test('STS once per account for preflight and evidence; targets once per zone for preflight and probes', async () => {
    const config = loadConfig({ root: ROOT, env: 'prod', marker: 'm' });
    const ids = Object.fromEntries(Object.values(config.env.accounts).map((a) => [a.region, a.id]));
    sts.on(AssumeRoleCommand).resolves({ Credentials: { AccessKeyId: 'AKIAX', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(Date.now() + 3600_000) } });
    sts.on(GetCallerIdentityCommand).callsFake(async function (this: unknown, _input: unknown) { return { Account: Object.values(ids)[0], Arn: 'arn:aws:sts::1:assumed-role/x' }; });
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{ InstanceId: 'i-0123456789abcdef0', State: { Name: 'running' }, VpcId: 'vpc-1', SubnetId: 's', PrivateIpAddress: '10.0.1.10' }] }] });
    ssm.on(DescribeInstanceInformationCommand).resolves({ InstanceInformationList: [{ InstanceId: 'i-0123456789abcdef0', PingStatus: 'Online' }] });
    await using session = await openSession(config, 'pp-test-once', () => {});
    await session.preflight!();
    await session.callers();
    for (const zone of Object.keys(config.env.zones)) await session.resolver.resolve(zone);
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(Object.keys(config.env.accounts).length);
    // Target lookups filter by tags; the inventory's reads (one per region) do not.
    const lookups = ec2.commandCalls(DescribeInstancesCommand).filter((c) => c.args[0].input.Filters);
    expect(lookups).toHaveLength(Object.keys(config.env.zones).length);
  });
});
