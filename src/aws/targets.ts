import { DescribeInstancesCommand, type Filter } from '@aws-sdk/client-ec2';
import { PathproofError } from '../model/errors.ts';
import type { Environment } from '../model/environment.ts';

import type { AwsClients } from './aws-clients.ts';
import { type Target } from '../model/plan.ts';
import { TargetResolver } from '../model/ports.ts';

/** Real lookup: running instances in the zone's VPC matching its tags or ids (EC2 DescribeInstances). */
export class Ec2TargetResolver implements TargetResolver {
  constructor(private readonly env: Environment, private readonly clients: AwsClients) {}

  async resolve(zone: string): Promise<Target[]> {
    const z = this.env.zones[zone];
    if (!z) throw new PathproofError('TARGETS_UNRESOLVED', `zone ${zone} is not mapped in env ${this.env.name}`);
    const acct = this.env.accounts[z.account]!;
    const filters: Filter[] = [{ Name: 'instance-state-name', Values: ['running'] }];
    if (z.vpc.startsWith('vpc-')) filters.push({ Name: 'vpc-id', Values: [z.vpc] });
    if ('tags' in z.targets) for (const [k, v] of Object.entries(z.targets.tags)) filters.push({ Name: `tag:${k}`, Values: [v] });
    else filters.push({ Name: 'instance-id', Values: z.targets.instanceIds });
    const ec2 = this.clients.ec2(z.account, acct.region);
    const targets: Target[] = [];
    let token: string | undefined;
    do {
      let out;
      try {
        out = await ec2.send(new DescribeInstancesCommand({ Filters: filters, NextToken: token }));
      } catch (e) {
        throw new PathproofError('TARGETS_UNRESOLVED', `cannot list probe hosts of zone ${zone} in account ${z.account} (${acct.region}): ${(e as Error).message}`, { cause: e });
      }
      for (const r of out.Reservations ?? []) {
        for (const i of r.Instances ?? []) {
          if (!i.InstanceId) continue;
          targets.push({
            instanceId: i.InstanceId, zone, account: z.account, accountId: acct.id, region: acct.region,
            vpc: i.VpcId ?? z.vpc, ...(i.SubnetId ? { subnet: i.SubnetId } : {}), ...(i.PrivateIpAddress ? { privateIp: i.PrivateIpAddress } : {}),
          });
        }
      }
      token = out.NextToken;
    } while (token);
    return targets.sort((a, b) => a.instanceId.localeCompare(b.instanceId));
  }
}
