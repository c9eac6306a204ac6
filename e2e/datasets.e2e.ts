// The Datasets page end to end on an indexed copy of the demo, served with --role oca: pick
// core-06-index (the OCA may not see PII without consent: redacted cells are marked), pick
// t-23-der (rows in the infinite grid, the circuit DER capacity chart), t-14-cca (15/15
// suppressed cells marked), then export t-23-der to CSV with progress and find the CSV, its
// sidecar JSON and the run record (role oca).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { apiCall, launchChromium, results, serve, type Server, copySharedDemo } from './harness';

const copy = path.join(results, 'e2e-datasets.edw');
const out = path.join(results, 'e2e-datasets-t23.csv');

const copyDemo = (): string => copySharedDemo(copy);

let server: Server;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  server = await serve(copyDemo(), { role: 'oca' });
  // PremiseIDs for every premise (the demo carries only the seed IDs until indexed).
  await apiCall(server, 'index.run', {});
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const rowsInGrid = () => page.locator('[data-testid="ds-grid"] .ag-row').count();

async function pick(name: string): Promise<void> {
  await page.getByTestId(`ds-item-${name}`).click();
  await expect.poll(rowsInGrid, { timeout: 30_000 }).toBeGreaterThan(0);
}

describe('datasets page', () => {
  it('lists the datasets and previews core-06-index with redacted cells marked', async () => {
    await page.goto(server.url);
    await page
      .getByTestId('workspace-name')
      .filter({ hasText: 'e2e-datasets.edw' })
      .waitFor({ timeout: 30_000 });
    await page.getByTestId('nav-datasets').click();
    for (const n of [
      'core-06-index',
      't-09-system',
      't-14-cca',
      't-23-der',
      'p-24-submeter',
      't-32-wap',
    ])
      await page.getByTestId(`ds-item-${n}`).waitFor({ timeout: 30_000 });
    await pick('core-06-index');
    await expect.poll(() => page.getByTestId('ds-role').innerText()).toBe('oca');
    // Without consent the OCA sees no PII: addresses and accounts are marked [redacted].
    await expect
      .poll(() => page.locator('[data-testid="ds-grid"] .ag-cell.ds-cell-redacted').count())
      .toBeGreaterThan(0);
    expect(
      await page.locator('[data-testid="ds-grid"] .ag-cell.ds-cell-redacted').first().innerText(),
    ).toBe('[redacted]');
    // The header tooltip names the data class.
    const header = page.locator('[data-testid="ds-grid"] .ag-header-cell[col-id="addresses_raw"]');
    expect(await header.getAttribute('class')).toContain('ds-h-pii');
    await page.screenshot({ path: path.join(results, 'datasets-core06.png'), fullPage: true });
  });

  it('previews t-23-der with its circuit capacity chart, and t-14-cca with 15/15 marks', async () => {
    await pick('t-23-der');
    await page.locator('[data-testid="ds-chart"] canvas').waitFor({ timeout: 30_000 });
    await expect
      .poll(() => page.getByTestId('ds-row-count').innerText(), { timeout: 30_000 })
      .toMatch(/\d[\d,]*\+? rows/);
    await page.screenshot({ path: path.join(results, 'datasets-t23.png'), fullPage: true });

    await pick('t-14-cca');
    await page.locator('[data-testid="ds-chart"] canvas').waitFor({ timeout: 30_000 });
    await page.screenshot({
      path: path.join(results, 'datasets-t14-pembroke.png'),
      fullPage: true,
    });
    // Pembroke's cells all pass 15/15 on the demo; Concord has a few customers: suppressed.
    await page.getByTestId('ds-param-town').fill('Concord');
    await page.getByTestId('ds-preview').click();
    await expect
      .poll(() => page.locator('[data-testid="ds-grid"] .ag-cell.ds-cell-suppressed').count(), {
        timeout: 30_000,
      })
      .toBeGreaterThan(0);
    await page.screenshot({ path: path.join(results, 'datasets-t14.png'), fullPage: true });
  });

  it('exports t-23-der to CSV with progress, the sidecar JSON and the run record', async () => {
    for (const f of [out, `${out}.json`]) fs.rmSync(f, { force: true });
    await pick('t-23-der');
    await page.getByTestId('ds-out').fill(out);
    // Progress may be brief: watch for it from before the click.
    await page.evaluate(() => {
      const w = window as unknown as { __sawProgress: boolean };
      w.__sawProgress = false;
      new MutationObserver(() => {
        if (document.querySelector('[data-testid="ds-export-progress"]')) w.__sawProgress = true;
      }).observe(document.body, { childList: true, subtree: true });
    });
    await page.getByTestId('ds-export').click();
    await page.getByTestId('ds-run').waitFor({ timeout: 60_000 });
    expect(
      await page.evaluate(() => (window as unknown as { __sawProgress: boolean }).__sawProgress),
    ).toBe(true);
    expect(fs.existsSync(out)).toBe(true);
    expect(fs.existsSync(`${out}.json`)).toBe(true);
    const lines = fs.readFileSync(out, 'utf8').trimEnd().split('\r\n');
    expect(lines[0]).toMatch(
      /^premise_id,usage_point_id,asset_id,category,owner,node_id,section_id,circuit_id/,
    );
    const sidecar = JSON.parse(fs.readFileSync(`${out}.json`, 'utf8')) as {
      run: { rowCount: number; role: string; name: string };
    };
    expect(sidecar.run).toMatchObject({
      name: 't-23-der',
      role: 'oca',
      rowCount: lines.length - 1,
    });
    expect(await page.getByTestId('ds-run-role').locator('.stat-value').innerText()).toBe('oca');
    expect(
      Number(
        (await page.getByTestId('ds-run-rows').locator('.stat-value').innerText()).replace(
          /\D/g,
          '',
        ),
      ),
    ).toBe(lines.length - 1);
    await page.screenshot({ path: path.join(results, 'datasets-export.png'), fullPage: true });
  });
});
