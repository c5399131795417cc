import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { paramTypes, shellQuote, type ParamType } from '../../src/model/param-types.ts';
import { isRoot, probeDefs, runProbes } from '../helpers/run-probes.ts';

// Each payload, if it ever executed, would create its own sentinel file.
const sentinels = mkdtempSync(path.join(tmpdir(), 'pp-inject-'));
const payloads = (tag: string): string[] => {
  const f = path.join(sentinels, tag);
  return [
    `x'; touch ${f}-q; echo '`,
    `$(touch ${f}-d)`,
    `\`touch ${f}-b\``,
    `x\ntouch ${f}-n`,
    `x; touch ${f}-s`,
    `x && touch ${f}-a`,
    `x | touch ${f}-p`,
    `x" ; touch ${f}-dq ; "`,
    `\${IFS}$(touch\${IFS}${f}-i)`,
  ];
};
afterAll(() => rmSync(sentinels, { recursive: true, force: true }));

describe('parameter validation rejects every injection attempt', () => {
  test.each(Object.keys(paramTypes) as ParamType[])('type %s', (type) => {
    for (const p of payloads('v')) expect(paramTypes[type].pattern.test(p), `${type} accepted ${JSON.stringify(p)}`).toBe(false);
  });
  test('and still accepts the values it is for', () => {
    expect(paramTypes.host.pattern.test('bedrock-runtime.ap-southeast-2.amazonaws.com')).toBe(true);
    expect(paramTypes['url-path'].pattern.test('/model/anthropic.claude-3-haiku-20240307-v1:0/invoke')).toBe(true);
    expect(paramTypes.port.pattern.test('65535')).toBe(true);
    expect(paramTypes.port.pattern.test('65536')).toBe(false);
  });
});

describe('quoting alone makes injection impossible, even when validation is bypassed', () => {
  test('shellQuote round-trips through sh', async () => {
    const { execa } = await import('execa');
    for (const p of [...payloads('rt'), "it's", "''", '\\', '']) {
      const r = await execa('sh', ['-c', `printf '%s' ${shellQuote(p)}`]);
      expect(r.stdout).toBe(p);
    }
    expect(existsSync(path.join(sentinels, 'rt-q'))).toBe(false);
  });

  test.runIf(isRoot)('every parameter of every real probe, with every payload, never executes', { timeout: 120_000 }, async () => {
    for (const [id, def] of probeDefs) {
      const calls = [];
      for (const [name, pdef] of Object.entries(def.parameters)) {
        for (const p of payloads(`${id}-${name}`)) {
          // Benign values for the other parameters, the payload for this one.
          const params: Record<string, string> = {};
          for (const [other, od] of Object.entries(def.parameters)) {
            if (od.default !== undefined) params[other] = String(od.default);
            else if (od.required) params[other] = od.type === 'port' ? '9' : od.type === 'marker' ? 'pp-x' : '127.0.0.1';
          }
          if (pdef.type === 'seconds' || pdef.type === 'count') params.connect_timeout = '1';
          params[name] = p;
          calls.push({ probe: id, params, timeoutSeconds: 4 });
        }
      }
      const { obs } = await runProbes(calls, { env: { CURL_CA_BUNDLE: '/nonexistent' } });
      expect(obs.truncated, `batch of ${id} did not finish`).toBe(false);
    }
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(sentinels)).toEqual([]);
  });

  test.runIf(isRoot)('a value arrives at the probe byte for byte (minus control characters in JSON)', async () => {
    const echo = new Map([['echo', { script: 'pp_emit ok "\\"v\\":\\"$(pp_json "$PP_v")\\""\n', outcomes: { ok: 'success' as const } }]]);
    const values = payloads('echo');
    const { obs } = await runProbes(values.map((v) => ({ probe: 'echo', params: { v } })), { defs: echo });
    obs.probes.forEach((p, i) => expect(p.data.v).toBe(values[i]!.replace(/[\u0000-\u001f]/g, '')));
    expect(existsSync(path.join(sentinels, 'echo-d'))).toBe(false);
  });

  test('a canary proves the harness would notice an executed payload', async () => {
    const { execa } = await import('execa');
    const f = path.join(sentinels, 'canary');
    await execa('sh', ['-c', `echo $(touch ${f})`]);
    expect(existsSync(f)).toBe(true);
    rmSync(f);
  });
});

describe('host values mean exactly what they say', () => {
  test('numeric spellings other than dotted-quad decimal are refused (they resolve to another address)', async () => {
    const { paramTypes } = await import('../../src/model/param-types.ts');
    for (const v of ['10.0.2.010', '2130706433', '0x7f.1', '127.1', '10.0.2.01', '0x0a000214']) expect(paramTypes.host.pattern.test(v), v).toBe(false);
    for (const v of ['10.0.2.10', '203.0.113.10', 'bedrock-runtime.ap-southeast-2.amazonaws.com', 'canary.pathproof.test', 'localhost']) expect(paramTypes.host.pattern.test(v), v).toBe(true);
  });
});
