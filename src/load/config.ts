import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { loadCatalog, yamlFiles } from './catalog.ts';
import { evaluate } from '../model/evaluate.ts';
import type { z } from 'zod';
import { PathproofError } from '../model/errors.ts';
import { IssueCollector } from '../shared/issues.ts';
import { EnvironmentFile, ResolvedEnvironment, referenceables, sdkHostnames, type DiscoveredValue, type Environment } from '../model/environment.ts';
import { discover, discoveryGaps, fillGaps } from '../model/discovery.ts';
import type { Inventory } from '../model/inventory.ts';
import { paramTypes } from '../model/param-types.ts';
import { loadProbes } from './probes.ts';
import { ASSERTION_PARAMS } from '../model/assertions.ts';
import { CheckDef, DEFAULT_DENY, SuiteFile, type Generator as GeneratorSchema, type CheckInput, type Expectation } from '../model/suite-schema.ts';
import { YamlSource, type YamlPath } from '../shared/yaml-source.ts';
import { type Catalog } from '../model/catalog.ts';
import { needsDns, type ProbeDef } from '../model/probe.ts';
import { Check, Config, ZoneControls, isAssertionCheck, type ResolvedExpectation } from '../model/check.ts';
import { describeAttempt, worstCaseSeconds } from '../model/probe.ts';

type Generator = z.infer<typeof GeneratorSchema>;
type ZonePairGenerator = Extract<Generator, { kind: 'zone-pairs' }>;
type SdkNameGenerator = Extract<Generator, { kind: 'sdk-names' }>;

export interface LoadOptions {
  /** Project root holding suites/, probes/ and fixtures/. */
  readonly root: string;
  readonly env: string;
  /** The per-run marker that ${run.marker} expands to. */
  readonly marker: string;
  /** Override folders (tests use these for invalid fixtures). */
  readonly suitesDir?: string;
  readonly envFile?: string;
  /**
   * The inventory to discover the addresses the environment leaves out (zone ranges, service hosts,
   * endpoint ranges). Without it they hold placeholders: enough to validate and show a dry run,
   * never to run (a run discovers them first).
   */
  readonly inventory?: Inventory;
}

/**
 * Loads and validates everything a run needs. Every problem in every file is collected and
 * thrown together as one ConfigError; nothing runs from a configuration that failed.
 */
export function loadConfig(opts: LoadOptions): Config {
  const issues = new IssueCollector();
  const fixtures = path.join(opts.root, 'fixtures');
  const catalog = loadCatalog(fixtures, issues);
  const probes = loadProbes(path.join(opts.root, 'probes'), issues);

  const envFile = opts.envFile ?? path.join(fixtures, 'environments', `${opts.env}.yaml`);
  const known = yamlFiles(path.join(fixtures, 'environments')).map((f) => path.basename(f).replace(/\.ya?ml$/, ''));
  if (!opts.envFile && !known.includes(opts.env)) {
    throw new PathproofError('ENV_UNKNOWN', `environment "${opts.env}" has no file fixtures/environments/${opts.env}.yaml; known: ${known.join(', ')}`);
  }
  const envSrc = YamlSource.read(envFile, issues);
  const envData = envSrc?.validate(EnvironmentFile, issues);
  let env: Environment | undefined;
  if (envSrc && envData) {
    const gaps = discoveryGaps(envData).map((p) => p.join('.'));
    let found: DiscoveredValue[] | undefined;
    if (gaps.length > 0 && opts.inventory) {
      const d = discover(envData, opts.inventory);
      for (const p of d.problems) envSrc.report(issues, 'discovery-failed', [...p.path], p.message, p.fix);
      found = d.found;
    }
    // Discovered values meet the same schema as written ones.
    const resolved = envSrc.validate(ResolvedEnvironment, issues, [], fillGaps(envData, found));
    if (resolved) env = { ...resolved, file: envFile, ...(gaps.length ? { discovery: { gaps, ...(found ? { found } : {}) } } : {}) };
  }
  const controls = new Map<string, ZoneControls>();
  if (envSrc && env) validateEnvironment(envSrc, env, catalog, probes, issues, controls, opts.marker);

  const checks: Check[] = [];
  const seen = new Map<string, string>();
  const suitesDir = opts.suitesDir ?? path.join(opts.root, 'suites');
  for (const file of yamlFiles(suitesDir)) {
    const src = YamlSource.read(file, issues);
    // The envelope first, then each check on its own: a bad check never hides its neighbours' problems.
    const suite = src?.validate(SuiteFile, issues);
    if (!src || !suite) continue;
    const valid = suite.checks.flatMap((raw, i) => {
      const c = src.validate(CheckDef, issues, ['checks', i], raw);
      return c ? [{ input: c as CheckInput, at: ['checks', i] as YamlPath }] : [];
    });
    const base = path.basename(file).replace(/\.ya?ml$/, '');
    if (suite.suite !== base) {
      src.report(issues, 'id-mismatch', ['suite'], `does not match the file name ${path.basename(file)}`, `set suite: ${base}`, suite.suite);
    }
    const generated = (suite.generate ?? []).flatMap((g, gi) => (!env ? [] : g.kind === 'zone-pairs' ? generateZonePairs(g, gi, catalog, env) : generateSdkNames(g, gi, catalog, env)));
    if (suite.checks.length + generated.length === 0) src.report(issues, 'missing-field', ['checks'], 'the suite has no checks and generates none', 'add checks: or generate:');
    [...valid, ...generated].forEach(({ input, at }) => {
      const where = `${path.relative(opts.root, file)}:${src.locate(at).line}`;
      const prior = seen.get(input.id);
      if (prior) {
        src.report(issues, 'duplicate-id', [...at, 'id'], `check id is already used at ${prior}`, 'give every check a unique id', input.id);
        return;
      }
      seen.set(input.id, where);
      if (!env) return;
      const check = validateCheck(src, at, input, suite.suite, { catalog, env, probes, marker: checkMarker(opts.marker, input.id) }, issues);
      if (check) checks.push(check);
    });
  }
  if (readdirSafe(suitesDir).length === 0) {
    issues.add({ code: 'file-missing', file: suitesDir, line: 1, col: 1, path: '', message: 'holds no suite files', fix: 'add suites/*.yaml' });
  }
  if (envSrc && env) checkControlsFit(envSrc, env, probes, checks, controls, issues);
  issues.throwIfAny();
  return { root: opts.root, catalog, env: env!, probes, checks, controls };
}

