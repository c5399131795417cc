import { CreateRouteCommand, DeleteRouteCommand, DescribeRouteTablesCommand, DescribeSubnetsCommand, DescribeVpcsCommand, ReplaceRouteCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { ChangeResourceRecordSetsCommand, ListHostedZonesCommand, ListResourceRecordSetsCommand, type ResourceRecordSet, type Route53Client } from '@aws-sdk/client-route-53';

import { cidrOverlaps } from '../model/cidr.ts';
import type { Config, ProbeCheck } from '../model/check.ts';
import type { Disruption, DisruptionPort, DnsRecord, JournalEntry, PeeringRoute } from '../model/ports.ts';
import { dropEntry, journal } from '../shared/journal.ts';

/**
 * Disruptive failover faults: a change made on purpose to prove that losing the private path fails
 * loudly. Each is journaled before it is made, restored in `finally`, and the restore verified.
 *
 * - remove-phz-record: the apex A record of a Bedrock private hosted zone is deleted (the name no
 *   longer resolves inside the VPC; the zone still answers authoritatively: NXDOMAIN).
 * - remove-peering-route: the routes from the check's zone to the endpoint subnets over the peering
 *   are deleted (the name still resolves to the endpoint; the packets have nowhere to go).
 */
export type DisruptionSpec = NonNullable<ProbeCheck['disruptive']>;

/** The disruption port over AWS (or the emulator behind the twin): journal, change, restore, verify. */
export function awsDisruption(clients: DisruptClients, config: Config, root: string, afterChange: () => Promise<void>): DisruptionPort {
  return {
    disrupt: (check, runId) => disrupt(clients, config, root, runId, check),
    restore: (d) => restoreEntry(clients, d.entry, d.file),
    afterChange,
  };
}

/** What a disruption needs from AWS: the same clients a run uses. */
export interface DisruptClients {
  route53(account: string): Route53Client;
  ec2(account: string, region: string): EC2Client;
}

/** Takes the private path away for one check; returns the journaled original. Throws (nothing changed) when it cannot. */
async function disrupt(clients: DisruptClients, config: Config, root: string, runId: string, check: ProbeCheck): Promise<Disruption> {
  const spec = check.disruptive!;
  const zone = config.env.zones[check.from]!;
  const base = { runId, checkId: check.id, at: new Date().toISOString(), env: config.env.name, account: zone.account };
  if (spec.fault === 'remove-phz-record') {
    const r53 = clients.route53(zone.account);
    const hostname = `${spec.service}.${config.env.bedrock.region}.amazonaws.com`;
    const zones = await r53.send(new ListHostedZonesCommand({}));
    const hz = zones.HostedZones?.find((z) => z.Config?.PrivateZone && z.Name?.replace(/\.$/, '') === hostname);
    if (!hz?.Id) throw new Error(`no private hosted zone ${hostname} to disrupt`);
    const zoneId = hz.Id.replace('/hostedzone/', '');
    const sets = await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }));
    const record = sets.ResourceRecordSets?.find((r) => r.Type === 'A' && r.Name?.replace(/\.$/, '') === hostname);
    if (!record) throw new Error(`the private hosted zone ${hostname} has no A record to disrupt`);
    const entry: JournalEntry = { ...base, fault: 'remove-phz-record', zoneId, record: record as DnsRecord };
    const file = journal(root, entry);
    await r53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Comment: `pathproof ${runId} ${check.id}: disruptive failover check`, Changes: [{ Action: 'DELETE', ResourceRecordSet: record }] } }));
    return { entry, file };
  }
  const region = config.env.accounts[zone.account]!.region;
  const ec2 = clients.ec2(zone.account, region);
  const routes = await peeringRoutes(ec2, zone.vpc, zone.cidr, config.env.bedrock.endpointCidrs);
  if (routes.length === 0) throw new Error(`no route from zone ${check.from} (${zone.cidr}) to the endpoint subnets ${config.env.bedrock.endpointCidrs.join(', ')} over a peering connection to disrupt`);
  const entry: JournalEntry = { ...base, fault: 'remove-peering-route', region, routes };
  const file = journal(root, entry);
  for (const r of routes) await ec2.send(new DeleteRouteCommand({ RouteTableId: r.routeTableId, DestinationCidrBlock: r.destination }));
  return { entry, file };
}

