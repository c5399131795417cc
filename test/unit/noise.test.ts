import { describe, expect, test } from 'vitest';
import { formatPreflight } from '../../src/model/ports.ts';

describe('noise', () => {
  test('preflight problems are not printed with the word reserved for non-compliance', () => {
    const out = formatPreflight([{ ok: true, what: 'credentials of nz', detail: 'account 1' }, { ok: false, what: 'SSM agent of i-1 (data)', detail: 'ConnectionLost' }]);
    expect(out).not.toMatch(/\bFAIL\b/);
    expect(out.split('\n')).toEqual(['ok      credentials of nz: account 1', 'PROBLEM SSM agent of i-1 (data): ConnectionLost']);
  });
});