/** ${run.marker} for one check: the run's marker plus a short hash of the check id, so a canary hit names its check. */
export function checkMarker(runMarker: string, checkId: string): string {
  return `${runMarker}-${createHash('sha256').update(checkId).digest('hex').slice(0, 6)}`.toLowerCase().slice(-63).replace(/^-+/, '');
}

/** Expands a zone-pairs generator into ordinary checks, located at the generator in the file. */
/**
 * From every zone, each name the SDK can choose besides the standard one (sdkHostnames) must not
 * lead off the private path. The policy cited is the one that governs the zone's calls to Bedrock.
 */
function generateSdkNames(g: SdkNameGenerator, gi: number, catalog: Catalog, env: Environment): { input: CheckInput; at: YamlPath }[] {
  const names = sdkHostnames(env.bedrock.services, env.bedrock.region);
  return Object.keys(env.zones).flatMap((from) => {
    const d = evaluate(catalog, { from, to: 'external-ai', protocol: 'tcp', port: 443 });
    return names.map((n) => ({
      at: ['generate', gi] as YamlPath,
      input: {
        id: `sdk-name-${from}-${n.service}-${n.variant}`.replace(/-mantle-mantle$/, '-mantle'),
        title: `${n.host} (the SDK's ${n.variant} name) does not resolve from ${from}, or only to the endpoints`,
        category: 'dns-leak' as const, policies: d.policies.length ? d.policies.map((p) => p.id) : [DEFAULT_DENY],
        from, to: 'external-ai', probe: 'dns-resolve', params: { name: n.host }, expect: { result: 'stays-private' as const, cidrs: g.cidrs },
      },
    }));
  });
}

function generateZonePairs(g: ZonePairGenerator, gi: number, catalog: Catalog, env: Environment): { input: CheckInput; at: YamlPath }[] {
  const out: { input: CheckInput; at: YamlPath }[] = [];
  for (const from of Object.keys(env.zones)) {
    for (const [to, host] of Object.entries(g.destinations)) {
      if (to === from) continue;
      for (const port of g.ports) {
        const d = evaluate(catalog, { from, to, protocol: 'tcp', port });
        if (d.action === 'allow') continue;
        out.push({
          at: ['generate', gi, 'destinations', to],
          input: {
            id: `gen-${from}-to-${to}-${port}`, title: `${from} cannot reach ${to} on ${port} (${d.reason})`, category: 'negative',
            policies: d.policies.length ? d.policies.map((p) => p.id) : [DEFAULT_DENY], from, to, probe: 'tcp-connect',
            params: { host, port }, expect: { result: 'blocked', by: g.by },
          },
        });
      }
    }
  }
  return out;
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir).filter((n) => /\.ya?ml$/.test(n));
  } catch {
    return [];
  }
}

