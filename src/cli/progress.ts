import type { ProgressEvent } from '../model/ports.ts';

/**
 * Progress on stderr while the probes run: commands sent and finished, and the hosts still pending,
 * by name. Live on a terminal (one line rewritten in place); in CI a plain line every few seconds.
 */
export function progressPrinter(out: NodeJS.WriteStream = process.stderr, everyMs = 5000): { onProgress(e: ProgressEvent): void; done(): void } {
  let sent = 0;
  let finished = 0;
  const pending = new Map<string, string[]>();
  const line = () => {
    const hosts = [...pending.entries()].flatMap(([b, ids]) => ids.map((id) => `${id} (${b})`));
    return `pathproof: commands ${finished}/${sent} finished; pending: ${hosts.slice(0, 6).join(', ')}${hosts.length > 6 ? `, … ${hosts.length - 6} more` : hosts.length ? '' : 'none'}`;
  };
  const tty = out.isTTY === true;
  let last = 0;
  const timer = tty ? undefined : setInterval(() => { if (sent > finished) out.write(`${line()}\n`); }, everyMs);
  timer?.unref();
  return {
    onProgress(e) {
      if (e.kind === 'sent') { sent += 1; pending.set(`${e.batch}#${sent}`, [...e.instanceIds]); }
      else {
        finished += 1;
        const key = [...pending.keys()].find((k) => k.startsWith(`${e.batch}#`) && pending.get(k)!.join() === e.instanceIds.join());
        if (key) pending.delete(key);
      }
      if (tty && Date.now() - last > 100) { last = Date.now(); out.write(`\r\x1b[2K${line()}`); }
    },
    done() {
      if (timer) clearInterval(timer);
      if (tty) out.write("\r\x1b[2K");
    },
  };
}
