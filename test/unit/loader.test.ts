import { mkdtempSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/load/config.ts';
import { ConfigError, formatIssue, IssueCollector } from '../../src/shared/issues.ts';
import { loadProbes } from '../../src/load/probes.ts';
import { INVALID, ROOT } from '../helpers/paths.ts';
import { referenceInventory } from '../helpers/reference.ts';

function load(opts: { suitesDir?: string; envFile?: string; env?: string }) {
  return loadConfig({ root: ROOT, env: opts.env ?? 'local', marker: 'pp-test-0001', inventory: referenceInventory(), ...opts });
}
function issuesOf(fn: () => unknown) {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('shipped configuration', () => {
  test.each(['local', 'prod'])('env %s loads with every suite', (env) => {
    const c = load({ env });
    expect(c.checks.length).toBeGreaterThan(20);
    expect(c.controls.size).toBe(6);
    // ${...} references are expanded and typed values become strings.
    const invoke = c.checks.find((x) => x.id === 'net002-bedrock-runtime-invoke')!;
    expect(invoke.params.host).toBe('bedrock-runtime.ap-southeast-2.amazonaws.com');
    expect(invoke.params.path).toBe(`/model/${c.env.models.allowed}/invoke`);
    // ${run.marker} is the run's marker plus a hash of the check id, so a canary hit names its check.
    expect(c.checks.find((x) => x.id === 'exfil-inference-http-sink')!.params.marker).toMatch(/^pp-test-0001-[0-9a-f]{6}$/);
  });

  test('addresses left out are discovered from tags; what cannot be found unambiguously names the file, line, tag and fix', () => {
    const found = load({ env: 'local' });
    expect(found.env.discovery?.gaps).toHaveLength(14);
    expect(found.env.services['model-proxy']!.host).toBe('10.0.2.20');
    expect(found.checks.find((x) => x.id === 'net001-app-to-model-proxy')!.params.host).toBe('10.0.2.20');
    // Without an inventory: placeholders that validate as the real values will, never a guess.
    const pending = loadConfig({ root: ROOT, env: 'local', marker: 'm' });
    expect(pending.env.zones.inference!.cidr).toBe('0.0.0.0/32');
    expect(pending.env.services['model-proxy']!.host).toBe('0.0.0.0');
    // A service tag gone, two subnets claiming one zone, a tag whose host lies outside the zone.
    const inv = referenceInventory();
    const broken = {
      ...inv,
      vpcs: inv.vpcs.map((v) => ({ ...v, subnets: v.subnets.map((sn) => (sn.zone === 'sandbox' ? { ...sn } : sn)).concat(v.name === 'pathproof-nz' ? [{ ...v.subnets[0]!, id: 'subnet-extra', cidr: '10.0.9.0/24', zone: 'data' }] : []) })),
      hosts: inv.hosts.map((h) => (h.tags['pathproof:service'] === 'model-proxy' ? { ...h, tags: { Name: 'model-proxy' } } : h.tags['pathproof:service'] === 'secrets' ? { ...h, enis: [{ ...h.enis[0]!, ip: '10.0.1.99' }] } : h)),
    };
    const issues = issuesOf(() => loadConfig({ root: ROOT, env: 'local', marker: 'm', inventory: broken }));
    const text = issues.map((i) => formatIssue(i)).join('\n');
    expect(text).toMatch(/fixtures\/environments\/local\.yaml:\d+:\d+ discovery-failed no subnet|2 subnets of pathproof-nz are tagged pathproof:zone=data \(subnet-nz-data 10\.0\.3\.0\/24, subnet-extra 10\.0\.9\.0\/24\); a zone is one range/);
    expect(text).toMatch(/local\.yaml:\d+:\d+ discovery-failed no instance or load balancer in pathproof-nz \(vpc-nz\) is tagged pathproof:service=model-proxy; tag the service's instance or load balancer pathproof:service=model-proxy, or write host:/);
    expect(text).toMatch(/discovery-failed instance i-secrets tagged pathproof:service=secrets has address 10\.0\.1\.99, outside zone management \(10\.0\.4\.0\/24\)/);
    // Each names the line of the entry it belongs to.
    const line = (key: string) => readFileSync(path.join(ROOT, 'fixtures/environments/local.yaml'), 'utf8').split('\n').findIndex((l) => l.startsWith(`  ${key}:`)) + 1;
    expect(issues.find((i) => i.path === 'services.model-proxy.host')!.line).toBe(line('model-proxy'));
  });

  test('the SDK-name checks are generated from the environment: every zone × every FIPS, dual-stack and mantle name of its services', () => {
    const c = load({ env: 'local' });
    const gen = c.checks.filter((x) => x.id.startsWith('sdk-name-'));
    const zones = Object.keys(c.env.zones);
    // 4 services × (fips, dualstack, fips-dualstack) + bedrock-mantle, from each zone.
    expect(gen).toHaveLength(zones.length * (c.env.bedrock.services.length * 3 + 1));
    const app = gen.find((x) => x.id === 'sdk-name-application-bedrock-runtime-dualstack')!;
    expect(app).toMatchObject({ from: 'application', policies: ['NET-010'], params: { name: 'bedrock-runtime.ap-southeast-2.api.aws' }, expect: { result: 'stays-private', cidrs: c.env.bedrock.endpointCidrs } });
    expect(gen.find((x) => x.id === 'sdk-name-inference-bedrock-mantle')?.params.name).toBe('bedrock-mantle.ap-southeast-2.api.aws');
    expect(gen.find((x) => x.id === 'sdk-name-sandbox-bedrock-fips')?.policies).toEqual(['default-deny']);
  });

  test('an unknown environment is named with the known ones', () => {
    expect(() => load({ env: 'staging' })).toThrow(/environment "staging".*known: local, localstack, prod/);
  });
});

// One invalid fixture per rule: test/fixtures/invalid/<code>/*.yaml, each must yield that code at a precise place.
const expected: Record<string, { line: number; col: number; text?: RegExp }> = {
  'yaml-syntax': { line: 6, col: 1 },
  'unknown-field': { line: 13, col: 5, text: /"severity" is not a known field/ },
  'missing-field': { line: 4, col: 5, text: /"title" is missing/ },
  'invalid-value': { line: 6, col: 15, text: /from "sideways"/ },
  'invalid-type': { line: 7, col: 15, text: /from "NET-010"/ },
  'duplicate-id': { line: 13, col: 9, text: /already used at .*s\.yaml:4/ },
  'id-mismatch': { line: 1, col: 8, text: /set suite: other-name/ },
  'unknown-zone': { line: 8, col: 11, text: /from "infrence" is not a zone of env local; zones: application, inference/ },
  'unknown-policy': { line: 7, col: 16, text: /from "NET-099"/ },
  'unknown-probe': { line: 10, col: 12, text: /from "ping" is not a probe; probes: bedrock-call, dns-exfil/ },
  'unknown-parameter': { line: 11, col: 43, text: /"retries" is not a parameter of probe tcp-connect/ },
  'missing-parameter': { line: 11, col: 13, text: /needs parameter "port"/ },
  'invalid-parameter': { line: 11, col: 21, text: /from "x; rm -rf \/" is not a DNS name/ },
  'unknown-reference': { line: 11, col: 21, text: /\$\{services\.vektor-db\.host\} names nothing/ },
  'policy-mismatch': { line: 7, col: 16, text: /governs inference → data, but the check goes application → data/ },
  'expectation-mismatch': { line: 12, col: 37, text: /"nxdomian" is not a block outcome of probe tcp-connect/ },
};

describe('invalid suites: every error at once, with code, file:line:col, value and fix', () => {
  test('there is one fixture per rule', () => {
    expect(readdirSync(INVALID).sort()).toEqual(Object.keys(expected).sort());
  });
  test.each(Object.entries(expected))('%s', (code, where) => {
    const issues = issuesOf(() => load({ suitesDir: path.join(INVALID, code) }));
    const hit = issues.find((i) => i.code === code);
    expect(hit, issues.map((i) => formatIssue(i)).join('\n')).toBeDefined();
    expect([hit!.line, hit!.col]).toEqual([where.line, where.col]);
    const text = formatIssue(hit!, ROOT);
    expect(text).toMatch(new RegExp(`^test/fixtures/invalid/${code}/[a-z-]+\\.yaml:${where.line}:${where.col} ${code}`));
    if (where.text) expect(text).toMatch(where.text);
    expect(hit!.fix.length).toBeGreaterThan(5);
  });

  test('all problems of all files are reported together', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pp-suites-'));
    for (const code of ['unknown-zone', 'unknown-policy', 'unknown-probe']) {
      const text = readFileSync(path.join(INVALID, code, 's.yaml'), 'utf8').replace('suite: s', `suite: ${code}`).replace('id: chk-one', `id: chk-${code}`);
      writeFileSync(path.join(dir, `${code}.yaml`), text);
    }
    const issues = issuesOf(() => load({ suitesDir: dir }));
    const codes = new Set(issues.map((i) => i.code));
    for (const code of ['unknown-zone', 'unknown-policy', 'unknown-probe']) expect(codes).toContain(code);
    expect(new Set(issues.map((i) => path.basename(i.file))).size).toBe(3);
  });
});

describe('invalid environments and probes', () => {
  test('an environment naming an undefined account, an unknown control probe and no credentials source', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pp-env-'));
    const text = load({ env: 'prod' }).env.file;
    const env = path.join(dir, 'bad.yaml');
    writeFileSync(env, readFileSync(text, 'utf8')
      .replace('account: syd', 'account: sydney')
      .replace('    roleArn: arn:aws:iam::111111111111:role/pathproof-runner\n', '')
      .replace('control: { probe: tcp-connect, params: { host: "${services.model-proxy.host}", port: 443 } }', 'control: { probe: nc, params: {} }'));
    const issues = issuesOf(() => load({ envFile: env }));
    const codes = issues.map((i) => i.code);
    expect(codes).toContain('unknown-account');
    expect(codes).toContain('unknown-probe');
    expect(issues.some((i) => i.code === "missing-field" && /profile or a roleArn/.test(i.message))).toBe(true);
  });

  test('probe id must equal its folder, and a script may not contain the heredoc terminator', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pp-probes-'));
    mkdirSync(path.join(dir, 'alpha'));
    writeFileSync(path.join(dir, 'alpha/probe.yaml'), 'id: beta\ntitle: t\ndescription: d\ntools: []\nattempt: t\ntimeout: { per: [] }\nparameters: {}\noutcomes: { ok: success }\n');
    writeFileSync(path.join(dir, 'alpha/probe.sh'), 'pp_emit ok\n');
    mkdirSync(path.join(dir, 'gamma'));
    writeFileSync(path.join(dir, 'gamma/probe.yaml'), 'id: gamma\ntitle: t\ndescription: d\ntools: []\nattempt: t\ntimeout: { per: [] }\nparameters: {}\noutcomes: { ok: success }\n');
    writeFileSync(path.join(dir, 'gamma/probe.sh'), 'echo hi\nPATHPROOF_PROBE_END\nrm -rf /\n');
    const issues = new IssueCollector();
    const probes = loadProbes(dir, issues);
    expect(probes.size).toBe(0);
    expect(issues.issues.map((i) => `${i.code}:${i.line}:${i.col}`)).toEqual(['id-mismatch:1:5', 'unsafe-script:1:1']);
  });
});

