import { setMaxListeners } from 'node:events';

/** How a run was stopped, and the exit code that says so (128 + the signal's number, as shells do). */
const CODES = { SIGINT: 130, SIGTERM: 143 } as const;
export type InterruptSignal = keyof typeof CODES;

export interface Interrupts extends Disposable {
  /** Aborted at the first SIGINT or SIGTERM: stop scheduling, cancel commands, tear down. */
  readonly signal: AbortSignal;
  /** 130 after SIGINT, 143 after SIGTERM; undefined when the run was not interrupted. */
  exitCode(): 130 | 143 | undefined;
}

/**
 * Turns SIGINT and SIGTERM (and the loss of the launching process) into an abort signal. The first one aborts; a second one, a second or
 * more later, forces an exit at once. One Ctrl-C often arrives twice (the terminal signals the whole
 * process group, and npm relays it to its child): a repeat within a second is the same press.
 */
export function handleInterrupts(log: (line: string) => void, exit: (code: number) => void = (c) => process.exit(c), underNpm = process.env.npm_lifecycle_event !== undefined): Interrupts {
  const controller = new AbortController();
  // Every command in flight (16 by default), each SDK call and each poll's sleep listens for the
  // interrupt on this one signal: more than Node's default of 10 listeners is expected, not a leak.
  setMaxListeners(256, controller.signal);
  let first: { signal: InterruptSignal; at: number } | undefined;
  let received = 0;
  // Under npm every press arrives twice (from the terminal, and relayed by npm, sometimes late on a
  // busy machine): a second press is the third signal there, the second one elsewhere.
  const forceAt = underNpm ? 3 : 2;
  const on = (signal: InterruptSignal) => () => {
    received += 1;
    if (first && (Date.now() - first.at < 1000 || received < forceAt)) return;
    if (first) {
      log(`pathproof: second interrupt (${signal}), exiting now; \`npm run lab -- reap\` removes what is left`);
      exit(CODES[first.signal]);
      return;
    }
    first = { signal, at: Date.now() };
    log(`pathproof: interrupted (${signal}); cancelling commands, tearing down and writing a partial report (Ctrl-C again to force)`);
    controller.abort();
  };
  const handlers = { SIGINT: on('SIGINT'), SIGTERM: on('SIGTERM') };
  process.on('SIGINT', handlers.SIGINT);
  process.on('SIGTERM', handlers.SIGTERM);
  // npm does not pass SIGTERM on to its child: it exits and leaves the run orphaned. A run whose
  // launcher is gone was asked to stop, so it stops as if it had been sent SIGTERM itself.
  const parent = process.ppid;
  const watch = setInterval(() => { if (process.ppid !== parent && !first) { log(`pathproof: the launching process ${parent} is gone`); handlers.SIGTERM(); } }, 250);
  watch.unref();
  return {
    signal: controller.signal,
    exitCode: () => (first ? CODES[first.signal] : undefined),
    [Symbol.dispose]() {
      clearInterval(watch);
      process.off('SIGINT', handlers.SIGINT);
      process.off('SIGTERM', handlers.SIGTERM);
    },
  };
}