interface Ctx { catalog: Catalog; env: Environment; probes: ReadonlyMap<string, ProbeDef>; marker: string }

function validateEnvironment(
  src: YamlSource, env: Environment, catalog: Catalog, probes: ReadonlyMap<string, ProbeDef>,
  issues: IssueCollector, controls: Map<string, ZoneControls>, marker: string,
): void {
  const accounts = Object.keys(env.accounts);
  const checkAccount = (p: YamlPath, a: string) => {
    if (!env.accounts[a]) src.report(issues, 'unknown-account', p, `is not an account of this environment; accounts: ${accounts.join(', ')}`, 'name an account defined under accounts:', a);
  };
  for (const [name, acct] of Object.entries(env.accounts)) {
    if (env.kind === 'aws' && !acct.profile && !acct.roleArn) {
      src.report(issues, 'missing-field', ['accounts', name], 'an aws environment needs a profile or a roleArn per account', 'add profile: NAME or roleArn: arn:aws:iam::ACCOUNT:role/NAME');
    }
  }
  checkAccount(['bedrock', 'account'], env.bedrock.account);
  for (const [name, value] of Object.entries(env.probeDefaults)) {
    const defs = [...probes.values()].map((p) => p.parameters[name]).filter((d) => d !== undefined);
    if (defs.length === 0) src.report(issues, 'unknown-parameter', ['probeDefaults', name], 'is not a parameter of any probe', 'remove it or check the spelling', name, true);
    else if (defs.some((d) => !paramTypes[d.type].pattern.test(String(value)))) src.report(issues, 'invalid-parameter', ['probeDefaults', name], `is not ${paramTypes[defs[0]!.type].hint}`, 'give a valid value', value);
  }
  for (const [zone, z] of Object.entries(env.zones)) {
    const def = catalog.zones.get(zone);
    if (!def || def.kind !== 'internal') {
      src.report(issues, 'unknown-zone', ['zones', zone], `is not an internal zone of the policy catalog; zones: ${internalZones(catalog).join(', ')}`, 'map only catalog zones', zone, true);
    }
    checkAccount(['zones', zone, 'account'], z.account);
    const call = validateParams(src, ['zones', zone, 'control'], z.control.probe, z.control.params, { catalog, env, probes, marker }, issues);
    const address = z.addressControl && validateParams(src, ['zones', zone, 'addressControl'], z.addressControl.probe, z.addressControl.params, { catalog, env, probes, marker }, issues);
    if (z.addressControl && address && needsDns(probes.get(z.addressControl.probe), address)) {
      src.report(issues, 'invalid-value', ['zones', zone, 'addressControl'], `resolves a name, so it cannot vouch for checks that must not depend on DNS`, 'give an address (tcp-connect to an IP) or probe: imds', z.addressControl.probe);
    }
    if (call) {
      const byName = { probe: z.control.probe, params: call };
      controls.set(zone, { byName, byAddress: z.addressControl && address ? { probe: z.addressControl.probe, params: address } : byName });
    }
  }
  for (const [svc, s] of Object.entries(env.services)) {
    if (!env.zones[s.zone]) src.report(issues, 'unknown-zone', ['services', svc, 'zone'], `is not a zone of env ${env.name}; zones: ${Object.keys(env.zones).join(', ')}`, 'use a zone mapped under zones:', s.zone);
  }
}

/**
 * A control must not depend on what it guards: a zone whose control resolves a name and that has
 * checks by address needs an addressControl, or a DNS fault would turn those into INCONCLUSIVE.
 */
function checkControlsFit(src: YamlSource, env: Environment, probes: ReadonlyMap<string, ProbeDef>, checks: readonly Check[], controls: ReadonlyMap<string, ZoneControls>, issues: IssueCollector): void {
  for (const [zone, c] of controls) {
    if (c.byAddress !== c.byName || !needsDns(probes.get(c.byName.probe), c.byName.params)) continue;
    const byAddress = checks.filter((k) => k.from === zone && !isAssertionCheck(k) && !needsDns(probes.get(k.probe), k.params));
    if (byAddress.length === 0) continue;
    src.report(issues, 'invalid-value', ['zones', zone, 'control'], `resolves a name, so a DNS fault would make the zone's ${byAddress.length} checks by address (e.g. ${byAddress[0]!.id}) INCONCLUSIVE`,
      'add addressControl: { probe: imds } (or a tcp-connect to an address that must answer) beside it', c.byName.probe);
  }
  void env;
}

