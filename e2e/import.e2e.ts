// The import wizard end to end: a small CIS file with two bad rows goes through the wizard
// (file chooser, kind, preview, mapping edit, lenient run), the rejects grid shows the bad
// rows and the rejects file downloads; the same file again is reported as already imported.
// A second workspace checks progress and Cancel on a large file.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import {
  apiCall,
  demoWorkspace,
  launchChromium,
  results,
  serve,
  sharedDemo,
  type Server,
} from './harness';

const HEADER =
  'org,account,customer,premise,address,city,state,zip,usage_point,meter,commodity,rate_class,start_date,end_date';

/** 5 good rows with accounts no other e2e file uses, and 2 bad ones (lines 5 and 8). */
function smallCis(): string {
  const row = (n: number, zip: string, start: string) =>
    `UES,E2E-IMP-${n},E2E Customer ${n},E2E-IMP-P${n},${n} Wizard Way,Pembroke,NH,${zip},E2E-IMP-UP${n},E2E-IMP-M${n},electricity,D,${start},`;
  return [
    HEADER,
    row(1, '03275', '2021-01-01'), // line 2
    row(2, '03275', '2021-01-01'), // line 3
    row(3, '03275', '2021-02-01'), // line 4
    row(4, '0327', '2021-01-01'), // line 5: bad ZIP
    row(5, '03275', '2021-03-01'), // line 6
    row(6, '03275', '2021-03-01'), // line 7
    row(7, '03275', '2018-13-01'), // line 8: bad date
    '',
  ].join('\n');
}

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

/** Texts of ag-grid rows inside a test-id container, in row order. */
async function gridRows(page: Page, testId: string): Promise<string[]> {
  const rows = page.locator(`[data-testid="${testId}"] .ag-row`);
  await rows.first().waitFor({ timeout: 30_000 });
  return rows.allInnerTexts();
}

/** One cell's text: row index (0-based, as ag-grid numbers them) and column id. */
function cell(page: Page, testId: string, row: number, col: string) {
  return page.locator(`[data-testid="${testId}"] .ag-row[row-index="${row}"] [col-id="${col}"]`);
}

async function openImport(page: Page, server: Server, workspaceName: string): Promise<void> {
  await page.goto(server.url);
  await page
    .getByTestId('workspace-name')
    .filter({ hasText: workspaceName })
    .waitFor({ timeout: 30_000 });
  await page.getByTestId('nav-import').click();
  await page.getByTestId('import-kind').waitFor();
}

