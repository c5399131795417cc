import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { html } from '../../reporters/html.ts';
import { sampleReport } from '../helpers/report-fixture.ts';

const CHROMIUM = '/usr/bin/chromium';

describe.runIf(existsSync(CHROMIUM))('the HTML evidence report in headless Chromium', () => {
  test('renders, makes no external request, and shows the zone matrix and failing evidence first', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pp-html-'));
    const file = path.join(dir, 'report.html');
    writeFileSync(file, html(sampleReport()));
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    try {
      const page = await browser.newPage();
      const requests: string[] = [];
      const errors: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      await page.goto(pathToFileURL(file).href);
      await page.waitForLoadState('load');
      expect(requests).toEqual([pathToFileURL(file).href]);
      expect(errors).toEqual([]);

      const cells = page.locator('#matrix g.cell');
      expect(await cells.count()).toBe(6 * 8); // internal zones × all zones
      expect(await page.locator('#matrix g.cell[data-from="application"][data-to="external-ai"]').getAttribute('data-observed')).toBe('FAIL');
      expect(await page.locator('#matrix g.cell[data-from="application"][data-to="inference"]').getAttribute('data-intended')).toBe('mixed'); // 443 only
      expect(await page.locator('#matrix g.cell[data-from="application"][data-to="data"]').getAttribute('data-intended')).toBe('deny');
      expect(await page.locator('#matrix g.cell[data-from="data"][data-to="internet"]').getAttribute('data-observed')).toBe('untested');
      const box = await page.locator('#matrix').boundingBox();
      expect(box!.width).toBeGreaterThan(400);

      expect(await page.locator('[data-count="FAIL"]').textContent()).toBe('2');
      // Per-policy sections list failing evidence first.
      const first = await page.locator('section#NET-010 tr.v-FAIL, section#NET-010 tr.v-PASS').first().getAttribute('class');
      expect(first).toBe('v-FAIL');
      expect(await page.locator('#frameworks tr').count()).toBeGreaterThan(4);
      // Coverage: every policy × category cell is marked tested (naming its checks) or untested.
      expect(await page.locator('#coverage td').count()).toBe(8 * 8); // 7 NET policies + default-deny × 8 categories
      expect(await page.locator('#coverage td[data-policy="NET-001"][data-category="positive"]').textContent()).toMatch(/^tested \(\d+\)$/);
      expect(await page.locator('#coverage td[data-policy="NET-001"][data-category="positive"]').getAttribute('title')).toContain('net001-app-to-model-proxy');
      expect(await page.locator('#coverage td[data-policy="NET-001"][data-category="exfiltration"]').textContent()).toBe('untested');
      expect(await page.locator('#zone-coverage').textContent()).toMatch(/Zone pairs tested: 42\/42/);
      await page.screenshot({ path: path.join(dir, 'report.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  });
});

describe('the HTML evidence report at fleet scale', () => {
  test('PASS verdicts of one check in one zone on many hosts are one row naming the hosts; anything else stays one row per verdict', () => {
    const base = sampleReport();
    const pass = base.verdicts.find((v) => v.status === 'PASS' && v.policies.includes('NET-001'))!;
    const fail = base.verdicts.find((v) => v.status === 'FAIL')!;
    const hosts = (v: typeof pass, n: number) => Array.from({ length: n }, (_, i) => ({ ...v, target: { ...v.target, instanceId: `i-fleet${String(i).padStart(12, '0')}` } }));
    const verdicts = [...base.verdicts.filter((v) => v !== pass && v !== fail), ...hosts(pass, 3), ...hosts(fail, 2)];
    const page = html({ ...base, verdicts });
    const section = page.slice(page.indexOf('<section class="policy" id="NET-001"'), page.indexOf('</section>', page.indexOf('id="NET-001"')));
    const grouped = [...section.matchAll(/<tr class="v-PASS" data-hosts="(\d+)">.*?<\/tr>/g)];
    expect(grouped.map((m) => m[1])).toEqual(['3']);
    expect(grouped[0]![0]).toContain(`PASS on all 3 hosts of ${pass.target.zone}`);
    for (let i = 0; i < 3; i++) expect(grouped[0]![0]).toContain(`i-fleet${String(i).padStart(12, '0')}`);
    // Each failing host keeps its own row, sentence and evidence.
    const failPolicy = fail.policies[0]!;
    const failSection = page.slice(page.indexOf(`<section class="policy" id="${failPolicy}"`), page.indexOf('</section>', page.indexOf(`id="${failPolicy}"`)));
    expect([...failSection.matchAll(/<tr class="v-FAIL">/g)].length).toBe(base.verdicts.filter((v) => v.status === 'FAIL' && v.policies.includes(failPolicy)).length + 1);
    // One host per zone (the sample): one row per verdict, no grouped row.
    expect(html(base)).not.toMatch(/data-hosts=/);
  });
});
