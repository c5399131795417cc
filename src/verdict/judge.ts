
import type { Inventory } from '../model/inventory.ts';

import { assertions } from './assertions/index.ts';
import type { AssertionFinding } from './assertions/types.ts';
import type { CanaryRecord, FlowEvidence, Evidence, ProbeObservation, TargetObservation, Verdict } from '../model/result.ts';
import { cidrContains } from '../model/cidr.ts';
import type { Check, AssertionCheck, Config, ProbeCheck } from '../model/check.ts';
import type { Fault } from '../model/errors.ts';
import { type Target } from '../model/plan.ts';
import { ObservedEvidence } from '../model/result.ts';
import type { QueryLogEvidence } from '../model/dns-firewall.ts';

type Judged = { status: 'PASS' | 'FAIL' | 'INCONCLUSIVE'; sentence: string } | { status: 'ERROR'; sentence: string; fault: Fault };

/**
 * Judges one check on one target. The integrity rule: a check that could not look is ERROR,
 * never PASS; a deny check passes only on positive evidence of a block with zero successes
 * while the batch's control probe succeeded.
 */
export function judge(check: ProbeCheck, obs: TargetObservation, today: string, canary?: CanaryRecord, flowLog?: FlowEvidence, queryLog?: QueryLogEvidence): Verdict {
  const probe = obs.probes.find((p) => p.key === check.id);
  const control = obs.probes.find((p) => p.key === 'control');
  const inv = obs.invocation;
  const evidence: Evidence = {
    instanceId: obs.target.instanceId,
    ...(inv ? { commandId: inv.commandId, invocationStatus: inv.status, statusDetails: inv.statusDetails, responseCode: inv.responseCode } : {}),
    truncated: obs.truncated,
    ...(probe ? { probe } : {}),
    ...(control ? { control } : {}),
    ...(obs.fault ? { fault: obs.fault } : {}),
    ...(canary ? { canary } : {}),
    ...(flowLog ? { flowLog } : {}),
    ...(queryLog ? { queryLog } : {}),
  };
  const judged = confirmInQueryLog(check, confirmInFlowLogs(check, confirmWithCanary(check, judgeRaw(check, obs, probe, control), canary), flowLog), probe, queryLog);
  return withWaiver(check, obs.target, evidence, judged, today);
}

/** Judges a config check on what the AWS API says; an unreadable inventory is ERROR, never PASS. */
export function judgeAssertion(check: AssertionCheck, config: Config, inventory: Inventory | undefined, fault: string, today: string): Verdict {
  const zone = config.env.zones[check.from];
  const account = zone?.account ?? Object.keys(config.env.accounts)[0] ?? '';
  const acct = config.env.accounts[account];
  const target = (id: string, region?: string, vpc?: string): Target => ({ instanceId: id, zone: check.from, account, accountId: acct?.id ?? '', region: region || acct?.region || '', vpc: vpc || zone?.vpc || '' });
  if (!inventory) return withWaiver(check, target('(api)'), { fault: { code: 'INVENTORY_UNREADABLE', message: fault } }, { status: 'ERROR', fault: { code: 'INVENTORY_UNREADABLE', message: fault }, sentence: `Could not look: the AWS inventory could not be read (${fault}); ${check.assert} was not evaluated.` }, today);
  let finding: AssertionFinding;
  try {
    finding = assertions[check.assert]({ inventory, env: config.env, catalog: config.catalog, params: check.params });
  } catch (e) {
    return withWaiver(check, target('(api)'), { fault: { code: 'ASSERTION_CRASHED', message: (e as Error).message } }, { status: 'ERROR', fault: { code: 'ASSERTION_CRASHED', message: (e as Error).message }, sentence: `Could not look: assertion ${check.assert} failed to run (${(e as Error).message}).` }, today);
  }
  const t = target(finding.resource.id || '(api)', finding.resource.region, finding.resource.vpc);
  // Integrity: a PASS or FAIL must rest on something that was looked at.
  const status = finding.status !== 'ERROR' && (!finding.examined || finding.examined === 'nothing') ? 'ERROR' : finding.status;
  const sentence = status === 'ERROR' && finding.status !== 'ERROR' ? `Could not look: ${check.assert} examined nothing, so its ${finding.status} is void (${finding.sentence})` : finding.sentence;
  const said = `${check.assert}: ${sentence}${finding.examined !== 'nothing' ? ` Examined: ${finding.examined}.` : ''}`;
  const judged: Judged = status === 'ERROR'
    ? { status, sentence: said, fault: { code: finding.facts.notFound !== undefined ? 'SUBJECT_NOT_FOUND' : 'NOTHING_EXAMINED', message: sentence } }
    : { status, sentence: said };
  return withWaiver(check, t, { instanceId: t.instanceId, assertion: { name: check.assert, examined: finding.examined, facts: finding.facts } }, judged, today);
}

