import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext } from 'playwright-core';
import { runDemo } from '../src/demo/index.js';

const CHROMIUM = '/usr/bin/chromium';
const present = fs.existsSync(CHROMIUM);
const ci = process.env['CI'] === 'true';
if (!present && !ci) {
  console.warn(`\n!!! report-browser.test.ts SKIPPED: ${CHROMIUM} is missing (apt-get install -y chromium). Under CI=true this fails. !!!\n`);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'retain-report-browser-'));
const sink = { write: () => true } as unknown as NodeJS.WritableStream;
let context: BrowserContext | undefined;

beforeAll(async () => {
  if (!present) return;
  // A fresh profile directory each run (playwright takes it as the persistent context's userDataDir).
  context = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
    executablePath: CHROMIUM,
    viewport: { width: 1366, height: 900 },
    offline: true,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

afterAll(async () => {
  await context?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('the HTML report in a real browser', () => {
  it('fails under CI when the browser is missing', () => {
    if (ci) expect(present, `${CHROMIUM} must exist under CI=true`).toBe(true);
  });

  it.skipIf(!present)('draws every chart with data in it, offline, with no console errors', async () => {
    const store = path.join(tmp, 'demo');
    const summary = await runDemo({
      store,
      json: true,
      stdout: sink,
      stderr: sink,
      scale: { tasks: 2, trainPerTask: 600, testPerTask: 200, benchmarkPerTask: 60 },
    });
    expect(summary.promotion).not.toBeNull();
    const page = await context!.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    // Any request besides the file itself would be a broken "self-contained" promise.
    page.on('request', (r) => {
      if (!r.url().startsWith('file://')) problems.push(`network request: ${r.url()}`);
    });
    await page.goto(`file://${summary.report}`);
    // A string, because this file is type-checked without the DOM library.
    await page.waitForFunction("document.querySelectorAll('[data-chart]:not([data-rendered])').length === 0");
    const charts = await page.$$eval('[data-chart]', (els) =>
      els.map((el) => ({
        name: el.getAttribute('data-chart'),
        rendered: el.getAttribute('data-rendered'),
        // Marks drawn from data: Plot labels each mark's group with its type.
        marks: el.querySelectorAll(
          'g[aria-label="line"] path, g[aria-label="cell"] rect, g[aria-label="bar"] rect, g[aria-label="dot"] circle, g[aria-label="dot"] path',
        ).length,
      })),
    );
    expect(charts.map((c) => c.name).sort()).toEqual(
      ['accuracy-matrix', 'accuracy-over-time', 'events-timeline', 'first-task', 'promotion-gates', 'promotion-rewards', 'replay-composition'].sort(),
    );
    for (const c of charts) {
      expect(c.rendered, c.name!).toBe('ok');
      expect(c.marks, c.name!).toBeGreaterThan(0);
    }
    // 2 learners × 3 cells of a 2-task lower triangle.
    const cells = await page.$$eval('[data-chart="accuracy-matrix"] g[aria-label="cell"] rect', (r) => r.length);
    expect(cells).toBe(6);
    // The stable learner's latest checkpoint is the promoted challenger: 2 streamed permutations + the cycle's new one.
    const bars = await page.$$eval('[data-chart="replay-composition"] g[aria-label="bar"] rect', (r) => r.length);
    expect(bars).toBe(3);
    expect(await page.locator('.empty').count()).toBe(0);
    expect(problems).toEqual([]);
    const shot = path.join(tmp, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(fs.statSync(shot).size).toBeGreaterThan(10_000);
    if (process.env['RETAIN_REPORT_SHOT']) fs.copyFileSync(shot, process.env['RETAIN_REPORT_SHOT']);
    await page.close();
  });
});
