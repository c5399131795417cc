import { policyOf, type Report } from '../src/model/report.ts';
import type { Verdict } from '../src/model/result.ts';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const ORDER = ['FAIL', 'ERROR', 'INCONCLUSIVE', 'WAIVED', 'PASS'] as const;
const COLOR: Record<string, string> = { FAIL: '#c62828', ERROR: '#6a1b9a', INCONCLUSIVE: '#ef6c00', WAIVED: '#757575', PASS: '#2e7d32', allow: '#c8e6c9', deny: '#eeeeee', mixed: '#fff9c4' };

/** What was observed for a zone pair: the worst verdict among the checks of that pair. */
function observed(report: Report, from: string, to: string): string | undefined {
  const vs = report.verdicts.filter((v) => v.from === from && v.to === to);
  return ORDER.find((s) => vs.some((v) => v.status === s));
}

/** The zone × zone matrix as inline SVG: cell fill = intended, centre mark = observed. */
function matrixSvg(report: Report): string {
  const from = report.zones.filter((z) => z.kind === 'internal').map((z) => z.name);
  const to = report.zones.map((z) => z.name);
  const cell = 74;
  const left = 110;
  const top = 90;
  const parts: string[] = [];
  to.forEach((z, j) => parts.push(`<text x="${left + j * cell + cell / 2 - 6}" y="${top - 8}" text-anchor="start" transform="rotate(-35 ${left + j * cell + cell / 2 - 6} ${top - 8})" font-size="12">${esc(z)}</text>`));
  from.forEach((f, i) => {
    parts.push(`<text x="${left - 8}" y="${top + i * cell + cell / 2 + 4}" text-anchor="end" font-size="12">${esc(f)}</text>`);
    to.forEach((t, j) => {
      const intended = report.matrix.find((m) => m.from === f && m.to === t)?.intended ?? 'deny';
      const seen = observed(report, f, t);
      const x = left + j * cell;
      const y = top + i * cell;
      // The two witnesses for this pair: agree (=), disagree (≠), or nothing both looked at.
      const ws = (report.witnesses ?? []).filter((w) => w.from === f && w.to === t);
      const witness = ws.length === 0 ? 'none' : ws.every((w) => w.agree) ? 'agree' : 'disagree';
      parts.push(`<g class="cell" data-from="${esc(f)}" data-to="${esc(t)}" data-intended="${intended}" data-observed="${seen ?? 'untested'}" data-witnesses="${witness}">`,
        `<rect x="${x}" y="${y}" width="${cell - 2}" height="${cell - 2}" fill="${COLOR[intended]}" stroke="#9e9e9e"><title>${esc(`${f} → ${t}: intended ${intended}, observed ${seen ?? 'untested'}`)}</title></rect>`,
        `<text x="${x + cell / 2 - 1}" y="${y + 22}" text-anchor="middle" font-size="11">${intended}</text>`,
        witness === 'none' ? '' : `<text x="${x + cell - 12}" y="${y + 16}" text-anchor="middle" font-size="13" font-weight="bold" fill="${witness === 'agree' ? '#2e7d32' : '#c62828'}"><title>${esc(`static analysis and probes ${witness === 'agree' ? 'agree' : 'disagree'} on ${ws.length} connection(s)`)}</title>${witness === 'agree' ? '=' : '≠'}</text>`,
        seen ? `<circle cx="${x + cell / 2 - 1}" cy="${y + 46}" r="12" fill="${COLOR[seen]}"/><text x="${x + cell / 2 - 1}" y="${y + 50}" text-anchor="middle" font-size="9" fill="#fff">${seen.slice(0, 4)}</text>` : `<text x="${x + cell / 2 - 1}" y="${y + 50}" text-anchor="middle" font-size="10" fill="#9e9e9e">untested</text>`,
        '</g>');
    });
  });
  const w = left + to.length * cell + 80;
  const h = top + from.length * cell + 10;
  return `<svg id="matrix" xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="zone by zone matrix, intended versus observed">${parts.join('')}</svg>`;
}

/** The check's id, its suite and where it is declared. */
const checkCell = (v: Verdict) => `<td>${esc(v.checkId)}<br><small>${esc(v.suite)} · ${esc(v.source.file.split('/').slice(-2).join('/'))}:${v.source.line}</small></td>`;

