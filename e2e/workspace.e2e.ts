import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, results, serve, sharedDemo, type Server } from './harness';

let server: Server;
let browser: Browser;
let page: Page;
const created = path.join(results, 'e2e-created.edw');
const cancelled = path.join(results, 'e2e-cancelled.edw');
const notes = path.join(results, 'e2e-notes.txt');

function removeDb(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
}

beforeAll(async () => {
  removeDb(created);
  removeDb(cancelled);
  fs.writeFileSync(notes, 'not a database\n');
  server = await serve(sharedDemo());
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(server.url);
  await page
    .getByTestId('workspace-name')
    .filter({ hasText: 'e2e-demo.edw' })
    .waitFor({ timeout: 30_000 });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('workspace page in browser mode', () => {
  it('explains why a file cannot be opened and keeps it unchanged', async () => {
    await page.getByTestId('nav-workspace').click();
    await page.getByTestId('open-path').fill(notes);
    await page.getByTestId('open-submit').click();
    await expect
      .poll(() => page.getByTestId('error-banner').innerText(), { timeout: 15_000 })
      .toMatch(/not an SQLite database/);
    expect(fs.readFileSync(notes, 'utf8')).toBe('not a database\n');
    await expect
      .poll(() => page.getByTestId('workspace-name').innerText())
      .toMatch(/e2e-demo\.edw/);
  });

  it('creates a demo workspace with live progress, then shows its overview', async () => {
    await page.getByTestId('nav-workspace').click();
    await page.getByTestId('create-path').fill(created);
    await page.getByTestId('create-demo').check();
    await page.getByTestId('create-premises').fill('400');
    await page.getByTestId('create-days').fill('120');
    await page.getByTestId('create-submit').click();
    // Progress frames arrive while the server works: a phase with counts is shown.
    await expect
      .poll(
        () =>
          page
            .getByTestId('create-progress')
            .innerText()
            .catch(() => ''),
        { timeout: 30_000, interval: 50 },
      )
      .toMatch(/\d+ \/ [\d,]+/);
    await page
      .getByTestId('workspace-name')
      .filter({ hasText: 'e2e-created.edw' })
      .waitFor({ timeout: 120_000 });
    await page.getByTestId('nav-overview').click();
    await page
      .locator('[data-testid="overview-entities-grid"] .ag-row')
      .first()
      .waitFor({ timeout: 30_000 });
    expect(fs.existsSync(created)).toBe(true);
  });

  it('cancels a workspace creation and leaves no file behind', async () => {
    await page.getByTestId('nav-workspace').click();
    await page.getByTestId('create-path').fill(cancelled);
    await page.getByTestId('create-demo').check();
    await page.getByTestId('create-premises').fill('20000');
    await page.getByTestId('create-days').fill('365');
    await page.getByTestId('create-submit').click();
    // Cancel only once the server is demonstrably at work (progress with counts arrived).
    await expect
      .poll(
        () =>
          page
            .getByTestId('create-progress')
            .innerText()
            .catch(() => ''),
        { timeout: 30_000, interval: 50 },
      )
      .toMatch(/\d+ \/ [\d,]+/);
    expect(
      fs.readdirSync(results).some((f) => f.includes('e2e-cancelled') && f.includes('.creating-')),
    ).toBe(true);
    await page.getByTestId('create-cancel').click();
    // The server notices the closed request, stops and removes its temporary file.
    await expect
      .poll(() => fs.readdirSync(results).filter((f) => f.includes('e2e-cancelled')), {
        timeout: 30_000,
      })
      .toEqual([]);
    await expect
      .poll(() => page.getByTestId('workspace-name').innerText())
      .toMatch(/e2e-created\.edw/);
  });
});
