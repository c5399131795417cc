/**
 * DNS tunnelling signals in Resolver query logs, on generated logs with known answers: benign traffic
 * (approved AWS names, ordinary websites, a CDN with many hosts) and three tunnels (base32 chunks in
 * long labels, hex chunks in shorter ones, TXT polling of a command server). Prints the detection
 * and false-positive counts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { localConfig } from '../helpers/reference.ts';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
import { approvedNames, DnsAuditor, dnsAuditVerdicts, entropyBits } from '../../src/verdict/dns-audit.ts';
import type { QueryLogRecord } from '../../src/model/dns-firewall.ts';
import { loadConfig } from '../../src/load/config.ts';
import { ROOT } from '../helpers/paths.ts';

const env = localConfig({ marker: 'pp-test-dnsaudit' }).env;
let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
const randomLabel = (alphabet: string, n: number) => Array.from({ length: n }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
const t0 = Date.parse('2026-12-02T00:00:00Z');
const rec = (i: number, src: string, name: string, type = 'A', extra: Partial<QueryLogRecord> = {}): QueryLogRecord => ({
  vpc_id: 'vpc-nz', query_timestamp: new Date(t0 + i * 1000).toISOString(), query_name: `${name}.`, query_type: type, rcode: 'NOERROR', srcaddr: src, ...extra,
});

function generate(): { records: QueryLogRecord[]; tunnels: string[]; benignParents: string[] } {
  const records: QueryLogRecord[] = [];
  const approved = approvedNames(env);
  const websites = ['www.example.com', 'api.github.com', 'pypi.org', 'registry.npmjs.org', 'docs.aws.amazon.com', 'login.microsoftonline.com'];
  const hosts = ['10.0.1.10', '10.0.2.10', '10.0.3.10', '10.0.4.10'];
  for (let i = 0; i < 3000; i++) {
    const r = rand();
    const name = r < 0.6 ? pick(approved) : r < 0.9 ? pick(websites) : `img-${Math.floor(rand() * 30)}.cdn.example.net`;
    records.push(rec(i, pick(hosts), name, rand() < 0.2 ? 'AAAA' : 'A'));
  }
  // Tunnel A: 200 chunks of base32, 52 characters per label, from inference.
  for (let i = 0; i < 200; i++) records.push(rec(3000 + i, '10.0.2.10', `${randomLabel('abcdefghijklmnopqrstuvwxyz234567', 52)}.t.tunnel-a.example`));
  // Tunnel B: hex chunks of 30 characters (under the length threshold), from data, blocked by DNS Firewall.
  for (let i = 0; i < 120; i++) records.push(rec(3300 + i, '10.0.3.10', `${randomLabel('0123456789abcdef', 30)}.x.tunnel-b.test`, 'A', { rcode: 'NXDOMAIN', firewall_rule_action: 'BLOCK' }));
  // Tunnel C: TXT polling of a command server with short labels, from the sandbox.
  for (let i = 0; i < 30; i++) records.push(rec(3500 + i, '10.0.5.10', `p${i}.c2.tunnel-c.example`, 'TXT'));
  return { records, tunnels: ['tunnel-a.example', 'tunnel-b.test', 'tunnel-c.example'], benignParents: ['example.com', 'github.com', 'pypi.org', 'npmjs.org', 'amazon.com', 'microsoftonline.com', 'example.net', 'amazonaws.com'] };
}

describe('DNS tunnelling audit', () => {
  test('entropy separates encoded data from names people choose', () => {
    expect(entropyBits('bedrock-agent-runtime')).toBeLessThan(3.9);
    expect(entropyBits('login-microsoftonline')).toBeLessThan(3.9);
    expect(entropyBits(randomLabel('abcdefghijklmnopqrstuvwxyz234567', 40))).toBeGreaterThan(3.9);
  });

  test('generated logs: every tunnel is detected, no benign domain is flagged, blocked queries are attempts', () => {
    const { records, tunnels, benignParents } = generate();
    const auditor = new DnsAuditor(Object.entries(env.zones).map(([name, z]) => ({ name, cidr: z.cidr })), approvedNames(env), env.audit.dns);
    for (const r of records) auditor.add(r);
    const summary = auditor.finish();
    const flagged = new Set(summary.findings.filter((f) => f.kind !== 'blocked-attempt').map((f) => f.parent));
    const detected = tunnels.filter((t) => flagged.has(t) || summary.findings.some((f) => f.parent === t));
    const falsePositives = benignParents.filter((p) => flagged.has(p));
    process.stdout.write(`dns audit on ${records.length} generated queries: tunnels detected ${detected.length}/${tunnels.length}, false positives ${falsePositives.length}/${benignParents.length} benign parent domains; findings: ${summary.findings.map((f) => `${f.kind} ${f.zone} ${f.parent} ×${f.queries}`).join(', ')}\n`);
    expect(detected).toEqual(tunnels);
    expect(falsePositives).toEqual([]);
    const kinds = (parent: string) => new Set(summary.findings.filter((f) => f.parent === parent).map((f) => f.kind));
    expect(kinds('tunnel-a.example')).toEqual(new Set(['long-label', 'high-entropy', 'many-subdomains']));
    // Hex carries at most 4 bits per character: 30-character hex labels stay under the entropy
    // threshold, and the count of distinct subdomains is what gives the tunnel away.
    expect(kinds('tunnel-b.test')).toEqual(new Set(['many-subdomains', 'blocked-attempt']));
    expect(kinds('tunnel-c.example')).toEqual(new Set(['txt-null-unapproved']));
    const verdicts = dnsAuditVerdicts(summary, { env, sources: ['generated'] });
    expect(verdicts.find((v) => v.checkId === 'audit-dns-blocked-attempt-data-tunnel-b-test')?.status).toBe('PASS');
    expect(verdicts.filter((v) => v.status === 'FAIL').map((v) => v.from).sort()).toEqual(['data', 'inference', 'inference', 'inference', 'sandbox']);
  });

  test('benign logs alone: one PASS; no record at all: ERROR', () => {
    const auditor = new DnsAuditor(Object.entries(env.zones).map(([name, z]) => ({ name, cidr: z.cidr })), approvedNames(env), env.audit.dns);
    for (const r of generate().records.slice(0, 3000)) auditor.add(r);
    expect(dnsAuditVerdicts(auditor.finish(), { env, sources: ['benign'] }).map((v) => v.status)).toEqual(['PASS']);
    const empty = new DnsAuditor([], [], env.audit.dns).finish();
    expect(dnsAuditVerdicts(empty, { env, sources: ['none'] })[0]!.status).toBe('ERROR');
  });

  test('the audit command judges query-log files: exit 1 on tunnelling, exit 2 naming the line of a bad record', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pp-dnsaudit-'));
    const good = path.join(dir, 'queries.jsonl');
    writeFileSync(good, `${generate().records.map((r) => JSON.stringify(r)).join('\n')}\n`);
    const r = await execa(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'audit', '--query-logs', good, '--out', dir], { cwd: ROOT, reject: false });
    expect(r.exitCode, r.stderr.slice(-1500)).toBe(1);
    expect(r.stderr).toMatch(/query-log record\(s\) judged for DNS tunnelling/);
    const bad = path.join(dir, 'bad.jsonl');
    writeFileSync(bad, `${JSON.stringify(rec(0, '10.0.2.10', 'ok.example'))}\n{"query_name": 5}\n`);
    const b = await execa(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'audit', '--query-logs', bad, '--out', dir], { cwd: ROOT, reject: false });
    expect(b.exitCode).toBe(2);
    expect(b.stderr).toContain(`${bad}:2: not a Resolver query-log record`);
  });
});