function row(v: Verdict): string {
  return `<tr class="v-${v.status}"><td><b style="color:${COLOR[v.status]}">${v.status}</b></td>${checkCell(v)}<td>${esc(v.target.zone)}<br><small>${esc(v.target.instanceId)}</small></td><td>${esc(v.sentence)}${v.evidence.probe ? `<details><summary>evidence</summary><pre>${esc(JSON.stringify({ command: v.evidence.commandId, status: v.evidence.invocationStatus, probe: v.evidence.probe.raw, control: v.evidence.control?.raw }, null, 2))}</pre></details>` : ''}</td></tr>`;
}

/**
 * A policy's rows: every FAIL, ERROR, INCONCLUSIVE and WAIVED verdict on its own, and the PASS
 * verdicts of one check in one zone on more than one host as one row naming the hosts. A fleet run
 * (40,000 verdicts) stays a page a person can open; every verdict and its evidence is in result.json
 * and evidence/. One host per zone gives one row per verdict, as before.
 */
function rows(vs: readonly Verdict[]): string {
  const groups = new Map<string, Verdict[]>();
  const order: (Verdict | Verdict[])[] = [];
  for (const v of vs) {
    if (v.status !== 'PASS') { order.push(v); continue; }
    const key = `${v.checkId}\u0000${v.target.zone}`;
    const group = groups.get(key);
    if (group) group.push(v);
    else { const g = [v]; groups.set(key, g); order.push(g); }
  }
  return order.map((x) => (!Array.isArray(x) ? row(x) : x.length === 1 ? row(x[0]!) : passRow(x))).join('');
}

function passRow(vs: readonly Verdict[]): string {
  const v = vs[0]!;
  return `<tr class="v-PASS" data-hosts="${vs.length}"><td><b style="color:${COLOR.PASS}">PASS</b></td>${checkCell(v)}<td>${esc(v.target.zone)}<br><small>${vs.length} hosts</small></td><td>PASS on all ${vs.length} hosts of ${esc(v.target.zone)}; the first: ${esc(v.sentence)}<details><summary>hosts</summary><small>${vs.map((x) => esc(x.target.instanceId)).join(', ')}</small></details></td></tr>`;
}

/** NET policies × categories: each cell names the checks that test it, or says untested. */
function coverageTable(report: Report): string {
  const c = report.coverage;
  const rows = Object.entries(c.policies).map(([id, cats]) => `<tr><th><a href="#${esc(id)}">${esc(id)}</a></th>${c.categories.map((cat) => {
    const ids = cats[cat] ?? [];
    return ids.length
      ? `<td class="tested" data-policy="${esc(id)}" data-category="${esc(cat)}" title="${esc(ids.join(', '))}">tested (${ids.length})</td>`
      : `<td class="untested" data-policy="${esc(id)}" data-category="${esc(cat)}">untested</td>`;
  }).join('')}</tr>`).join('');
  const pairs = Object.values(c.zones);
  return `<table id="coverage"><tr><th>policy</th>${c.categories.map((cat) => `<th>${esc(cat)}</th>`).join('')}</tr>${rows}</table>
<p id="zone-coverage">Zone pairs tested: ${pairs.filter((l) => l.length).length}/${pairs.length}${c.untestedZonePairs.length ? `; untested: ${esc(c.untestedZonePairs.join(', '))}` : ''}.</p>`;
}

