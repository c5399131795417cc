import type { Environment } from '../model/environment.ts';
import type { Target } from '../model/plan.ts';
import type { TargetResolver } from '../model/ports.ts';

/** For --dry-run: names the selection without calling AWS, so no credentials are needed. */
export class DeclaredTargetResolver implements TargetResolver {
  constructor(private readonly env: Environment) {}
  async resolve(zone: string): Promise<Target[]> {
    const z = this.env.zones[zone]!;
    const acct = this.env.accounts[z.account]!;
    const ids = 'instanceIds' in z.targets
      ? z.targets.instanceIds
      : [`<running instances in ${z.vpc} tagged ${Object.entries(z.targets.tags).map(([k, v]) => `${k}=${v}`).join(',')}>`];
    return ids.map((instanceId) => ({ instanceId, zone, account: z.account, accountId: acct.id, region: acct.region, vpc: z.vpc }));
  }
}
