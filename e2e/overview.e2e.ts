import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, results, serve, sharedDemo, type Server } from './harness';

let server: Server;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  server = await serve(sharedDemo());
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** Rows rendered by ag-grid inside a test-id container, as text. */
async function gridRows(testId: string): Promise<string[]> {
  const rows = page.locator(`[data-testid="${testId}"] .ag-row`);
  await rows.first().waitFor({ timeout: 30_000 });
  return rows.allInnerTexts();
}

describe('overview in browser mode', () => {
  it('refuses the app without the launch token', async () => {
    const res = await fetch(`${server.origin}/`);
    expect(res.status).toBe(401);
  });

  it('opens the demo workspace overview with grids and a rendered chart', async () => {
    await page.goto(server.url);
    await page
      .getByTestId('workspace-name')
      .filter({ hasText: 'e2e-demo.edw' })
      .waitFor({ timeout: 30_000 });
    await page.getByTestId('nav-overview').click();

    const entities = await gridRows('overview-entities-grid');
    expect(entities.length).toBeGreaterThanOrEqual(5);
    expect(entities.join('\n')).toMatch(/premises/i);
    expect(entities.join('\n')).toMatch(/accounts/i);

    const coverage = await gridRows('overview-coverage-grid');
    expect(coverage.join('\n')).toMatch(/electricity/i);
    expect(coverage.join('\n')).toMatch(/gas/i);

    const canvas = page.locator('[data-testid="monthly-chart"] canvas').first();
    await canvas.waitFor({ timeout: 30_000 });
    // The chart really drew something: count non-transparent pixels of its canvas.
    await expect
      .poll(
        () =>
          canvas.evaluate((c: HTMLCanvasElement) => {
            const ctx = c.getContext('2d');
            if (!ctx || c.width === 0) return 0;
            const data = ctx.getImageData(0, 0, c.width, c.height).data;
            let painted = 0;
            for (let i = 3; i < data.length; i += 4) if ((data[i] ?? 0) > 0) painted++;
            return painted;
          }),
        { timeout: 20_000 },
      )
      .toBeGreaterThan(2000);

    fs.mkdirSync(results, { recursive: true });
    const shot = path.join(results, 'overview.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(fs.statSync(shot).size).toBeGreaterThan(20_000);
  });
});