/** The auditor's page: self-contained (inline CSS and SVG, no script, no external resource). */
export function html(report: Report): string {
  const count = (s: string) => report.verdicts.filter((v) => v.status === s).length;
  const policyIds = [...new Set([...report.policies.map((p) => p.id), ...report.verdicts.flatMap((v) => v.policies)])];
  const sections = policyIds.map((id) => {
    const p = policyOf(report, id);
    const vs = report.verdicts.filter((v) => v.policies.includes(id)).sort((a, b) => ORDER.indexOf(a.status) - ORDER.indexOf(b.status) || a.checkId.localeCompare(b.checkId));
    const worst = ORDER.find((s) => vs.some((v) => v.status === s)) ?? 'untested';
    const controls = report.frameworks.filter((c) => c.policies.includes(id)).map((c) => `${c.framework} ${c.id}`);
    return `<section class="policy" id="${esc(id)}" data-worst="${worst}"><h2>${esc(id)} — ${esc(p.title)} <span class="badge" style="background:${COLOR[worst] ?? '#9e9e9e'}">${worst}</span></h2>
<p>${esc(p.from)} → ${esc(p.to)}, ${esc(p.ports)}: <b>${p.action}</b>, severity ${p.severity}. ${esc(p.justification)}</p>
<p><i>Remediation:</i> ${esc(p.remediation)}${controls.length ? `<br><i>Controls:</i> ${esc(controls.join(', '))}` : ''}</p>
${vs.length ? `<table><tr><th>verdict</th><th>check</th><th>target</th><th>observation</th></tr>${rows(vs)}</table>` : '<p class="untested">No check tested this policy in this run.</p>'}</section>`;
  }).join('\n');
  const frameworkRows = report.frameworks.map((c) => {
    const vs = report.verdicts.filter((v) => v.policies.some((p) => c.policies.includes(p)));
    const worst = ORDER.find((s) => vs.some((v) => v.status === s)) ?? 'untested';
    return `<tr><td>${esc(c.framework)} ${esc(c.id)}</td><td>${esc(c.title)}</td><td>${c.policies.map((p) => `<a href="#${esc(p)}">${esc(p)}</a>`).join(', ')}</td><td style="color:${COLOR[worst] ?? '#9e9e9e'}">${worst}</td></tr>`;
  }).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>pathproof evidence — ${esc(report.env)} — ${esc(report.runId)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#212121}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}td,th{border:1px solid #e0e0e0;padding:.35rem .5rem;vertical-align:top;text-align:left}
.badge{color:#fff;border-radius:3px;padding:0 .4rem;font-size:.8em}.summary span{display:inline-block;margin-right:1.2rem;font-size:1.1em}
pre{white-space:pre-wrap;font-size:12px;background:#fafafa;padding:.4rem}.partial{background:#fff3e0;border:1px solid #ef6c00;padding:.5rem}
.tested{background:#e8f5e9}.untested{color:#9e9e9e}
</style></head><body>
<h1>pathproof evidence: ${esc(report.env)}</h1>
<p>Run <code>${esc(report.runId)}</code>, ${esc(report.startedAt)} to ${esc(report.finishedAt)}, pathproof ${esc(report.tool.version)}${report.suitesCommit ? `, suites at commit <code>${esc(report.suitesCommit)}</code>` : ''}. Accounts: ${report.accounts.map((a) => `${esc(a.name)} ${esc(a.id)} (${esc(a.region)})`).join(', ')}.</p>
${report.partial ? `<p class="partial" id="partial">This run is <b>partial</b>: it was interrupted, or some checks could not look. Not run: ${esc(report.notRun.join(', ') || 'none')}. Could not look: ${esc(report.couldNotLook.join('; ') || 'none')}.</p>` : ''}
<p class="summary" id="summary">${ORDER.map((s) => `<span style="color:${COLOR[s]}"><b data-count="${s}">${count(s)}</b> ${s}</span>`).join('')}</p>
<h2>Zones: intended (cell), observed (mark), and whether static analysis and probes agree (= or ≠)</h2>
${matrixSvg(report)}
<h2>Coverage: NET policies × categories</h2>
${coverageTable(report)}
${report.drift ? `<h2>Changes since the baseline (information)</h2>
<div id="drift">${!report.drift.baseline ? '<p>No baseline was recorded.</p>' : report.drift.changes.length === 0 ? '<p>None.</p>' : `<p>${report.drift.changes.length} change(s). Drift is not a verdict: the catalog checks (cfg-catalog-*) say whether each change opens or closes a flow the policies govern.</p><ul>${report.drift.changes.map((c) => `<li><code>${esc(c)}</code></li>`).join('')}</ul>`}</div>` : ''}
${report.witnesses?.length ? `<h2>Two witnesses: static analysis and probes</h2>
<p id="witness-summary">${report.witnesses.filter((w) => w.agree).length} of ${report.witnesses.length} connection(s) agree. A disagreement is a finding: static open but blocked means another layer (or no listener) stopped it; static closed but through means a path the model does not know.</p>
<table id="witnesses"><tr><th>check</th><th>from → to</th><th>port</th><th>static</th><th>probe</th><th></th></tr>${report.witnesses.map((w) => `<tr class="${w.agree ? 'agree' : 'disagree'}"><td>${esc(w.checkId)}</td><td>${esc(w.from)} → ${esc(w.to)}</td><td>${w.port}</td><td>${w.staticSays}</td><td>${w.probeSays}</td><td>${w.agree ? 'agree' : `<b>${esc(w.note)}</b>`}</td></tr>`).join('')}</table>` : ''}
<h2>Framework mapping</h2>
<table id="frameworks"><tr><th>control</th><th>title</th><th>NET policies</th><th>worst verdict</th></tr>${frameworkRows}</table>
${sections}
</body></html>
`;
}