function internalZones(catalog: Catalog): string[] {
  return [...catalog.zones.values()].filter((z) => z.kind === 'internal').map((z) => z.name);
}

function validateCheck(src: YamlSource, at: YamlPath, input: CheckInput, suite: string, ctx: Ctx, issues: IssueCollector): Check | undefined {
  if (input.assert) return validateAssertionCheck(src, at, input, suite, ctx, issues);
  if (!input.probe || !input.expect) return undefined;
  return validateProbeCheck(src, at, { ...input, probe: input.probe, expect: input.expect }, suite, ctx, issues);
}

/** A config check: an API-level assertion with its own parameters (no probe, no target host). */
function validateAssertionCheck(src: YamlSource, at: YamlPath, input: CheckInput, suite: string, ctx: Ctx, issues: IssueCollector): Check | undefined {
  const before = issues.issues.length;
  const name = input.assert!;
  const known: readonly string[] = ASSERTION_PARAMS[name];
  const params: Record<string, string> = {};
  for (const [k, raw] of Object.entries(input.params)) {
    if (!known.includes(k)) {
      src.report(issues, 'unknown-parameter', [...at, 'params', k], `is not a parameter of assertion ${name}; parameters: ${known.join(', ') || 'none'}`, 'remove it or check the spelling', k, true);
      continue;
    }
    const v = interpolate(raw, ctx, src, [...at, 'params', k], issues);
    if (v !== undefined) params[k] = Array.isArray(v) ? v.join(',') : String(v);
  }
  input.policies.forEach((id, j) => {
    if (id !== DEFAULT_DENY && !ctx.catalog.policies.has(id)) src.report(issues, 'unknown-policy', [...at, 'policies', j], `is not a policy of the catalog; policies: ${[...ctx.catalog.policies.keys()].join(', ')}`, 'use a policy id from fixtures/policies', id);
  });
  if (!ctx.env.zones[input.from]) src.report(issues, 'unknown-zone', [...at, 'from'], `is not a zone of env ${ctx.env.name}; zones: ${Object.keys(ctx.env.zones).join(', ')}`, 'use a zone mapped in the environment file', input.from);
  if (issues.issues.length > before) return undefined;
  const { line, col } = src.locate(at);
  return {
    id: input.id, suite, title: input.title, category: input.category, policies: input.policies, from: input.from, to: input.to,
    kind: 'assertion', assert: name, params, marker: ctx.marker,
    ...(input.waiver ? { waiver: input.waiver } : {}), source: { file: src.file, line, col },
  };
}

