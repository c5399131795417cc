/**
 * The twin's application load balancer: an HTTP/1.1 listener that forwards each request to its
 * targets (round robin; HTTPS targets without certificate checks, as an ALB does) and enforces the
 * idle time-out the API reports, at its real value: when no byte has gone either way for
 * `idleSeconds`, the connection is closed, and a target that has not answered by then gets the
 * client a 504.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#connection-idle-timeout
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-troubleshooting.html#http-504-issues
 */
import http from 'node:http';
import https from 'node:https';

export interface AlbListener {
  kind: 'alb'; host: string; port: number; name: string; idleSeconds: number;
  targets: { ip: string; port: number; protocol: string }[];
}

/** Resolves with the port it listens on (port 0 in the listener picks a free one). */
export function startAlb(l: AlbListener, record: (entry: Record<string, unknown>) => void): Promise<number> {
  let next = 0;
  const server = http.createServer((req, res) => {
    const from = req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '';
    const target = l.targets[next++ % Math.max(1, l.targets.length)];
    const note = (outcome: string) => record({ kind: 'alb', name: l.name, from, path: req.url, target: target ? `${target.ip}:${target.port}` : null, outcome, idleSeconds: l.idleSeconds });
    if (!target) { note('no-target'); res.writeHead(503); res.end(); return; }
    const client = target.protocol === 'HTTPS' ? https : http;
    const up = client.request({ host: target.ip, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, 'x-forwarded-for': from }, rejectUnauthorized: false }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
      answer.on('end', () => note('forwarded'));
    });
    let idled = false;
    up.on('error', () => { if (idled) return; if (!res.headersSent) { note('target-error'); res.writeHead(502); res.end(); } else res.destroy(); });
    req.pipe(up);
    // Idle: no byte either way on the client's connection for idleSeconds. Node's socket time-out
    // counts reads and writes, and every byte the target streams is written to it.
    res.setTimeout(l.idleSeconds * 1000, () => {
      idled = true;
      note(res.headersSent ? 'idle-closed' : 'idle-504');
      if (!res.headersSent) { res.writeHead(504, { connection: 'close' }); res.end(); } else req.socket.destroy();
      up.destroy();
    });
  });
  server.keepAliveTimeout = l.idleSeconds * 1000;
  server.requestTimeout = 0;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(l.port, l.host, () => resolve((server.address() as import('node:net').AddressInfo).port));
  });
}