function withWaiver(check: Check, target: Target, evidence: Evidence, raw: Judged, today: string): Verdict {
  const base = {
    checkId: check.id, suite: check.suite, title: check.title, category: check.category, policies: check.policies,
    from: check.from, to: check.to, target, evidence, source: check.source,
  };
  // Integrity, held by the types too: a PASS or FAIL rests on an observation (a probe's line or the
  // API facts); without one the check could not look.
  const observed = evidence.probe !== undefined || evidence.assertion !== undefined;
  const judged: Judged = (raw.status === 'PASS' || raw.status === 'FAIL') && !observed
    ? { status: 'ERROR', sentence: `Could not look: no observation backs this ${raw.status} (${raw.sentence})`, fault: { code: 'NOTHING_EXAMINED', message: 'a verdict without an observation' } }
    : raw;
  if (!check.waiver) {
    if (judged.status === 'PASS' || judged.status === 'FAIL') return { ...base, evidence: evidence as ObservedEvidence, status: judged.status, sentence: judged.sentence };
    if (judged.status === 'ERROR') return { ...base, status: 'ERROR', fault: judged.fault, sentence: judged.sentence };
    return { ...base, status: 'INCONCLUSIVE', sentence: judged.sentence };
  }
  if (check.waiver.expires < today) {
    return { ...base, status: 'FAIL', expiredWaiver: check.waiver, sentence: `The waiver of ${check.id} expired on ${check.waiver.expires}; without it: ${judged.sentence}` };
  }
  return {
    ...base, status: 'WAIVED', underlying: judged.status, waiver: check.waiver,
    sentence: `Waived until ${check.waiver.expires} (${check.waiver.justification}; approved by ${check.waiver.approvedBy}); observed: ${judged.sentence}`,
  };
}

/**
 * Monitoring must see it: a REJECT record for a blocked attempt, or an ACCEPT record for an allowed
 * call (from the probe host to the address it used: the private path, confirmed by the flow logs).
 */
function confirmInFlowLogs(check: ProbeCheck, judged: Judged, flow?: FlowEvidence): Judged {
  const logged = 'logged' in check.expect ? check.expect.logged : undefined;
  if ((logged !== 'accept' && logged !== 'reject') || judged.status !== 'PASS') return judged;
  if (logged === 'accept') {
    if (!flow || !flow.available) return { status: 'ERROR', fault: { code: 'FLOW_LOGS_UNREADABLE', message: `Could not read the flow logs (${flow?.error ?? 'no flow-log source: set monitoring in the environment'}); the call itself: ${judged.sentence}` }, sentence: `Could not read the flow logs (${flow?.error ?? 'no flow-log source: set monitoring in the environment'}); the call itself: ${judged.sentence}` };
    if (flow.records.length === 0) return { status: 'FAIL', sentence: `${judged.sentence} But no ACCEPT record of the call reached the flow logs: the path cannot be confirmed from monitoring.` };
    const a = flow.records[0]!;
    return { status: 'PASS', sentence: `${judged.sentence} The flow log confirms the path: ${flow.records.length} ACCEPT record(s), e.g. ${a.interfaceId} ${a.srcAddr}:${a.srcPort} → ${a.dstAddr}:${a.dstPort}.` };
  }
  if (!flow || !flow.available) return { status: 'ERROR', fault: { code: 'FLOW_LOGS_UNREADABLE', message: `Could not read the flow logs (${flow?.error ?? 'no flow-log source: set monitoring in the environment'}); the block itself: ${judged.sentence}` }, sentence: `Could not read the flow logs (${flow?.error ?? 'no flow-log source: set monitoring in the environment'}); the block itself: ${judged.sentence}` };
  if (flow.records.length === 0) return { status: 'FAIL', sentence: `${judged.sentence} But no REJECT record of it reached the flow logs: monitoring would not see the attempt.` };
  const r = flow.records[0]!;
  return { status: 'PASS', sentence: `${judged.sentence} The flow log shows it: ${flow.records.length} REJECT record(s), e.g. ${r.interfaceId} ${r.srcAddr}:${r.srcPort} → ${r.dstAddr}:${r.dstPort}.` };
}