describe('import wizard', () => {
  let server: Server;
  let page: Page;
  const csv = path.join(results, 'import-e2e-cis.csv');

  beforeAll(async () => {
    fs.mkdirSync(results, { recursive: true });
    fs.writeFileSync(csv, smallCis());
    server = await serve(sharedDemo());
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  });

  afterAll(async () => {
    await page?.close();
    await server?.stop();
  });

  it('chooses the file, previews the mapped rows and follows mapping edits', async () => {
    await openImport(page, server, 'e2e-demo.edw');

    // The file chooser lists the folder through files.list (no host dialog).
    await page.getByTestId('import-browse').click();
    const dialog = page.getByTestId('file-dialog');
    await dialog.getByTestId('file-dialog-dir').fill(results);
    await dialog.getByTestId('file-dialog-dir').press('Enter');
    const entry = dialog.locator(
      `[data-testid="file-dialog-entry"][data-name="${path.basename(csv)}"]`,
    );
    await entry.locator('input[type="checkbox"]').check({ timeout: 30_000 });
    await dialog.getByTestId('file-dialog-choose').click();
    await expect.poll(() => dialog.count()).toBe(0);
    await expect.poll(() => page.getByTestId('import-files').innerText()).toContain(csv);

    // Typing the same path does not add it twice.
    await page.getByTestId('import-file-input').fill(csv);
    await page.getByTestId('import-add-file').click();
    await expect.poll(() => page.locator('[data-testid="import-files"] li').count()).toBe(1);

    await page.getByTestId('import-kind').selectOption('cis');
    expect(await page.getByTestId('import-org').inputValue()).toBe('');
    // "Suggested from headers" is the default profile; the native one is listed too.
    expect(await page.getByTestId('import-profile').inputValue()).toBe('');
    expect(await page.getByTestId('import-profile').innerText()).toMatch(/native/);
    await page.getByTestId('import-next').click();

    // Step 2: every native field mapped from the headers, 7 rows previewed.
    const rows = await gridRows(page, 'import-preview-grid');
    expect(rows).toHaveLength(7);
    expect(rows.join('\n')).toContain('E2E-IMP-1');
    expect(await page.getByTestId('mapping-field-account').inputValue()).toBe('account');
    expect(await page.getByTestId('mapping-field-zip').inputValue()).toBe('zip');
    expect(await page.getByTestId('mapping-field-start_date').inputValue()).toBe('start_date');
    await expect
      .poll(() => cell(page, 'import-preview-grid', 0, 'city').innerText())
      .toBe('Pembroke');

    // Mapping city to the state column re-previews with the edited profile...
    await page.getByTestId('mapping-field-city').selectOption('state');
    await expect
      .poll(() => cell(page, 'import-preview-grid', 0, 'city').innerText(), { timeout: 20_000 })
      .toBe('NH');
    // ...and unmapping a required field is flagged and blocks the next step.
    await page.getByTestId('mapping-field-premise').selectOption('');
    await expect.poll(() => page.getByTestId('import-problems').innerText()).toMatch(/premise/);
    expect(await page.getByTestId('import-next').isDisabled()).toBe(true);
    await page.getByText('undo edits').click();
    await expect
      .poll(() => cell(page, 'import-preview-grid', 0, 'city').innerText(), { timeout: 20_000 })
      .toBe('Pembroke');
    expect(await page.getByTestId('mapping-field-premise').inputValue()).toBe('premise');
    expect(await page.getByTestId('import-next').isDisabled()).toBe(false);
  });

  it('imports leniently: 5 accepted, 2 rejected, rejects grid and rejects file', async () => {
    await page.getByTestId('import-next').click();
    await page.getByTestId('import-mode').selectOption('lenient');
    await page.getByTestId('import-run').click();

    const result = page.getByTestId('import-result');
    await result.waitFor({ timeout: 60_000 });
    expect(await result.getByTestId('import-result-accepted').innerText()).toBe('5');
    expect(await result.getByTestId('import-result-rejected').innerText()).toBe('2');
    expect(await page.getByTestId('import-total-accepted').innerText()).toContain('5');
    expect(await page.getByTestId('import-total-rejected').innerText()).toContain('2');

    const rejects = await gridRows(page, 'import-rejects-grid');
    expect(rejects).toHaveLength(2);
    const lines = await page
      .locator('[data-testid="import-rejects-grid"] .ag-row [col-id="line"]')
      .allInnerTexts();
    expect(lines.map((l) => l.trim()).sort()).toEqual(['5', '8']);
    const byLine = new Map(
      rejects.map((r) => [/\b(5|8)\b/.exec(r)?.[1] ?? '', r.replace(/\s+/g, ' ')]),
    );
    expect(byLine.get('5')).toMatch(/zip/i);
    expect(byLine.get('5')).toContain('0327');
    expect(byLine.get('8')).toMatch(/start_date/);
    expect(byLine.get('8')).toContain('2018-13-01');
    expect(byLine.get('8')).toMatch(/date/i);

    // Save rejects file: a real browser download of the rejects CSV.
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 30_000 }),
      page.getByTestId('import-save-rejects').click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^import-e2e-cis\.csv\..*\.rejects\.csv$/);
    const saved = path.join(results, 'import-e2e-rejects.csv');
    fs.rmSync(saved, { force: true });
    await download.saveAs(saved);
    const text = fs.readFileSync(saved, 'utf8');
    const savedLines = text.split('\n').filter((l) => l.trim() !== '');
    expect(savedLines[0]).toBe('file,line,column,value,reason');
    expect(savedLines).toHaveLength(3);
    expect(savedLines.slice(1).join('\n')).toContain('0327');
    expect(savedLines.slice(1).join('\n')).toContain('2018-13-01');

    // The batch is listed under recent imports.
    await expect
      .poll(async () => (await gridRows(page, 'import-batches-grid')).join('\n'), {
        timeout: 20_000,
      })
      .toMatch(/import-e2e-cis\.csv[\s\S]*committed/);

    await page.screenshot({ path: path.join(results, 'import-result.png'), fullPage: true });
  });

  it('reports the same file again as already imported', async () => {
    await page.getByTestId('import-new').click();
    await page.getByTestId('import-file-input').fill(csv);
    await page.getByTestId('import-add-file').click();
    await page.getByTestId('import-kind').selectOption('cis');
    await page.getByTestId('import-next').click();
    await gridRows(page, 'import-preview-grid');
    await page.getByTestId('import-next').click();
    await page.getByTestId('import-run').click();

    const result = page.getByTestId('import-result');
    await result.waitFor({ timeout: 60_000 });
    expect(await result.innerText()).toMatch(/already imported/);
    expect(await result.getByTestId('import-result-file').getAttribute('data-status')).toBe(
      'duplicate',
    );
    expect(await result.getByTestId('import-result-accepted').innerText()).toBe('0');
    expect(await page.getByTestId('import-rejects-grid').count()).toBe(0);
  });

  it('shows a kind without column mapping as such', async () => {
    await page.getByTestId('import-new').click();
    await page.getByTestId('import-file-input').fill(csv);
    await page.getByTestId('import-add-file').click();
    await page.getByTestId('import-kind').selectOption('tariff');
    await page.getByTestId('import-next').click();
    expect(await page.getByTestId('import-no-mapping').innerText()).toMatch(
      /no column mapping for this kind/i,
    );
    expect(await page.getByTestId('import-next').isDisabled()).toBe(false);
  });
});

