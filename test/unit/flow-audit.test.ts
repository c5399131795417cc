/**
 * The flow-log audit: AWS's delivered formats read as streams, and records judged by the catalog
 * (violations, reply halves, SYN-only opens, data-zone attempts, large transfers, unapproved
 * external addresses, NODATA/SKIPDATA), then the audit command end to end with its exit codes.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { localConfig } from '../helpers/reference.ts';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
import { readFlowLogFile } from '../../src/load/flow-log-file.ts';
import { loadConfig } from '../../src/load/config.ts';
import { FlowAuditor, type AuditRecord } from '../../src/verdict/flow-audit.ts';
import { ROOT } from '../helpers/paths.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'pp-flow-'));
const HEADER = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
const rec = (src: string, dst: string, sport: number, dport: number, action = 'ACCEPT', bytes = 100) => `2 123456789012 eni-1 ${src} ${dst} ${sport} ${dport} 6 1 ${bytes} 1764000000 1764000060 ${action} OK`;
const write = (name: string, text: string | Buffer) => { const f = path.join(dir, name); writeFileSync(f, text); return f; };
const all = async (file: string) => { const out = []; for await (const r of readFlowLogFile(file)) out.push(r); return out; };

describe('flow-log files', () => {
  test('the default version 2 format with and without its header line, and gzipped', async () => {
    const body = [rec('10.0.1.10', '10.0.2.20', 51000, 443), '2 123456789012 eni-1 - - - - - - - 1764000000 1764000060 - NODATA'].join('\n');
    for (const f of [write('plain.log', `${body}\n`), write('header.log', `${HEADER}\n${body}\n`), write('zipped.log.gz', gzipSync(`${HEADER}\n${body}\n`)), write('zipped-no-suffix', gzipSync(`${body}\n`))]) {
      const rs = await all(f);
      expect(rs.map((r) => `${r.srcaddr}>${r.dstaddr}:${r.dstport} ${r.action} ${r.logStatus}`), f).toEqual(['10.0.1.10>10.0.2.20:443 ACCEPT OK', '->-:NaN - NODATA']);
    }
  });
  test('a custom field order declared by its header, with tcp-flags', async () => {
    const f = write('custom.log', 'srcaddr dstaddr dstport srcport protocol bytes start action log-status tcp-flags\n10.0.1.10 10.0.3.20 6333 40000 6 60 1764000000 ACCEPT OK 2\n');
    expect(await all(f)).toEqual([expect.objectContaining({ srcaddr: '10.0.1.10', dstaddr: '10.0.3.20', srcport: 40000, dstport: 6333, tcpFlags: 2, line: 2 })]);
  });
  test('a header without a needed field, or a record that does not fit, is refused with file, line, value and fix', async () => {
    await expect(all(write('nofield.log', 'srcaddr dstaddr action\n'))).rejects.toThrow(/nofield\.log: line 1 declares the fields srcaddr dstaddr action, which lack srcport, dstport, protocol, bytes, start, log-status/);
    await expect(all(write('bad.log', `${HEADER}\n2 1 eni-1 10.0.1.10 10.0.2.20 x 443 6 1 1 1 1 ACCEPT OK\n`))).rejects.toThrow(/bad\.log:2: field srcport is "x", not a number; is the header \(line 1\) the file's real field order\?/);
  });
});

describe('records judged by the catalog', () => {
  const config = localConfig({ marker: 'pp-test' });
  const auditor = () => new FlowAuditor(config.catalog, { zones: Object.entries(config.env.zones).map(([name, z]) => ({ name, cidr: z.cidr })), endpoints: config.env.bedrock.endpointCidrs, largeTransferBytes: 1000 });
  const r = (src: string, dst: string, sport: number, dport: number, extra: Partial<AuditRecord> = {}): AuditRecord => ({ srcaddr: src, dstaddr: dst, srcport: sport, dstport: dport, protocol: 6, bytes: 100, start: 1764000000, action: 'ACCEPT', logStatus: 'OK', file: 'f', line: 1, ...extra });

  test('allowed requests and their replies are not violations; a forbidden ACCEPT is, named by zones, port and policy', () => {
    const a = auditor();
    a.add(r('10.0.1.10', '10.0.2.20', 51000, 443)); // NET-001
    a.add(r('10.0.2.20', '10.0.1.10', 443, 51000)); // its reply
    a.add(r('10.0.3.20', '10.0.2.20', 6333, 40000)); // reply of NET-003 from the data zone: not egress
    a.add(r('10.0.2.20', '10.1.1.13', 40001, 443)); // NET-002 to an endpoint
    a.add(r('10.0.1.10', '10.0.3.20', 51001, 6333)); // application → data: default deny
    const s = a.finish();
    expect(s.replies).toBe(2);
    expect(s.findings.map((f) => `${f.kind} ${f.from}→${f.to} ${f.port} ${f.policies.join(',')} ${f.records}`)).toEqual(['violation application→data 6333 default-deny 1']);
  });
  test('a SYN-only record is an opening, never a reply', () => {
    const a = auditor();
    a.add(r('10.0.2.20', '10.0.1.10', 443, 51000, { tcpFlags: 2 }));
    expect(a.finish().findings.map((f) => f.kind)).toEqual(['violation']);
  });
  test('data-zone egress: REJECTs are attempts, an ACCEPT is a violation too; NODATA and SKIPDATA are counted and skipped', () => {
    const a = auditor();
    a.add(r('10.0.3.20', '198.51.100.80', 40000, 80, { action: 'REJECT' }));
    a.add(r('10.0.3.20', '198.51.100.80', 40001, 80, { action: 'REJECT' }));
    a.add(r('10.0.3.20', '198.51.100.81', 40002, 443));
    a.add(r('-', '-', NaN, NaN, { logStatus: 'NODATA' }));
    a.add(r('-', '-', NaN, NaN, { logStatus: 'SKIPDATA' }));
    const s = a.finish();
    expect(s.skipped).toEqual({ NODATA: 1, SKIPDATA: 1 });
    expect(s.records).toBe(3);
    expect(s.findings.map((f) => `${f.kind} ${f.port} ${f.records}`).sort()).toEqual(['data-egress-attempt 443 1', 'data-egress-attempt 80 2', 'violation 443 1']);
  });
  test('inference: a large transfer (summed per flow) and an external address that is not an approved endpoint', () => {
    const a = auditor();
    for (let i = 0; i < 11; i++) a.add(r('10.0.2.20', '10.1.1.13', 40000 + i, 443)); // 1,100 bytes to Bedrock's endpoint: over 1,000
    a.add(r('10.0.2.20', '203.0.113.9', 40100, 443));
    const kinds = a.finish().findings.map((f) => `${f.kind} ${f.to} ${f.bytes}`).sort();
    expect(kinds).toEqual(['large-transfer external-ai 1100', 'unapproved-external internet 100', 'violation internet 100']);
  });
});

describe('npm run pathproof -- audit', () => {
  const audit = (files: string[], extra: string[] = []) => execa('node', ['--import', 'tsx', 'src/cli/main.ts', 'audit', ...files.flatMap((f) => ['--flow-logs', f]), '--out', path.join(dir, 'out'), ...extra], { cwd: ROOT, reject: false });
  test('violations: exit 1 and the same report set as a run, category monitoring', async () => {
    const f = write('mixed.log', `${HEADER}\n${rec('10.0.1.10', '10.0.2.20', 51000, 443)}\n${rec('10.0.1.10', '10.0.3.20', 51001, 6333)}\n`);
    const r = await audit([f]);
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/FAIL \[default-deny\] audit-violation-application-to-data-tcp-6333/);
    const run = readdirSync(path.join(dir, 'out')).at(-1)!;
    const files = readdirSync(path.join(dir, 'out', run));
    for (const name of ['result.json', 'junit.xml', 'pathproof.sarif', 'report.html', 'manifest.json']) expect(files).toContain(name);
    const result = JSON.parse(readFileSync(path.join(dir, 'out', run, 'result.json'), 'utf8')) as { verdicts: { category: string; status: string }[] };
    expect(result.verdicts.map((v) => `${v.category} ${v.status}`)).toEqual(['monitoring FAIL']);
  });
  test('clean logs exit 0; logs with nothing to judge are ERROR, exit 2; a bad file exits 2 naming the line', async () => {
    expect((await audit([write('clean.log', `${rec('10.0.1.10', '10.0.2.20', 51000, 443)}\n`)])).exitCode).toBe(0);
    const empty = await audit([write('empty.log', `${HEADER}\n2 1 eni-1 - - - - - - - 1 2 - NODATA\n`)]);
    expect(empty.exitCode).toBe(2);
    expect(empty.stderr).toMatch(/Could not look: no flow-log record to judge/);
    const bad = await audit([write('broken.log', `${HEADER}\n2 1 eni-1 10.0.1.10 10.0.2.20 x 443 6 1 1 1 1 ACCEPT OK\n`)]);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/broken\.log:2: field srcport is "x"/);
  });
});

describe('flow logs in CloudWatch Logs (moto)', () => {
  test('every event of the groups since a time, page by page, parsed as version 2 records', async () => {
    const { startMoto } = await import('../../infra/twin/emulator.ts');
    const { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } = await import('@aws-sdk/client-cloudwatch-logs');
    const { flowLogEvents } = await import('../../src/aws/flow-logs-cloudwatch.ts');
    await using moto = await startMoto({ runId: 'pp-unit-cwl' });
    const logs = new CloudWatchLogsClient({ region: 'ap-southeast-6', endpoint: moto.url, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    try {
      await logs.send(new CreateLogGroupCommand({ logGroupName: '/flow/nz' }));
      await logs.send(new CreateLogStreamCommand({ logGroupName: '/flow/nz', logStreamName: 'eni-1-all' }));
      const now = Date.now();
      const lines = Array.from({ length: 120 }, (_, i) => rec('10.0.1.10', i % 2 ? '10.0.2.20' : '10.0.3.20', 50000 + i, i % 2 ? 443 : 6333));
      await logs.send(new PutLogEventsCommand({ logGroupName: '/flow/nz', logStreamName: 'eni-1-all', logEvents: lines.map((message, i) => ({ timestamp: now - 1000 + i, message })) }));
      const got = [];
      for await (const r of flowLogEvents(logs, ['/flow/nz'], new Date(now - 60_000))) got.push(r);
      expect(got).toHaveLength(120);
      expect(got[0]).toMatchObject({ srcaddr: '10.0.1.10', dstaddr: '10.0.3.20', dstport: 6333, action: 'ACCEPT', file: '/flow/nz/eni-1-all' });
      const config = localConfig({ marker: 'pp-test' });
      const a = new FlowAuditor(config.catalog, { zones: Object.entries(config.env.zones).map(([name, z]) => ({ name, cidr: z.cidr })), endpoints: config.env.bedrock.endpointCidrs, largeTransferBytes: 1e9 });
      for (const r of got) a.add(r);
      expect(a.finish().findings.map((f) => `${f.kind} ${f.from}→${f.to} ${f.port} ${f.records}`)).toEqual(['violation application→data 6333 60']);
    } finally {
      logs.destroy();
    }
  });
});
