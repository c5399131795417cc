/**
 * The twin's load balancer enforces its idle time-out at the real value: a stream that pauses longer
 * is cut (after the answer began) or answered 504 (before), and one that pauses less arrives whole.
 * Loopback only: the target and the balancer listen on 127.0.0.1.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, test } from 'vitest';
import { startAlb } from '../../infra/twin/servers/alb.ts';

const servers: http.Server[] = [];
afterAll(() => { for (const s of servers) s.close(); });

/** A target that sends one event, pauses ?gap ms (before the headers with ?late), then ends. */
async function target(): Promise<number> {
  const s = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const gap = Number(u.searchParams.get('gap'));
    if (u.searchParams.has('late')) { setTimeout(() => res.end('late'), gap); return; }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('event: start\n\n');
    setTimeout(() => res.end('event: stop\n\n'), gap);
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  return (s.address() as AddressInfo).port;
}

async function get(port: number, path: string): Promise<{ status: number; body: string; complete: boolean }> {
  return new Promise((resolve) => {
    http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, complete: res.complete }));
      res.on('error', () => resolve({ status: res.statusCode ?? 0, body, complete: false }));
      res.on('aborted', () => resolve({ status: res.statusCode ?? 0, body, complete: false }));
    }).on('error', () => resolve({ status: 0, body: '', complete: false }));
  });
}

describe('the twin load balancer idle time-out', () => {
  test('a pause shorter than the idle time-out arrives whole; a longer one is cut; a silent target is 504', async () => {
    const to = await target();
    const records: Record<string, unknown>[] = [];
    const ports = [
      await startAlb({ kind: 'alb', host: '127.0.0.1', port: 0, name: 'idle-1s', idleSeconds: 1, targets: [{ ip: '127.0.0.1', port: to, protocol: 'HTTP' }] }, (e) => records.push(e)),
      await startAlb({ kind: 'alb', host: '127.0.0.1', port: 0, name: 'idle-3s', idleSeconds: 3, targets: [{ ip: '127.0.0.1', port: to, protocol: 'HTTP' }] }, (e) => records.push(e)),
    ];
    const [cut, whole, late] = await Promise.all([get(ports[0]!, '/s?gap=1800'), get(ports[1]!, '/s?gap=1800'), get(ports[0]!, '/s?gap=1800&late')]);
    expect(whole).toMatchObject({ status: 200, complete: true });
    expect(whole.body).toContain('event: stop');
    expect(cut.status).toBe(200);
    expect(cut.complete).toBe(false);
    expect(cut.body).not.toContain('event: stop');
    expect(late.status).toBe(504);
    expect(records.map((r) => r.outcome)).toEqual(expect.arrayContaining(['idle-closed', 'idle-504', 'forwarded']));
  });
});
