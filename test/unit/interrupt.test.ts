import { afterEach, describe, expect, test, vi } from 'vitest';
import { handleInterrupts } from '../../src/cli/interrupt.ts';

afterEach(() => { vi.useRealTimers(); });

function setup(underNpm: boolean) {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2026-11-24T10:00:00Z'));
  const exits: number[] = [];
  const lines: string[] = [];
  const h = handleInterrupts((l) => lines.push(l), (c) => exits.push(c), underNpm);
  const send = (sig: 'SIGINT' | 'SIGTERM', afterMs = 0) => { vi.setSystemTime(Date.now() + afterMs); process.emit(sig as never); };
  return { h, exits, lines, send };
}

describe('interrupts', () => {
  test('the first SIGINT aborts and means 130; a repeat within a second is the same press; a later one forces', () => {
    const { h, exits, send } = setup(false);
    try {
      send('SIGINT');
      expect(h.signal.aborted).toBe(true);
      expect(h.exitCode()).toBe(130);
      send('SIGINT', 300);
      expect(exits).toEqual([]);
      send('SIGINT', 1500);
      expect(exits).toEqual([130]);
    } finally { h[Symbol.dispose](); }
  });

  test('SIGTERM is handled like SIGINT and means 143', () => {
    const { h, send } = setup(false);
    try {
      send('SIGTERM');
      expect(h.signal.aborted).toBe(true);
      expect(h.exitCode()).toBe(143);
    } finally { h[Symbol.dispose](); }
  });

  test('under npm a press arrives twice, even late: only a second press forces', () => {
    const { h, exits, send } = setup(true);
    try {
      send('SIGINT');
      send('SIGINT', 1800); // npm's relay of the same press, late on a busy machine
      expect(exits).toEqual([]);
      send('SIGINT', 2000); // the second press
      expect(exits).toEqual([130]);
    } finally { h[Symbol.dispose](); }
  });
});
