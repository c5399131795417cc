import { execa } from 'execa';
import type { FlowRecord } from '../../src/model/result.ts';
import type { FlowEvidence } from '../../src/model/result.ts';

import type { TwinLayout } from './layout.ts';
import type { Inventory } from '../../src/model/inventory.ts';
import { type FlowLogPort } from '../../src/model/ports.ts';
import type { FlowLine } from '../../src/model/flow-log.ts';
import { listNamespaces } from './netns.ts';

/** A namespace holding ENIs, as the flow-log reader needs it. */
export interface FlowHost { readonly ns: string; readonly id: string; readonly enis: readonly { readonly id: string; readonly ip: string }[] }

export function flowHosts(layout: TwinLayout, model: Inventory): FlowHost[] {
  const built = new Set(layout.namespaces.map((n) => n.name));
  // Only VPCs with a flow log that captures rejects produce records, as in AWS.
  const logged = new Set(model.vpcs.filter((v) => v.flowLogs.some((f) => f.trafficType === 'ALL' || f.trafficType === 'REJECT')).map((v) => v.id));
  return model.hosts
    .map((h, j) => ({ ns: `${layout.prefix}h${j}`, id: h.id, vpcId: h.vpcId, enis: h.enis.map((e) => ({ id: e.id, ip: e.ip })) }))
    .filter((h) => built.has(h.ns) && logged.has(h.vpcId))
    .map(({ vpcId: _, ...h }) => h);
}

/**
 * The flow-log port over the twin: records of the asked action matching the call or the attempt.
 * `earlier` holds what twins torn down by a rebuild recorded: in AWS a flow log outlives a
 * configuration change, so the twin's does too.
 *
 * A run judges after its last command ended, asking every question with the run's start as `since`:
 * the namespaces are read once for that pass (one `nft` per host), not once per question. A new
 * `since` (the next run on a kept lab) reads them again.
 */
export function twinFlowLogs(hosts: () => readonly FlowHost[], accountId: string, earlier: () => readonly FlowRecord[] = () => []): FlowLogPort {
  let pass: { since: string; records: Promise<FlowRecord[]> } | undefined;
  return {
    async find(q): Promise<FlowEvidence> {
      if (pass?.since !== q.since) {
        const records = readTwinFlowLogs(hosts(), accountId).then((now) => [...earlier().map((r) => ({ ...r, accountId })), ...now]);
        pass = { since: q.since, records };
        records.catch(() => { if (pass?.records === records) pass = undefined; });
      }
      const all = await pass.records;
      return { available: true, records: all.filter((r) => r.action === q.action && r.srcAddr === q.src && r.dstPort === q.dstPort && (!q.dst || r.dstAddr === q.dst)) };
    },
  };
}

/**
 * The twin's VPC flow logs: every namespace that holds ENIs remembers the flows its security
 * groups rejected and the connections they let out (nftables sets with counters); this renders
 * them as flow-log v2 records, REJECT and ACCEPT, as the source ENI's flow log shows them.
 */
export async function readTwinFlowLogs(hosts: readonly FlowHost[], accountId: string): Promise<FlowRecord[]> {
  const now = Math.floor(Date.now() / 1000);
  const out: FlowRecord[] = [];
  await Promise.all(hosts.map(async (h) => {
    const ns = h.ns;
    const r = await execa('ip', ['netns', 'exec', ns, 'nft', '-j', 'list', 'table', 'inet', 'pathproof'], { reject: false });
    if (r.exitCode !== 0) return;
    const doc = JSON.parse(r.stdout) as { nftables: { set?: { name?: string; elem?: unknown[] } }[] };
    for (const item of doc.nftables) {
      const action = item.set?.name === 'accepted' ? 'ACCEPT' : item.set?.name === 'rejected' ? 'REJECT' : undefined;
      if (!action) continue;
      for (const el of item.set?.elem ?? []) {
        const e = (el as { elem?: { val: { concat: unknown[] }; counter?: { packets: number; bytes: number } } }).elem;
        const [src, dst, proto, sport, dport] = (e?.val.concat ?? []) as [string, string, string | number, number, number];
        const eni = h.enis.find((x) => x.ip === src || x.ip === dst);
        out.push({
          version: 2, accountId, interfaceId: eni?.id ?? h.id, srcAddr: src, dstAddr: dst, srcPort: sport, dstPort: dport,
          protocol: proto === 'tcp' ? 6 : proto === 'udp' ? 17 : Number(proto), packets: e?.counter?.packets ?? 1, bytes: e?.counter?.bytes ?? 0,
          start: now, end: now, action, logStatus: 'OK',
        });
      }
    }
  }));
  return out;
}

/**
 * The flow-log records of a running twin, found by its namespace prefix (a `lab up` twin, read
 * from another process): what `pathproof audit --env local` judges. ENI ids are not known here;
 * the namespace stands in as the interface.
 */
export async function* twinFlowLines(prefix: string, accountId: string): AsyncGenerator<FlowLine> {
  const hosts = (await listNamespaces(prefix)).filter((ns) => /-h\d+$/.test(ns)).map((ns): FlowHost => ({ ns, id: ns, enis: [] }));
  let n = 0;
  for (const r of await readTwinFlowLogs(hosts, accountId)) {
    n += 1;
    yield { srcaddr: r.srcAddr, dstaddr: r.dstAddr, srcport: r.srcPort, dstport: r.dstPort, protocol: r.protocol, bytes: r.bytes, start: r.start, action: r.action, logStatus: r.logStatus, file: `twin ${r.interfaceId}`, line: n };
  }
}