function validateProbeCheck(src: YamlSource, at: YamlPath, input: CheckInput & { probe: string; expect: Expectation }, suite: string, ctx: Ctx, issues: IssueCollector): Check | undefined {
  const before = issues.issues.length;
  const { catalog, env, probes } = ctx;
  if (!env.zones[input.from]) {
    src.report(issues, 'unknown-zone', [...at, 'from'], `is not a zone of env ${env.name}; zones: ${Object.keys(env.zones).join(', ')}`, 'use a zone mapped in the environment file', input.from);
  }
  if (!catalog.zones.has(input.to)) {
    src.report(issues, 'unknown-zone', [...at, 'to'], `is not a zone of the policy catalog; zones: ${[...catalog.zones.keys()].join(', ')}`, 'use a catalog zone', input.to);
  }
  input.policies.forEach((id, j) => {
    if (id === DEFAULT_DENY) {
      // With a literal port, ask the evaluator; otherwise any allow for the zone pair is a contradiction.
      const port = typeof input.params.port === 'number' ? input.params.port : /^\d+$/.test(String(input.params.port ?? '')) ? Number(input.params.port) : undefined;
      const allows = port !== undefined
        ? (() => { const d = evaluate(catalog, { from: input.from, to: input.to, protocol: 'tcp', port }); return d.action === 'allow' ? d.policies : []; })()
        : [...catalog.policies.values()].filter((p) => p.action === 'allow' && p.from === input.from && p.to === input.to);
      if (input.expect.result !== 'blocked' && input.expect.result !== 'stays-private') {
        src.report(issues, 'policy-mismatch', [...at, 'policies', j], `means the flow is denied, but the check expects ${input.expect.result}`, 'cite the allow policy instead', id);
      } else if (allows.length > 0) {
        src.report(issues, 'policy-mismatch', [...at, 'policies', j], `but ${allows.map((p) => p.id).join(', ')} allows ${input.from} → ${input.to}`, 'cite the policy that governs this flow', id);
      }
      return;
    }
    const policy = catalog.policies.get(id);
    if (!policy) {
      src.report(issues, 'unknown-policy', [...at, 'policies', j], `is not a policy of the catalog; policies: ${[...catalog.policies.keys()].join(', ')}`, 'use a policy id from fixtures/policies', id);
      return;
    }
    const expectsAllow = input.expect.result === 'allowed';
    if (policy.from !== input.from || (policy.to !== '*' && policy.to !== input.to)) {
      src.report(issues, 'policy-mismatch', [...at, 'policies', j], `governs ${policy.from} → ${policy.to}, but the check goes ${input.from} → ${input.to}`, 'cite the policy that governs this flow', id);
    } else if (expectsAllow !== (policy.action === 'allow') && input.expect.result !== 'resolves-within' && input.expect.result !== 'stays-private' && !input.disruptive) {
      // (A disruptive check expects an allowed flow to fail while its path is taken away.)
      src.report(issues, 'policy-mismatch', [...at, 'policies', j], `is an ${policy.action} policy, but the check expects ${input.expect.result}`, 'cite the policy whose action the check verifies', id);
    }
  });
  const params = validateParams(src, at, input.probe, input.params, ctx, issues);
  const probe = probes.get(input.probe);
  let cidrs: string[] | undefined;
  if (probe && input.expect.result === 'blocked') {
    (input.expect.by ?? []).forEach((o, j) => {
      const known = o.startsWith('http-') ? probe.outcomes.http === 'success' : probe.outcomes[o] === 'block';
      if (!known) {
        const blocks = Object.entries(probe.outcomes).filter(([, c]) => c === 'block').map(([k]) => k);
        src.report(issues, 'expectation-mismatch', [...at, 'expect', 'by', j], `is not a block outcome of probe ${probe.id}; it reports: ${blocks.join(', ')}`, 'list block outcomes the probe can report', o);
      }
    });
  }
  if (input.expect.result === 'resolves-within' || input.expect.result === 'stays-private') {
    if (probe && !probe.addresses) {
      const reporting = [...probes.values()].filter((p) => p.addresses).map((p) => p.id);
      src.report(issues, 'expectation-mismatch', [...at, 'expect', 'result'], `needs a probe that reports addresses (${reporting.join(', ')}), not ${probe.id}`, `use probe: ${reporting[0]}`, input.expect.result);
    }
    cidrs = cidrList(input.expect.cidrs, [...at, 'expect', 'cidrs'], src, ctx, issues);
  }
  const within = input.expect.result === 'allowed' && input.expect.within !== undefined ? cidrList(input.expect.within, [...at, 'expect', 'within'], src, ctx, issues) : undefined;
  if (issues.issues.length > before || !params) return undefined;
  const needed = worstCaseSeconds(probe, params);
  if (input.timeoutSeconds !== undefined && input.timeoutSeconds < needed) {
    src.report(issues, 'invalid-value', [...at, 'timeoutSeconds'], `is shorter than the probe can take with these parameters (${needed} s), so a block would read as a probe time-out`, `raise it to at least ${needed} or lower attempts / time-outs`, input.timeoutSeconds);
    return undefined;
  }
  const { line, col } = src.locate(at);
  return {
    id: input.id, suite, title: input.title, category: input.category, policies: input.policies,
    kind: 'probe', from: input.from, to: input.to, probe: input.probe, params,
    expect: input.expect.result === 'resolves-within' || input.expect.result === 'stays-private' ? { result: input.expect.result, cidrs: cidrs ?? [] }
      : input.expect.result === 'allowed' ? { ...input.expect, ...(within ? { within } : {}) } as ResolvedExpectation : input.expect,
    timeoutSeconds: input.timeoutSeconds ?? Math.max(env.timeouts.probeSeconds, needed),
    attempt: describeAttempt(probe!, params), ...(probe!.canary ? { canary: probe!.canary } : {}),
    marker: ctx.marker,
    ...(input.waiver ? { waiver: input.waiver } : {}),
    ...(input.disruptive ? { disruptive: input.disruptive } : {}),
    source: { file: src.file, line, col },
  };
}