/** The response codes a blocked query's answer can show the probe, by the probe's outcome. */
const RCODES_OF: Readonly<Record<string, readonly string[]>> = { nxdomain: ['NXDOMAIN'], 'no-answer': ['NOERROR'], servfail: ['SERVFAIL'], 'not-found': ['NXDOMAIN', 'NOERROR'] };

/**
 * DNS Firewall must have decided it, and monitoring must show it: the Resolver query log holds the
 * query from the probe host with the action BLOCK, and its response code agrees with the answer the
 * probe got (an NXDOMAIN from a name that does not exist is not a block).
 */
function confirmInQueryLog(check: ProbeCheck, judged: Judged, probe?: ProbeObservation, log?: QueryLogEvidence): Judged {
  if (!('logged' in check.expect) || check.expect.logged !== 'query-blocked' || judged.status !== 'PASS') return judged;
  if (!log || !log.available) {
    const why = `Could not read the Resolver query logs (${log?.error ?? 'no query-log source: set monitoring.queryLogGroups in the environment'}); the probe side: ${judged.sentence}`;
    return { status: 'ERROR', fault: { code: 'QUERY_LOGS_UNREADABLE', message: why }, sentence: why };
  }
  if (log.records.length === 0) return { status: 'FAIL', sentence: `${judged.sentence} But no Resolver query-log record of the query exists: DNS Firewall's decision cannot be shown, and monitoring would not see the attempt (is query logging on for the VPC?).` };
  const blocked = log.records.filter((r) => r.firewall_rule_action === 'BLOCK');
  if (blocked.length === 0) {
    const seen = [...new Set(log.records.map((r) => `${r.firewall_rule_action ?? 'no firewall rule'}, ${r.rcode}`))].join('; ');
    return { status: 'FAIL', sentence: `${judged.sentence} But DNS Firewall did not block it: the query log shows ${seen}, so the answer came from resolution, not from a block.` };
  }
  const expected = RCODES_OF[probe?.outcome ?? ''] ?? [];
  const agreeing = blocked.find((r) => expected.includes(r.rcode));
  if (!agreeing) return { status: 'FAIL', sentence: `${judged.sentence} But the answer and the query log disagree: the probe saw ${probe?.outcome ?? 'nothing'}, the log's blocked record says ${blocked[0]!.rcode}.` };
  return { status: 'PASS', sentence: `${judged.sentence} The Resolver query log agrees: DNS Firewall blocked ${agreeing.query_name} (rule group ${agreeing.firewall_rule_group_id ?? '?'}, domain list ${agreeing.firewall_domain_list_id ?? '?'}, ${agreeing.rcode}; ${blocked.length} record(s)).` };
}

/** A blocked exfiltration passes only if the receiving side confirms that the marker never arrived. */
function confirmWithCanary(check: ProbeCheck, judged: Judged, canary?: CanaryRecord): Judged {
  if (check.expect.result !== 'blocked' || check.expect.confirm !== 'canary') return judged;
  if (!canary || !canary.available) {
    return judged.status === 'FAIL' ? judged : { status: 'ERROR', fault: { code: 'CANARY_UNREADABLE', message: `Could not confirm with the canaries (${canary?.error ?? 'no canary record configured: set canaries.recordUrl'}); probe side: ${judged.sentence}` }, sentence: `Could not confirm with the canaries (${canary?.error ?? 'no canary record configured: set canaries.recordUrl'}); probe side: ${judged.sentence}` };
  }
  const hits = canary.hits.filter((h) => h.kind === check.canary);
  if (hits.length > 0) {
    return { status: 'FAIL', sentence: `The canary recorded marker ${canary.marker} ${hits.length} time(s), from ${[...new Set(hits.map((h) => h.from))].join(', ')}: data left. Probe side: ${judged.sentence}` };
  }
  if (judged.status !== 'PASS') return judged;
  return { status: 'PASS', sentence: `${judged.sentence} The canary recorded nothing for marker ${canary.marker}.` };
}

