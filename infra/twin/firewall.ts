/**
 * The twin's firewalls as nftables rules: security groups (stateful, per instance or endpoint ENI,
 * CIDRs and group references; Amazon DNS and IMDS unfiltered, as in AWS) and network ACLs
 * (stateless, at the subnet edge, rules in number order).
 */
import type { Host, SgRule, Subnet, Inventory, Vpc } from '../../src/model/inventory.ts';

export const IMDS_IP = '169.254.169.254';
/** Rejected flows remembered per ENI namespace (oldest dropped beyond this). */
export const FLOW_SET_SIZE = 65536;

function l4(rule: SgRule): string {
  const p = rule.protocol;
  if (p === '-1' || p === 'all') return '';
  if (p === 'tcp' || p === 'udp') {
    const from = rule.fromPort ?? 0;
    const to = rule.toPort ?? 65535;
    return from === 0 && to === 65535 ? ` meta l4proto ${p}` : ` ${p} dport ${from === to ? from : `${from}-${to}`}`;
  }
  if (p === 'icmp' || p === '1') return ' meta l4proto icmp';
  return ` meta l4proto ${p}`;
}

function peers(rule: SgRule, members: ReadonlyMap<string, string[]>, side: 'saddr' | 'daddr'): string[] {
  const out: string[] = [];
  for (const c of rule.cidrs) out.push(c === '0.0.0.0/0' ? '' : ` ip ${side} ${c}`);
  for (const g of rule.groups) {
    const ips = members.get(g) ?? [];
    if (ips.length) out.push(` ip ${side} { ${ips.join(', ')} }`);
  }
  return out;
}

/** Stateful security groups: return traffic of an allowed flow passes, anything not allowed is dropped. */
export function securityGroupRules(h: Host, model: Inventory, members: ReadonlyMap<string, string[]>, resolver: string): string {
  const input: string[] = [];
  const output: string[] = [];
  for (const e of h.enis) {
    for (const gid of e.groups) {
      const g = model.groups.get(gid);
      if (!g) continue;
      for (const r of g.ingress) for (const who of peers(r, members, 'saddr')) input.push(`    ip daddr ${e.ip}${who}${l4(r)} accept`);
      for (const r of g.egress) {
        for (const who of peers(r, members, 'daddr')) {
          // A connection the group lets out is an ACCEPT record of the source ENI's flow log.
          output.push(`    ip saddr ${e.ip}${who}${l4(r)} meta l4proto { tcp, udp } add @accepted { ip saddr . ip daddr . meta l4proto . th sport . th dport }`);
          output.push(`    ip saddr ${e.ip}${who}${l4(r)} accept`);
        }
      }
    }
  }
  // What the security group rejects is remembered per flow (the ENI's flow log, REJECT records).
  const remember = '    meta l4proto { tcp, udp } add @rejected { ip saddr . ip daddr . meta l4proto . th sport . th dport }';
  return [
    'table inet pathproof {',
    `  set rejected { type ipv4_addr . ipv4_addr . inet_proto . inet_service . inet_service; flags dynamic; counter; size ${FLOW_SET_SIZE}; }`,
    `  set accepted { type ipv4_addr . ipv4_addr . inet_proto . inet_service . inet_service; flags dynamic; counter; size ${FLOW_SET_SIZE}; }`,
    '  chain input {',
    '    type filter hook input priority 0; policy drop;',
    '    iif lo accept',
    '    ct state established,related accept',
    ...input,
    remember,
    '  }',
    '  chain output {',
    '    type filter hook output priority 0; policy drop;',
    '    oif lo accept',
    '    ct state established,related accept',
    // Security groups never filter Amazon DNS or the instance metadata service.
    // https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html
    `    ip daddr ${resolver} meta l4proto { tcp, udp } th dport 53 accept`,
    h.imds ? `    ip daddr ${IMDS_IP} tcp dport 80 accept` : `    ip daddr ${IMDS_IP} reject with tcp reset`,
    ...output,
    remember,
    '  }',
    '}',
  ].join('\n');
}

/** Network ACLs: stateless, evaluated in rule-number order at the subnet edge (the router). */
export function naclRules(s: Subnet, k: number): string[] {
  if (isDefaultAllow(s)) return [];
  return [`    oifname "br${k}" jump nacl_in_${k}`, `    iifname "br${k}" jump nacl_out_${k}`];
}

function isDefaultAllow(s: Subnet): boolean {
  const first = (egress: boolean) => s.nacl.find((e) => e.egress === egress);
  const allowAll = (e?: Subnet['nacl'][number]) => !!e && e.action === 'allow' && e.protocol === '-1' && e.cidr === '0.0.0.0/0';
  return s.nacl.length === 0 || (allowAll(first(true)) && allowAll(first(false)));
}

export function naclChains(vpc: Vpc): string[] {
  const out: string[] = [];
  vpc.subnets.forEach((s, k) => {
    if (isDefaultAllow(s)) return;
    for (const egress of [false, true]) {
      out.push(`  chain nacl_${egress ? 'out' : 'in'}_${k} {`);
      for (const e of s.nacl.filter((x) => x.egress === egress)) {
        const side = egress ? 'daddr' : 'saddr';
        const who = e.cidr === '0.0.0.0/0' ? '' : ` ip ${side} ${e.cidr}`;
        const proto = e.protocol === '-1' ? '' : e.protocol === '6' ? (e.fromPort !== undefined ? ` tcp dport ${e.fromPort}-${e.toPort}` : ' meta l4proto tcp') : e.protocol === '17' ? (e.fromPort !== undefined ? ` udp dport ${e.fromPort}-${e.toPort}` : ' meta l4proto udp') : ` meta l4proto ${e.protocol}`;
        out.push(`    ${`${who}${proto}`.trim() || 'meta nfproto ipv4'} ${e.action === 'allow' ? 'return' : 'drop'}`);
      }
      out.push('    drop', '  }');
    }
  });
  return out;
}