describe('import progress and cancel', () => {
  let server: Server;
  let page: Page;
  const big = path.join(results, 'import-e2e-big.csv');
  const tiny = path.join(results, 'import-e2e-tiny.csv');

  beforeAll(async () => {
    fs.mkdirSync(results, { recursive: true });
    // ~36 MB of wide rows (long customer names): few rows per read chunk, so progress frames
    // come early and Cancel is honoured soon (the importer checks for it between chunks), yet
    // the file is big enough to still be running when Cancel is clicked with a fast importer.
    const out = fs.openSync(big, 'w');
    fs.writeSync(out, HEADER + '\n');
    const pad = 'x'.repeat(300);
    const chunk: string[] = [];
    for (let i = 0; i < 90_000; i++) {
      chunk.push(
        `UES,E2E-BIG-${i},Big Customer ${i} ${pad},E2E-BIG-P${i},${i} Cancel Rd,Pembroke,NH,03275,E2E-BIG-UP${i},E2E-BIG-M${i},electricity,D,2022-01-01,`,
      );
      if (chunk.length === 10_000) {
        fs.writeSync(out, chunk.join('\n') + '\n');
        chunk.length = 0;
      }
    }
    if (chunk.length) fs.writeSync(out, chunk.join('\n') + '\n');
    fs.closeSync(out);
    fs.writeFileSync(
      tiny,
      `${HEADER}\nUES,E2E-TINY-1,Tiny,E2E-TINY-P1,1 Tiny Ln,Pembroke,NH,03275,E2E-TINY-UP1,E2E-TINY-M1,electricity,D,2022-01-01,\n`,
    );
    // A workspace of its own: a cancel that came too late must not touch the shared demo.
    server = await serve(demoWorkspace('e2e-import-cancel.edw', 'premises=20,days=1'));
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });

  afterAll(async () => {
    await page?.close();
    await server?.stop();
    fs.rmSync(big, { force: true });
  });

  it('shows bytes and rates while importing, and Cancel rolls the file back', async () => {
    await openImport(page, server, 'e2e-import-cancel.edw');
    await page.getByTestId('import-file-input').fill(big);
    await page.getByTestId('import-add-file').click();
    await page.getByTestId('import-kind').selectOption('cis');
    await page.getByTestId('import-next').click();
    await gridRows(page, 'import-preview-grid');
    await page.getByTestId('import-next').click();
    await page.getByTestId('import-run').click();

    const progress = page.getByTestId('import-progress');
    await expect
      .poll(() => progress.getByTestId('import-progress-bytes').innerText(), { timeout: 60_000 })
      .toMatch(/ of \d+(\.\d+)? MB/);
    await expect
      .poll(() => progress.innerText(), { timeout: 30_000 })
      .toMatch(/\d[\d.,]* (bytes|KB|MB|GB)\/s[\s\S]*≈ [\d,]+ rows\/s \(estimated\)/);
    expect(await progress.getByRole('progressbar').getAttribute('aria-valuenow')).not.toBeNull();
    await page.getByTestId('import-cancel').click();

    await expect
      .poll(() => page.getByTestId('import-note').innerText(), { timeout: 30_000 })
      .toMatch(/cancelled/i);
    expect(await page.getByTestId('import-result').count()).toBe(0);

    // The host really stopped: the cancelled file's batch (visible as 'running' while its
    // transaction is open) disappears with the rollback, and the next import runs.
    await expect
      .poll(
        async () =>
          (await apiCall<{ fileName: string }[]>(server, 'import.batches', { limit: 1000 })).map(
            (b) => b.fileName,
          ),
        { timeout: 60_000, interval: 250 },
      )
      .not.toContain(path.basename(big));
    const next = await apiCall<{ files: { status: string }[] }>(server, 'import.run', {
      kind: 'cis',
      files: [tiny],
    });
    expect(next.files[0]?.status).toBe('committed');
    const batches = await apiCall<{ fileName: string }[]>(server, 'import.batches', {
      limit: 1000,
    });
    expect(batches.map((b) => b.fileName)).not.toContain(path.basename(big));
    expect(batches.map((b) => b.fileName)).toContain(path.basename(tiny));
  });
});
