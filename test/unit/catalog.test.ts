import { describe, expect, test } from 'vitest';
import { loadCatalog } from '../../src/load/catalog.ts';
import { evaluate, type Flow } from '../../src/model/evaluate.ts';
import { IssueCollector } from '../../src/shared/issues.ts';
import { ROOT } from '../helpers/paths.ts';
import path from 'node:path';
import { type Policy } from '../../src/model/catalog.ts';

const issues = new IssueCollector();
const catalog = loadCatalog(path.join(ROOT, 'fixtures'), issues);
const tcp = (from: string, to: string, port: number): Flow => ({ from, to, protocol: 'tcp', port });

describe('policy catalog', () => {
  test('ships NET-001..004 and NET-010..012 with no load issue', () => {
    expect(issues.issues).toEqual([]);
    expect([...catalog.policies.keys()]).toEqual(['NET-001', 'NET-002', 'NET-003', 'NET-004', 'NET-010', 'NET-011', 'NET-012']);
    expect(catalog.frameworks.find((c) => c.id === 'SC-7')?.policies).toContain('NET-010');
  });

  test.each([
    [tcp('application', 'inference', 443), 'allow', 'NET-001'],
    [tcp('inference', 'external-ai', 443), 'allow', 'NET-002'],
    [tcp('inference', 'data', 6333), 'allow', 'NET-003'],
    [tcp('inference', 'data', 6334), 'allow', 'NET-003'],
    [tcp('inference', 'management', 443), 'allow', 'NET-004'],
    [tcp('application', 'external-ai', 443), 'deny', 'NET-010'],
    [tcp('data', 'internet', 443), 'deny', 'NET-011'],
    [tcp('data', 'inference', 443), 'deny', 'NET-011'],
    [tcp('inference', 'internet', 80), 'deny', 'NET-012'],
  ])('%o is %s by %s', (flow, action, id) => {
    const d = evaluate(catalog, flow);
    expect(d.action).toBe(action);
    expect(d.policies.map((p) => p.id)).toContain(id);
  });

  test('port ranges are inclusive and nothing beyond them is allowed', () => {
    expect(evaluate(catalog, tcp('inference', 'data', 6332)).reason).toBe('default-deny');
    expect(evaluate(catalog, tcp('inference', 'data', 6335)).reason).toBe('default-deny');
  });

  test('default deny for flows no policy names', () => {
    const d = evaluate(catalog, tcp('application', 'data', 6333));
    expect(d).toEqual({ action: 'deny', reason: 'default-deny', policies: [] });
    expect(evaluate(catalog, tcp('sandbox', 'internet', 80)).reason).toBe('default-deny');
  });

  test('an explicit deny beats any allow', () => {
    const allow: Policy = { ...catalog.policies.get('NET-001')!, id: 'NET-100', from: 'data', to: 'internet', ports: [] };
    const merged = { policies: new Map([...catalog.policies, ['NET-100', allow]]) };
    const d = evaluate(merged, tcp('data', 'internet', 443));
    expect(d.action).toBe('deny');
    expect(d.reason).toBe('explicit-deny');
    expect(d.policies.map((p) => p.id)).toEqual(['NET-011']);
    // Without the deny, the same flow is allowed: the test above can fail.
    const noDeny = { policies: new Map([...merged.policies].filter(([id]) => id !== 'NET-011')) };
    expect(evaluate(noDeny, tcp('data', 'internet', 443)).action).toBe('allow');
  });
});