/** A block outcome in plain words, as the person reading the verdict would say it. */
export function howBlocked(outcome: string): string {
  const words: Record<string, string> = {
    timeout: 'silently dropped (the attempt timed out)',
    refused: 'refused (the destination answered with a reset)',
    unreachable: 'unreachable (no route)',
    reset: 'cut off (connection reset)',
    nxdomain: 'unresolvable (the name does not exist)',
    servfail: 'unresolvable (the resolver failed: SERVFAIL)',
    'no-answer': 'unresolvable (no address in the answer)',
    'no-resolver': 'unresolvable (no resolver answered)',
    'not-found': 'unresolvable (NXDOMAIN or no resolver answer: the host cannot tell which)',
    'dns-refused': 'unresolvable (the resolver refused the query)',
    'cert-invalid': 'stopped by certificate verification',
    'tls-error': 'stopped during the TLS handshake',
  };
  const http = /^http-(\d{3})$/.exec(outcome);
  return http ? `answered with HTTP ${http[1]}` : words[outcome] ?? outcome;
}

function who(obs: TargetObservation): string {
  const t = obs.target;
  return `${t.zone} host ${t.instanceId}${t.privateIp ? ` (${t.privateIp})` : ''}`;
}

function observed(p: ProbeObservation): string {
  const d = p.data;
  const bits = [p.outcome];
  if (typeof d.status === 'number' && d.status > 0) bits.push(`HTTP ${d.status}`);
  if (typeof d.error === 'string' && d.error) bits.push(d.error);
  if (typeof d.ip === 'string' && d.ip && !Array.isArray(d.addresses)) bits.push(`at ${d.ip}`);
  if (Array.isArray(d.events) && d.events.length) bits.push(`events ${(d.events as string[]).join(' ')}`);
  if (typeof d.maxGapMs === 'number' && d.maxGapMs > 0) bits.push(`longest gap ${(d.maxGapMs / 1000).toFixed(1)} s`);
  if (Array.isArray(d.addresses) && d.addresses.length > 0) bits.push(`answers ${d.addresses.join(', ')}`);
  if (typeof d.successes === 'number' && typeof d.attempts === 'number') bits.push(`${d.successes}/${d.attempts} attempts succeeded`);
  if (typeof d.tool === 'string') bits.push(`tool ${d.tool}`);
  if (d.signed === false) bits.push('unsigned: the host has no instance profile');
  if (typeof d.tries === 'number') bits.push(`on try ${d.tries}`);
  if (typeof d.detail === 'string' && d.detail && p.class !== 'success') bits.push(d.detail);
  return bits.join(', ');
}

