// The VPP page: run the shipped demo scenario (summer 2018) on a copy of the demo workspace
// from the page, with progress, and see the three charts and the per-participant table.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, results, serve, sharedDemo, type Server } from './harness';

let server: Server;
let browser: Browser;
let page: Page;
let copy: string;

beforeAll(async () => {
  // The run writes its stage tables: work on a copy of the shared demo.
  fs.mkdirSync(results, { recursive: true });
  copy = path.join(results, 'e2e-vpp.edw');
  for (const f of [copy, `${copy}-wal`, `${copy}-shm`]) fs.rmSync(f, { force: true });
  fs.copyFileSync(sharedDemo(), copy);
  server = await serve(copy);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function painted(testId: string): Promise<number> {
  const canvas = page.locator(`[data-testid="${testId}"] canvas`).first();
  await canvas.waitFor({ timeout: 30_000 });
  return canvas.evaluate((c: HTMLCanvasElement) => {
    const ctx = c.getContext('2d');
    if (!ctx || c.width === 0) return 0;
    const data = ctx.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if ((data[i] ?? 0) > 0) n++;
    return n;
  });
}

describe('VPP page', () => {
  it('runs the demo scenario and shows dispatch, prices, state of charge and participants', async () => {
    await page.goto(server.url);
    await page
      .getByTestId('workspace-name')
      .filter({ hasText: 'e2e-vpp.edw' })
      .waitFor({ timeout: 30_000 });
    await page.getByTestId('nav-vpp').click();
    await page.getByTestId('vpp-valid').waitFor({ timeout: 30_000 });
    const text = await page.getByTestId('vpp-scenario').inputValue();
    expect(text).toContain('"VPP-2018"');

    // An invalid edit is reported with its path, then the demo is loaded again.
    await page.getByTestId('vpp-scenario').fill(text.replace('"2018-08-31"', '"2018-02-30"'));
    await page
      .getByTestId('vpp-issues')
      .filter({ hasText: 'season.end' })
      .waitFor({ timeout: 30_000 });
    await page.getByTestId('vpp-load-demo').click();
    await page.getByTestId('vpp-valid').waitFor({ timeout: 30_000 });

    await page.getByTestId('vpp-run').click();
    await page.getByTestId('vpp-progress').waitFor({ timeout: 30_000 });
    await page.getByTestId('vpp-results').waitFor({ timeout: 600_000 });

    for (const chart of ['vpp-chart-dispatch', 'vpp-chart-price', 'vpp-chart-soc'])
      await expect.poll(() => painted(chart), { timeout: 20_000 }).toBeGreaterThan(2000);

    const rows = page.locator('[data-testid="vpp-participants"] .ag-row');
    await rows.first().waitFor({ timeout: 30_000 });
    expect(await rows.count()).toBeGreaterThan(5);
    expect(await page.getByTestId('vpp-stat-reconcile').innerText()).toContain(
      'reconciles to the cent',
    );
    expect(await page.getByTestId('vpp-export-vpp_settlement').isEnabled()).toBe(true);

    const shot = path.join(results, 'vpp.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(fs.statSync(shot).size).toBeGreaterThan(20_000);
  }, 900_000);
});
