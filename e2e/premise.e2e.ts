// The premise explorer end to end on a copy of the demo (indexed first): find the CORE-01 seed
// premise by a differently written address and by its account number, open its page, see the
// bill, the meter reads and the usage chart (daily and monthly), export its record, and open it
// again from a deep link.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { apiCall, launchChromium, results, serve, type Server, copySharedDemo } from './harness';

const copy = path.join(results, 'e2e-premise.edw');

const copyDemo = (): string => copySharedDemo(copy);

let server: Server;
let browser: Browser;
let page: Page;
let seedId: string;

beforeAll(async () => {
  server = await serve(copyDemo());
  await apiCall(server, 'index.run', {});
  const r = await apiCall<{ hits: { platformId: string }[] }>(server, 'search.premises', {
    query: '108999999',
  });
  seedId = r.hits[0]!.platformId;
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function search(text: string): Promise<void> {
  const input = page.getByTestId('premise-search-input');
  await input.fill('');
  await input.fill(text);
  await expect
    .poll(
      () =>
        page
          .getByTestId('premise-hit')
          .first()
          .getAttribute('data-platform-id')
          .catch(() => null),
      {
        timeout: 15_000,
      },
    )
    .toBe(seedId);
}

describe('premise explorer', () => {
  it('finds the seed premise by a differently written address and opens its page', async () => {
    await page.goto(server.url);
    await page.getByTestId('nav-premise').click();
    await search('74 North Sing Street');
    expect(await page.getByTestId('premise-hit').first().innerText()).toMatch(/74 N SING ST/);
    await page.getByTestId('premise-search-input').press('Enter');
    await page.getByTestId('premise-view').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('premise-platform-id').innerText()).toBe(`PremiseID ${seedId}`);
    expect(page.url()).toContain(`#/premise/${seedId}`);

    // Its bill (CORE-01) and meter reads.
    const bills = page.getByTestId('premise-bills');
    await bills.getByText('2018-07-17').first().waitFor();
    expect(await bills.innerText()).toMatch(/\$106\.51/);
    const reads = await page.getByTestId('premise-reads').innerText();
    expect(reads).toMatch(/72042/);
    expect(reads).toMatch(/72651/);
    // Account numbers are PII: the default analyst role without consent sees them hidden.
    expect(await page.getByTestId('premise-accounts').innerText()).toMatch(/hidden/);
    expect(await page.getByTestId('premise-ids').innerText()).toMatch(/UsagePointID/);
    expect(await page.getByTestId('premise-grid').innerText()).toMatch(/22233/);

    // The usage chart: daily, then monthly, then the common-energy view.
    const chart = page.getByTestId('usage-chart');
    await chart.locator('canvas').first().waitFor({ timeout: 30_000 });
    await page.getByTestId('premise-view').getByText('PremiseID').first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(results, 'premise-page.png') });
    for (const panel of ['usage', 'bills', 'der', 'grid'])
      await page
        .getByTestId(`premise-${panel}`)
        .screenshot({ path: path.join(results, `premise-${panel}.png`) });
    await page.getByTestId('usage-granularity').getByText('Monthly').click();
    await page.getByTestId('usage-view').getByText('Common energy (kWh)').click();
    await chart.locator('canvas').first().waitFor();
    await page
      .getByTestId('premise-usage')
      .screenshot({ path: path.join(results, 'premise-usage-monthly.png') });
  });

  it('finds it by account number, exports its record, and opens from a deep link', async () => {
    await search('108999999');
    await page.getByTestId('premise-hit').first().click();
    await page.getByTestId('premise-view').waitFor();
    await page.getByTestId('export-record').click();
    const done = page.getByTestId('export-done');
    await done.waitFor({ timeout: 30_000 });
    const file = path.join(results, `premise-${seedId}.json`);
    expect(await done.innerText()).toContain(file);
    const bundle = JSON.parse(fs.readFileSync(file, 'utf8')) as { premise: { platformId: string } };
    expect(bundle.premise.platformId).toBe(seedId);

    // The export is in the premise's audit trail at once.
    await page.getByTestId('audit-log').getByText(`premise:${seedId}`).first().waitFor();
    await page.getByTestId('premise-audit').scrollIntoViewIfNeeded();
    await page
      .getByTestId('premise-audit')
      .screenshot({ path: path.join(results, 'premise-audit.png') });

    // A deep link opens the page directly.
    await page.goto(`${server.origin}/#/overview`);
    await page.getByTestId('nav-overview').waitFor();
    await page.goto(`${server.origin}/#/premise/${seedId}`);
    await page.getByTestId('premise-view').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('premise-platform-id').innerText()).toBe(`PremiseID ${seedId}`);
    await page.getByTestId('audit-log').getByText(`premise:${seedId}`).first().waitFor();
  });
});
