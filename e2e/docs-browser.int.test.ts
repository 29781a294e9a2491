import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { describeBrowser, launchChromium } from './support/browser';
import { useHarness } from './support/flock-harness';

/**
 * The reference page at /docs in a real browser (issue 12): it renders every operation
 * from /openapi.json under the API's strict CSP, and loads nothing from anywhere else,
 * so it works offline. A screenshot is left in $TMPDIR/flock-docs-screenshots.
 */
describeBrowser('the API reference page in a browser', () => {
  const flock = useHarness(() => ({ worker: false }));
  let browser: Browser;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    browser = await launchChromium();
    server = flock.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (server) await new Promise((resolve) => server.close(resolve));
  });

  it('renders every operation without credentials, with no CSP violation and no request to another origin', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    const elsewhere: string[] = [];
    // A CSP violation is reported on the console ("Refused to load …", "Refused to execute …").
    page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('request', (req) => !req.url().startsWith(base) && !req.url().startsWith('data:') && elsewhere.push(req.url()));

    const res = await page.goto(`${base}/docs`);
    expect(res?.status()).toBe(200);
    await page.waitForSelector('.opblock-summary');
    const summaries = await page.locator('.opblock-summary-path').allTextContents();
    expect(summaries.map((text) => text.replace(/\u200b/g, ''))).toEqual(
      expect.arrayContaining([
        '/api/v1/{bucket}/ask',
        '/api/v1/{bucket}/ask/jobs/{jobId}',
        '/api/v1/{bucket}/ask/jobs/{jobId}/events',
        '/api/v1/{bucket}/tables',
        '/api/v1/{bucket}/tables/{table}',
        '/api/v1/{bucket}/query',
        '/query-all',
        '/query-all/jobs/{jobId}',
        '/query-all/jobs/{jobId}/events',
      ]),
    );
    // Opening an operation renders its schemas from the document.
    await page.locator('.opblock-summary', { hasText: 'Poll a question’s job' }).first().click();
    await page.waitForSelector('.responses-table');
    const shots = path.join(os.tmpdir(), 'flock-docs-screenshots');
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: path.join(shots, 'docs.png'), fullPage: false });

    expect(problems).toEqual([]);
    expect(elsewhere).toEqual([]);
    await page.close();
  });
});
