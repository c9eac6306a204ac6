// The Green Button page end to end, on a copy of the shared demo:
// (a) as analyst (POLICY allows customer usage data) export the CORE-01 usage point 1066972800
//     (account 108999999) for three July days: the consent panel says allowed, the output file is
//     chosen with the save dialog, the result shows readings/blocks/size, and the file is an
//     ESPI feed that xmllint validates against reference/espi/v3.3;
// (b) as consultant (POLICY: consent) the same export is refused, with the reason the backend
//     gives, and no file is written; a customer whose consent expired shows "expired on D";
// (c) the Import tab imports fixtures/greenbutton/ues-hourly-fallback.xml for UES and shows what
//     was imported and what was reported (the bill already held is a duplicate).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, results, root, serve, sharedDemo, type Server } from './harness';

const CORE01 = '1066972800';
const FROM = '2018-07-01';
const TO = '2018-07-03';

let browser: Browser;
let workspace: string;

beforeAll(async () => {
  fs.mkdirSync(results, { recursive: true });
  workspace = path.join(results, 'e2e-greenbutton.edw');
  for (const s of ['', '-wal', '-shm']) fs.rmSync(`${workspace}${s}`, { force: true });
  const demo = sharedDemo();
  fs.copyFileSync(demo, workspace);
  if (fs.existsSync(`${demo}-wal`)) fs.copyFileSync(`${demo}-wal`, `${workspace}-wal`);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

async function openPage(page: Page, server: Server): Promise<void> {
  await page.goto(server.url);
  await page
    .getByTestId('workspace-name')
    .filter({ hasText: path.basename(workspace) })
    .waitFor({ timeout: 30_000 });
  await page.getByTestId('nav-greenbutton').click();
  await page.getByTestId('gb-search').waitFor();
}

/** Search the picker and tick (usage points) or choose (customer) the row with this key. */
async function pick(page: Page, key: string): Promise<void> {
  await page.getByTestId('gb-search').fill(key);
  const row = page.locator(
    `[data-testid="gb-up-row"][data-key="${key}"], [data-testid="gb-customer-row"][data-key="${key}"]`,
  );
  await row.first().waitFor({ timeout: 30_000 });
  await row.first().locator('input').check();
}

async function setRange(page: Page): Promise<void> {
  await page.getByTestId('gb-from').fill(FROM);
  await page.getByTestId('gb-to').fill(TO);
}

/** The consent panel once it has answered for the current selection. */
async function consentSettled(page: Page): Promise<string> {
  const panel = page.getByTestId('gb-consent');
  await expect
    .poll(async () => panel.getAttribute('data-status'), { timeout: 30_000 })
    .toMatch(/^(covered|refused|error)$/);
  return (await panel.getAttribute('data-status')) ?? '';
}

function xmllint(file: string): { ok: boolean; message: string } {
  const r = spawnSync(
    'xmllint',
    ['--noout', '--nonet', '--schema', path.join(root, 'reference/espi/v3.3/feed.xsd'), file],
    { encoding: 'utf8' },
  );
  if (r.error) throw new Error(`xmllint is not available: ${r.error.message}`);
  return { ok: r.status === 0, message: r.stderr.trim() };
}

describe('Green Button page as analyst', () => {
  let server: Server;
  let page: Page;
  const out = path.join(results, 'e2e-greenbutton-core01.xml');

  beforeAll(async () => {
    fs.rmSync(out, { force: true });
    server = await serve(workspace, { role: 'analyst' });
    page = await browser.newPage({ viewport: { width: 1280, height: 1500 } });
  });

  afterAll(async () => {
    await page?.close();
    await server?.stop();
  });

  it('exports the CORE-01 usage point for a short range: allowed by role, a valid ESPI file', async () => {
    await openPage(page, server);
    await pick(page, CORE01);
    // The picker shows org, commodity and the customer (names need consent for analyst).
    const row = page.locator(`[data-testid="gb-up-row"][data-key="${CORE01}"]`);
    const rowText = await row.innerText();
    expect(rowText).toContain('UES');
    expect(rowText).toContain('electricity');
    expect(rowText).toContain('U5214404');
    expect(await page.getByTestId('gb-chosen').innerText()).toContain(`UES:${CORE01}`);
    await setRange(page);

    expect(await consentSettled(page)).toBe('covered');
    const consent = await page.getByTestId('gb-consent').innerText();
    expect(consent).toMatch(/Role analyst may export/);
    expect(consent).toContain(`UES:${CORE01}`);
    expect(consent).toMatch(/allowed/);

    // The output file through the save dialog: go to test-results/, name the file.
    await page.getByTestId('gb-out-browse').click();
    const dialog = page.getByTestId('file-dialog');
    await dialog.getByTestId('file-dialog-dir').fill(results);
    await dialog.getByTestId('file-dialog-dir').press('Enter');
    await dialog.locator('[data-testid="file-dialog-entry"]').first().waitFor({ timeout: 30_000 });
    await dialog.getByTestId('file-dialog-name').fill(path.basename(out));
    await dialog.getByTestId('file-dialog-choose').click();
    await expect.poll(() => dialog.count()).toBe(0);
    expect(await page.getByTestId('gb-out').inputValue()).toBe(out);

    await page.getByTestId('gb-export').click();
    const result = page.getByTestId('gb-result');
    await result.waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('gb-result-file').innerText()).toBe(out);
    expect(await page.getByTestId('gb-result-basis').innerText()).toMatch(/role analyst/);

    // The file: an ESPI Atom feed of the usage point, three local days of hourly readings.
    const xml = fs.readFileSync(out, 'utf8');
    expect(xml.startsWith('<?xml')).toBe(true);
    expect(xml).toContain('<feed xmlns="http://www.w3.org/2005/Atom">');
    expect(xml).toContain('<generator version="ESPI 3.3">');
    expect(xml).toContain(`/UsagePoint/${CORE01}"`);
    expect(xml).toContain('xmlns="http://naesb.org/espi"');
    const readings = (xml.match(/<IntervalReading>/g) ?? []).length;
    const blocks = (xml.match(/<IntervalBlock[ >]/g) ?? []).length;
    // July 1–3 are 24-hour days: 3 × 24 hourly readings in 3 blocks (one per local day).
    expect(readings).toBe(72);
    expect(blocks).toBe(3);
    const v = xmllint(out);
    expect(v.message).toMatch(/validates/);
    expect(v.ok).toBe(true);

    // What the page shows matches the file.
    expect(await page.getByTestId('gb-result-readings').innerText()).toContain(String(readings));
    expect(await page.getByTestId('gb-result-blocks').innerText()).toContain(String(blocks));
    const size = await page.getByTestId('gb-result-size').innerText();
    expect(size).toMatch(/KB|bytes/);
    expect(await page.getByTestId('gb-result-series').innerText()).toMatch(
      /Electricity kWh hourly/,
    );

    await page.screenshot({ path: path.join(results, 'greenbutton-export.png'), fullPage: true });
  });

  it('imports a Green Button file from the Import tab', async () => {
    const file = path.join(root, 'fixtures/greenbutton/ues-hourly-fallback.xml');
    await page.getByTestId('gb-tab-import').click();
    await page.getByTestId('gb-import-org').selectOption('UES');
    await page.getByTestId('gb-import-browse').click();
    const dialog = page.getByTestId('file-dialog');
    await dialog.getByTestId('file-dialog-dir').fill(path.dirname(file));
    await dialog.getByTestId('file-dialog-dir').press('Enter');
    await dialog
      .locator(`[data-testid="file-dialog-entry"][data-name="${path.basename(file)}"] input`)
      .check({ timeout: 30_000 });
    await dialog.getByTestId('file-dialog-choose').click();
    expect(await page.getByTestId('gb-import-files').innerText()).toContain(file);
    await page.getByTestId('gb-import-run').click();

    const result = page.getByTestId('import-result');
    await result.waitFor({ timeout: 60_000 });
    const outcome = result.getByTestId('import-result-file');
    expect(await outcome.getAttribute('data-status')).toBe('committed');
    // 73 hourly readings over 2017-11-04..06 (the fall-back day has 25 hours) and the CORE-01
    // bill as a UsageSummary, which the demo already holds: reported as a duplicate.
    expect(await result.getByTestId('import-result-rejected').innerText()).toBe('0');
    const text = await outcome.innerText();
    expect(text).toMatch(/readings 73|73 readings/);
    expect(text).toMatch(/already holds this bill/);
    expect(text).toMatch(/Wh → kWh/);

    // The imported days are now stored: the usage point's data starts in 2017.
    const db = new Database(workspace, { readonly: true });
    try {
      const first = db
        .prepare(
          `SELECT min(b.day) FROM interval_block b JOIN series s ON s.id = b.series_id
           JOIN usage_point u ON u.id = s.usage_point_id WHERE u.source_key = ?`,
        )
        .pluck()
        .get(CORE01) as number;
      expect(new Date(first * 86_400_000).toISOString().slice(0, 10)).toBe('2017-11-04');
    } finally {
      db.close();
    }
    await page.screenshot({ path: path.join(results, 'greenbutton-import.png'), fullPage: true });
  });
});

describe('Green Button page as consultant (consent needed)', () => {
  let server: Server;
  let page: Page;
  const out = path.join(results, 'e2e-greenbutton-refused.xml');

  beforeAll(async () => {
    fs.rmSync(out, { force: true });
    server = await serve(workspace, { role: 'consultant' });
    page = await browser.newPage({ viewport: { width: 1280, height: 1500 } });
  });

  afterAll(async () => {
    await page?.close();
    await server?.stop();
  });

  it('refuses the CORE-01 export and says why; no file is written', async () => {
    await openPage(page, server);
    await pick(page, CORE01);
    await setRange(page);
    expect(await consentSettled(page)).toBe('refused');
    const consent = await page.getByTestId('gb-consent').innerText();
    expect(consent).toMatch(/Role consultant needs a covering consent/);
    const customer = page.getByTestId('gb-consent-customer');
    expect(await customer.getAttribute('data-covered')).toBe('false');
    expect(await customer.innerText()).toMatch(/U5214404\s+not covered\s+no consent on record/);

    await page.getByTestId('gb-out').fill(out);
    await page.getByTestId('gb-export').click();
    const refused = page.getByTestId('gb-refused');
    await refused.waitFor({ timeout: 30_000 });
    expect(await refused.getAttribute('data-reason')).toBe('consent_missing');
    expect(await refused.innerText()).toContain(
      `usage point ${CORE01} (UES): customer U5214404: no consent on record`,
    );
    expect(fs.existsSync(out)).toBe(false);
    await page.screenshot({ path: path.join(results, 'greenbutton-refused.png'), fullPage: true });
  });

  it('names an expired consent for a customer whose consent ran out', async () => {
    // A consent of the demo that has expired (valid_to before today), not revoked.
    const db = new Database(workspace, { readonly: true });
    let c: { key: string; id: number; validTo: string };
    try {
      c = db
        .prepare(
          `SELECT cu.source_key AS key, co.id, co.valid_to AS validTo FROM consent co
           JOIN customer cu ON cu.id = co.customer_id
           WHERE co.valid_to < date('now') AND co.revoked_at IS NULL
             AND (SELECT count(*) FROM consent o WHERE o.customer_id = co.customer_id) = 1
           ORDER BY co.id LIMIT 1`,
        )
        .get() as typeof c;
    } finally {
      db.close();
    }
    expect(c).toBeDefined();

    await page.getByTestId('gb-mode-customer').check();
    await pick(page, c.key);
    expect(await page.getByTestId('gb-chosen').innerText()).toContain(c.key);
    expect(await consentSettled(page)).toBe('refused');
    const customer = page.getByTestId('gb-consent-customer');
    expect(await customer.innerText()).toContain(`consent #${c.id} expired on ${c.validTo}`);
    // The refusal of the earlier request is no longer shown for this one.
    expect(await page.getByTestId('gb-refused').count()).toBe(0);
    await page.screenshot({ path: path.join(results, 'greenbutton-expired.png'), fullPage: true });
  });
});