/** Puts a journaled change back (idempotent: restoring twice is harmless), verifies it, and drops the entry. */
export async function restoreEntry(clients: DisruptClients, entry: JournalEntry, file: string): Promise<void> {
  if (entry.fault === 'remove-phz-record') {
    const r53 = clients.route53(entry.account);
    await r53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: entry.zoneId, ChangeBatch: { Comment: `pathproof restore ${entry.runId} ${entry.checkId}`, Changes: [{ Action: 'UPSERT', ResourceRecordSet: entry.record as ResourceRecordSet }] } }));
    const back = await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: entry.zoneId }));
    if (!back.ResourceRecordSets?.some((r) => r.Type === 'A' && r.Name === entry.record.Name)) throw new Error(`${entry.record.Name} has no A record after the restore`);
  } else {
    const ec2 = clients.ec2(entry.account, entry.region);
    for (const r of entry.routes) {
      try {
        await ec2.send(new CreateRouteCommand({ RouteTableId: r.routeTableId, DestinationCidrBlock: r.destination, VpcPeeringConnectionId: r.peeringId }));
      } catch (e) {
        // Someone (or an earlier restore) put a route there already: make it point at the peering again.
        if ((e as Error).name !== 'RouteAlreadyExists') throw e;
        await ec2.send(new ReplaceRouteCommand({ RouteTableId: r.routeTableId, DestinationCidrBlock: r.destination, VpcPeeringConnectionId: r.peeringId }));
      }
    }
    const tables = await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [...new Set(entry.routes.map((r) => r.routeTableId))] }));
    for (const r of entry.routes) {
      const found = tables.RouteTables?.find((t) => t.RouteTableId === r.routeTableId)?.Routes?.find((x) => x.DestinationCidrBlock === r.destination);
      if (found?.VpcPeeringConnectionId !== r.peeringId) throw new Error(`route ${r.destination} in ${r.routeTableId} does not point at ${r.peeringId} after the restore`);
    }
  }
  dropEntry(file);
}

/**
 * The peering routes that carry a zone's traffic to the endpoint subnets: in the route table of every
 * subnet inside the zone's CIDR (its explicit association, else the VPC's main table).
 */
async function peeringRoutes(ec2: EC2Client, vpcRef: string, zoneCidr: string, endpointCidrs: readonly string[]): Promise<PeeringRoute[]> {
  const byName = /^tag:Name=(.+)$/.exec(vpcRef)?.[1];
  const vpcs = await ec2.send(new DescribeVpcsCommand(byName ? { Filters: [{ Name: 'tag:Name', Values: [byName] }] } : { VpcIds: [vpcRef] }));
  const vpcId = vpcs.Vpcs?.[0]?.VpcId;
  if (!vpcId) throw new Error(`VPC ${vpcRef} not found`);
  const subnets = (await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }))).Subnets ?? [];
  const tables = (await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }))).RouteTables ?? [];
  const main = tables.find((t) => t.Associations?.some((a) => a.Main));
  const inZone = subnets.filter((s) => s.CidrBlock && cidrOverlaps(zoneCidr, s.CidrBlock));
  const used = new Set(inZone.map((s) => (tables.find((t) => t.Associations?.some((a) => a.SubnetId === s.SubnetId)) ?? main)?.RouteTableId).filter((id): id is string => !!id));
  return tables.filter((t) => used.has(t.RouteTableId!)).flatMap((t) => (t.Routes ?? [])
    .filter((r) => r.VpcPeeringConnectionId && r.DestinationCidrBlock && endpointCidrs.some((c) => cidrOverlaps(c, r.DestinationCidrBlock!)))
    .map((r) => ({ routeTableId: t.RouteTableId!, destination: r.DestinationCidrBlock!, peeringId: r.VpcPeeringConnectionId! })));
}