/** A CIDR list of an expectation (`cidrs`, `within`), its ${...} references expanded, each entry validated. */
function cidrList(raw: string | string[], at: YamlPath, src: YamlSource, ctx: Ctx, issues: IssueCollector): string[] {
  const resolved = interpolate(raw, ctx, src, at, issues);
  const list = (Array.isArray(resolved) ? resolved : [resolved]).map(String);
  for (const c of list) {
    if (!/^(?:\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/.test(c)) src.report(issues, 'invalid-value', at, 'is not a CIDR list', 'give CIDRs such as 10.1.1.0/24 or ${bedrock.endpointCidrs}', c);
  }
  return list;
}

/** Validates probe parameters against the probe's metadata; returns string values or undefined. */
function validateParams(
  src: YamlSource, at: YamlPath, probeId: string, given: Record<string, string | number>, ctx: Ctx, issues: IssueCollector,
): Record<string, string> | undefined {
  const probe = ctx.probes.get(probeId);
  if (!probe) {
    src.report(issues, 'unknown-probe', [...at, 'probe'], `is not a probe; probes: ${[...ctx.probes.keys()].join(', ')}`, 'use a folder name under probes/', probeId);
    return undefined;
  }
  const out: Record<string, string> = {};
  let ok = true;
  for (const [name, raw] of Object.entries(given)) {
    const def = probe.parameters[name];
    if (!def) {
      src.report(issues, 'unknown-parameter', [...at, 'params', name], `is not a parameter of probe ${probe.id}; parameters: ${Object.keys(probe.parameters).join(', ')}`, 'remove it or check the spelling', name, true);
      ok = false;
      continue;
    }
    const value = interpolate(raw, ctx, src, [...at, 'params', name], issues);
    if (value === undefined) { ok = false; continue; }
    const text = String(value);
    if (typeof value === 'object' || !paramTypes[def.type].pattern.test(text)) {
      src.report(issues, 'invalid-parameter', [...at, 'params', name], `is not ${paramTypes[def.type].hint}`, `give ${name} a valid ${def.type}`, value);
      ok = false;
      continue;
    }
    out[name] = text;
  }
  for (const [name, def] of Object.entries(probe.parameters)) {
    if (out[name] !== undefined || given[name] !== undefined) continue;
    if (def.required) {
      src.report(issues, 'missing-parameter', [...at, 'params'], `probe ${probe.id} needs parameter "${name}" (${def.description})`, `add params.${name}: ${paramTypes[def.type].hint}`);
      ok = false;
    } else if (ctx.env.probeDefaults[name] !== undefined && paramTypes[def.type].pattern.test(String(ctx.env.probeDefaults[name]))) {
      out[name] = String(ctx.env.probeDefaults[name]);
    } else if (def.default !== undefined) {
      out[name] = String(def.default);
    }
  }
  return ok ? out : undefined;
}

const REF = /\$\{([A-Za-z0-9_.-]+)\}/g;

/** Expands ${a.b.c} references against the environment; a whole-value reference keeps its type. */
function interpolate(raw: unknown, ctx: Ctx, src: YamlSource, at: YamlPath, issues: IssueCollector): unknown {
  if (Array.isArray(raw)) return raw.map((r, i) => interpolate(r, ctx, src, [...at, i], issues));
  if (typeof raw !== 'string') return raw;
  const refs = referenceables(ctx.env, { marker: ctx.marker });
  const lookup = (key: string): unknown => {
    let v: unknown = refs;
    for (const part of key.split('.')) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined;
    if (v === undefined) {
      src.report(issues, 'unknown-reference', at, `\${${key}} names nothing in env ${ctx.env.name}; roots: services, models, canaries, bedrock, run`,
        'reference an existing value such as ${services.vector-db.host} or ${bedrock.hostnames.bedrock-runtime}', raw);
    }
    return v;
  };
  const whole = /^\$\{([A-Za-z0-9_.-]+)\}$/.exec(raw);
  if (whole) return lookup(whole[1]!);
  let failed = false;
  const out = raw.replace(REF, (_, key: string) => {
    const v = lookup(key);
    if (v === undefined) failed = true;
    return String(v);
  });
  return failed ? undefined : out;
}

