import type { Check, Config } from '../model/check.ts';
import { testName } from '../model/test-name.ts';

/** Applies --suite, --policy and -t before anything runs, so filtered-out probes are never sent. */
export function selectChecks(config: Config, opts: { readonly suites: readonly string[]; readonly policies: readonly string[]; readonly filter?: string }): Check[] {
  const re = opts.filter ? new RegExp(opts.filter) : undefined;
  return config.checks.filter((c) =>
    (opts.suites.length === 0 || opts.suites.includes(c.suite)) &&
    (opts.policies.length === 0 || c.policies.some((p) => opts.policies.includes(p))) &&
    (!re || re.test(testName({ policies: c.policies, checkId: c.id, from: c.from, to: c.to, target: { zone: c.from, instanceId: '' } as never }))));
}
