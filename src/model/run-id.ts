import { randomBytes } from 'node:crypto';

/** What a run id may look like: runs, labs and tests all name theirs pp-… (lowercase letters, digits, dashes). */
export const RUN_ID = /^pp-[a-z0-9-]{1,80}$/;

export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').toLowerCase();
  return `pp-${stamp}-${randomBytes(2).toString('hex')}`;
}