function judgeRaw(check: ProbeCheck, obs: TargetObservation, probe?: ProbeObservation, control?: ProbeObservation): Judged {
  const subject = `${who(obs)} → ${check.attempt}`;
  const policies = check.policies.join(', ');
  if (obs.fault) return { status: 'ERROR', fault: obs.fault, sentence: `Could not look: ${obs.fault.message} (${obs.fault.code}); ${subject} was not tested.` };
  const inv = obs.invocation;
  if (!inv) return { status: 'ERROR', fault: { code: 'SSM_NO_INVOCATION', message: `No SSM invocation was recorded for ${obs.target.instanceId}; ${subject} was not tested.` }, sentence: `No SSM invocation was recorded for ${obs.target.instanceId}; ${subject} was not tested.` };
  if (inv.status !== 'Success') {
    const why = inv.waitFault ?? `SSM command ${inv.commandId} ended ${inv.status} (${inv.statusDetails}, response code ${inv.responseCode})`;
    return { status: 'ERROR', fault: { code: 'COMMAND_NOT_SUCCESSFUL', message: `Could not look: ${why}; ${subject} was not tested.` }, sentence: `Could not look: ${why}; ${subject} was not tested.` };
  }
  if (obs.truncated) {
    return { status: 'ERROR', fault: { code: 'OUTPUT_TRUNCATED', message: `Could not look: the output of command ${inv.commandId} on ${inv.instanceId} ended without its end line (cut at SSM's 24,000-character limit, or the script died); ${subject} is unknown.` }, sentence: `Could not look: the output of command ${inv.commandId} on ${inv.instanceId} ended without its end line (cut at SSM's 24,000-character limit, or the script died); ${subject} is unknown.` };
  }
  if (!probe || probe.class === 'error') {
    const what = probe ? observed(probe) : 'no output';
    return { status: 'ERROR', fault: { code: 'PROBE_ERROR', message: `Could not look: the ${check.probe} probe did not run properly (${what}); ${subject} is unknown.` }, sentence: `Could not look: the ${check.probe} probe did not run properly (${what}); ${subject} is unknown.` };
  }
  const controlOk = control?.class === 'success';
  const e = check.expect;
  switch (e.result) {
    case 'allowed': {
      if (probe.class !== 'success') return { status: 'FAIL', sentence: `${subject} was blocked (${observed(probe)}), but ${policies} allows it.` };
      const status = typeof probe.data.status === 'number' ? probe.data.status : undefined;
      if (e.status && (status === undefined || !e.status.includes(status))) {
        return { status: 'FAIL', sentence: `${subject} answered HTTP ${status ?? 'nothing'}, where ${policies} expects ${e.status.join(' or ')}.` };
      }
      if (e.awsRequestId && !probe.data.requestId) {
        return { status: 'FAIL', sentence: `${subject} answered without an x-amzn-RequestId header: it is not an AWS endpoint (${observed(probe)}).` };
      }
      const error = typeof probe.data.error === 'string' ? probe.data.error : '';
      if (e.error !== undefined ? error !== e.error : error !== '' && !e.status?.includes(status ?? 0)) {
        return { status: 'FAIL', sentence: `${subject} answered ${error || 'without an error'}${status ? ` (HTTP ${status})` : ''}, where ${policies} expects ${e.error ?? 'an answer'} (${observed(probe)}).` };
      }
      if (e.events) {
        const got = Array.isArray(probe.data.events) ? (probe.data.events as string[]) : [];
        let k = 0;
        for (const ev of got) if (ev === e.events[k]) k++;
        if (k < e.events.length) return { status: 'FAIL', sentence: `${subject} streamed ${got.join(', ') || 'no event'}, where a whole answer has ${e.events.join(', ')} (${observed(probe)}).` };
      }
      if (e.within) {
        const ip = typeof probe.data.ip === 'string' ? probe.data.ip : '';
        if (!ip) return { status: 'ERROR', fault: { code: 'CANNOT_TELL', message: `Could not look: ${subject} succeeded, but the probe did not say which address it used, so the private path is not proven.` }, sentence: `Could not look: ${subject} succeeded, but the probe did not say which address it used, so the private path is not proven.` };
        if (!e.within.some((c) => cidrContains(c, ip))) return { status: 'FAIL', sentence: `${subject} was answered at ${ip}, outside ${e.within.join(', ')}: not by the private endpoint (${policies}).` };
      }
      if (e.deniedBy === 'endpoint-policy') {
        // AWS names the refusing policy in the message's reason; only the endpoint policy's own
        // refusal shows that policy at work. Anything else means the call never reached it.
        const reason = typeof probe.data.reason === 'string' ? probe.data.reason : '';
        if (!/VPC endpoint policy/i.test(reason)) {
          return { status: 'INCONCLUSIVE', sentence: `${subject} was refused with ${e.error ?? 'an error'}, but ${reason ? `by another policy (${reason})` : 'AWS did not say which policy refused'}, so the endpoint policy was not reached: let the host's role call the model, so that the endpoint policy decides (${observed(probe)}).` };
        }
        return { status: 'PASS', sentence: `${subject} was refused by the VPC endpoint policy with ${e.error ?? 'an error'} (${reason}; ${observed(probe)}), as ${policies} requires.` };
      }
      if (e.error) return { status: 'PASS', sentence: `${subject} was answered with ${e.error} (${observed(probe)}), as ${policies} requires.` };
      return { status: 'PASS', sentence: `${subject} succeeded (${observed(probe)}), as ${policies} allows.` };
    }
    case 'blocked': {
      const status = typeof probe.data.status === 'number' ? probe.data.status : undefined;
      const httpBlock = probe.class === 'success' && status !== undefined && (e.by ?? []).includes(`http-${status}`);
      const successes = typeof probe.data.successes === 'number' ? probe.data.successes : probe.class === 'success' ? 1 : 0;
      if (!httpBlock && (probe.class === 'success' || successes > 0)) {
        return { status: 'FAIL', sentence: `${subject} got through (${observed(probe)}), but ${policies} denies it.` };
      }
      const evidenceKind = httpBlock ? `http-${status}` : probe.outcome;
      if (e.by?.includes('nxdomain') && evidenceKind === 'not-found') {
        return { status: 'ERROR', fault: { code: 'CANNOT_TELL', message: `Could not look: ${subject} did not resolve, and the host could not tell NXDOMAIN from a resolver that never answered (no dig there, or a second lookup that disagreed), while the suite expects NXDOMAIN. Install dig (bind-utils) on the probe host if it lacks it.` }, sentence: `Could not look: ${subject} did not resolve, and the host could not tell NXDOMAIN from a resolver that never answered (no dig there, or a second lookup that disagreed), while the suite expects NXDOMAIN. Install dig (bind-utils) on the probe host if it lacks it.` };
      }
      if (e.by && !e.by.includes(evidenceKind)) {
        return { status: 'FAIL', sentence: `${subject} was ${howBlocked(evidenceKind)}, but the suite expects it to be ${e.by.map(howBlocked).join(' or ')}. Something other than the declared control stops it (${observed(probe)}).` };
      }
      if (!controlOk) {
        return { status: 'INCONCLUSIVE', sentence: `${subject} looked blocked (${observed(probe)}), but the control probe failed (${control ? observed(control) : 'no output'}), so a block cannot be told from a broken host.` };
      }
      return { status: 'PASS', sentence: `${subject} was blocked (${observed(probe)}), as ${policies} requires.` };
    }
    case 'stays-private': {
      const cidrs = e.cidrs;
      const addrs = Array.isArray(probe.data.addresses) ? (probe.data.addresses as string[]) : [];
      const outside = addrs.filter((a) => !cidrs.some((c) => cidrContains(c, a)));
      if (outside.length > 0) {
        return { status: 'FAIL', sentence: `${subject} answered ${outside.join(', ')}, outside the endpoint ranges ${cidrs.join(', ')}: an SDK configured for this name would leave the private path (${policies}).` };
      }
      if (probe.class === 'success' && addrs.length > 0) {
        return { status: 'PASS', sentence: `${subject} answered only ${addrs.join(', ')}, inside ${cidrs.join(', ')}.` };
      }
      // Absent is a PASS only when a resolver said so: NXDOMAIN, or an answer without addresses.
      if (probe.outcome === 'nxdomain' || probe.outcome === 'no-answer') {
        if (!controlOk) return { status: 'INCONCLUSIVE', sentence: `${subject} did not resolve (${observed(probe)}), but the control probe failed (${control ? observed(control) : 'no output'}), so an absent name cannot be told from a broken host.` };
        return { status: 'PASS', sentence: `${subject} does not resolve (${observed(probe)}): no SDK setting can take it off the private path (${policies}).` };
      }
      const why = `${subject} got no answer a resolver vouches for (${observed(probe)}), so whether the name leads off the private path is unknown.`;
      return { status: 'ERROR', fault: { code: 'CANNOT_TELL', message: `Could not look: ${why}` }, sentence: `Could not look: ${why}` };
    }
    case 'resolves-within': {
      const cidrs = e.cidrs;
      const addrs = Array.isArray(probe.data.addresses) ? (probe.data.addresses as string[]) : [];
      if (probe.class !== 'success' || addrs.length === 0) {
        return { status: 'FAIL', sentence: `${subject} gave no address (${observed(probe)}): the private path for ${policies} is broken.` };
      }
      const outside = addrs.filter((a) => !cidrs.some((c) => cidrContains(c, a)));
      if (outside.length > 0) {
        return { status: 'FAIL', sentence: `${subject} answered ${outside.join(', ')}, outside the endpoint ranges ${cidrs.join(', ')}: traffic for ${policies} would leave the private path.` };
      }
      return { status: 'PASS', sentence: `${subject} answered only ${addrs.join(', ')}, inside ${cidrs.join(', ')}${probe.data.server ? ` (server ${String(probe.data.server)})` : ''}.` };
    }
  }
}