describe('bad files are refused, located, never hang or crash', () => {
  const suiteDir = () => mkdtempSync(path.join(tmpdir(), 'pp-bad-'));
  const ok = `suite: x\ndescription: d\nchecks:\n  - { id: x-one, title: t, category: negative, policies: [NET-010], from: application, to: external-ai, probe: tcp-connect, params: { host: 10.0.2.1, port: 443 }, expect: { result: blocked } }\n`;

  test('a FIFO is not read (it would block forever)', async () => {
    const dir = suiteDir();
    const { execa } = await import('execa');
    await execa('mkfifo', [path.join(dir, 'x.yaml')]);
    const issues = issuesOf(() => load({ suitesDir: dir }));
    expect(issues.map((i) => `${i.code} ${i.message}`)).toContainEqual(expect.stringMatching(/^unsafe-file is not a regular file \(a FIFO\)/));
  }, 5000);

  test('a symlink to /dev/zero and a file over the size limit are refused', async () => {
    const dir = suiteDir();
    const { symlinkSync } = await import('node:fs');
    symlinkSync('/dev/zero', path.join(dir, 'a.yaml'));
    writeFileSync(path.join(dir, 'b.yaml'), `# ${'x'.repeat(1024 * 1024 + 10)}\n${ok}`);
    const issues = issuesOf(() => load({ suitesDir: dir }));
    expect(issues.filter((i) => i.code === 'unsafe-file').map((i) => `${path.basename(i.file)} ${i.message.slice(0, 40)}`)).toEqual([
      'a.yaml is not a regular file (a device)',
      "b.yaml is 1048814 bytes, more than the 1048576 ",
    ]);
  });

  test('a YAML alias bomb is a located configuration error, not a ReferenceError', () => {
    const dir = suiteDir();
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    writeFileSync(path.join(dir, 'x.yaml'), `${levels.join('\n')}\n${ok}`);
    const issues = issuesOf(() => load({ suitesDir: dir }));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ code: 'yaml-syntax', line: 1 });
    expect(issues[0]!.message).toMatch(/cannot be expanded/);
  });

  test('a NUL byte or other control character in a value is rejected with its line, never dropped', () => {
    const dir = suiteDir();
    writeFileSync(path.join(dir, 'x.yaml'), ok.replace('title: t', 'title: "t\\0u"').replace('host: 10.0.2.1', 'host: "10.0.2.1\\u0007"'));
    const issues = issuesOf(() => load({ suitesDir: dir }));
    expect(issues.map((i) => `${i.line} ${i.code} ${i.message.slice(0, 37)}`)).toEqual([
      '4 invalid-value contains the control character U+0000',
      '4 invalid-value contains the control character U+0007',
    ]);
  });
});
