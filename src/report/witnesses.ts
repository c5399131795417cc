import { isAssertionCheck, isProbeCheck, type Check } from '../model/check.ts';
import type { Verdict } from '../model/result.ts';
import type { Witness } from '../model/report.ts';

interface Carried { readonly to: string; readonly protocol: string; readonly ports: string; readonly dst: readonly string[] }

const inRange = (ports: string, port: number) => {
  const [lo, hi] = ports.split('-').map(Number);
  return port >= lo! && port <= (hi ?? lo!);
};

/**
 * Two witnesses: for every TCP connection a probe tried whose zone the static analysis also judged,
 * what each says. Agreement is evidence; a disagreement is reported, never hidden: static open but
 * probe blocked means a layer the model reads did not stop it and something else did (or the service
 * was down); static closed but probe through means a path the model does not know (a transit gateway,
 * a proxy, a rule it cannot read), the most important alert there is.
 */
export function twoWitnesses(checks: readonly Check[], verdicts: readonly Verdict[]): Witness[] {
  const staticOf = new Map<string, Carried[]>();
  for (const c of checks.filter(isAssertionCheck).filter((x) => x.assert === 'catalog-conformance')) {
    const v = verdicts.find((x) => x.checkId === c.id);
    if (!v || (v.status !== 'PASS' && v.status !== 'FAIL') || !('assertion' in v.evidence)) continue;
    const carried = (v.evidence.assertion?.facts as { carried?: Carried[] } | undefined)?.carried;
    if (Array.isArray(carried) && c.params.zone) staticOf.set(c.params.zone, carried);
  }
  const out: Witness[] = [];
  for (const check of checks.filter(isProbeCheck)) {
    const port = Number(check.params.port);
    const carried = staticOf.get(check.from);
    if (check.probe !== 'tcp-connect' || !Number.isInteger(port) || !carried) continue;
    for (const v of verdicts.filter((x) => x.checkId === check.id && (x.status === 'PASS' || x.status === 'FAIL'))) {
      const probeOpen = check.expect.result === 'blocked' ? v.status === 'FAIL' : v.status === 'PASS';
      // The address the probe used, when it says so; a name is matched by zone alone.
      const address = 'probe' in v.evidence && typeof v.evidence.probe?.data.address === 'string' && v.evidence.probe.data.address ? v.evidence.probe.data.address : undefined;
      const staticOpen = carried.some((c) => c.to === check.to && c.protocol === 'tcp' && inRange(c.ports, port) && (!address || check.to === 'internet' || c.dst.includes(address)));
      const note = staticOpen === probeOpen ? 'agree'
        : staticOpen ? 'the configuration the model reads opens it, but the probe was blocked: another layer stopped it, or nothing listened'
          : 'the probe got through where the configuration the model reads opens nothing: a path the model does not know';
      out.push({ checkId: check.id, from: check.from, to: check.to, port, target: v.target.instanceId, staticSays: staticOpen ? 'open' : 'closed', probeSays: probeOpen ? 'open' : 'blocked', agree: staticOpen === probeOpen, note });
    }
  }
  return out;
}
