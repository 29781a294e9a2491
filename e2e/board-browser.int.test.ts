import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ApiKeyFile } from '@flock/auth';
import { TEST_ADMIN_API_KEY, waitFor } from '@flock/testing';
import { describeBrowser, launchChromium } from './support/browser';
import { useHarness, type SpawnedApi } from './support/flock-harness';

/**
 * Bull Board in a real browser (issue 18): chromium (see support/browser.ts) against a
 * real API process, a real worker process, Redis and the demo data.
 * A screenshot of a job's Logs tab is left in $TMPDIR/flock-board-screenshots.
 */
describeBrowser('Bull Board in a browser', () => {
  const keysFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'flock-board-keys-')), 'keys.json');
  const flock = useHarness(() => ({ worker: false, env: { FLOCK_API_KEYS_FILE: keysFile } }));
  let browser: Browser;
  let api: SpawnedApi;
  let tenantKey: string;

  beforeAll(async () => {
    tenantKey = (await new ApiKeyFile(keysFile).create({ name: 'tenant', buckets: ['example'], admin: false })).key;
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  async function logIn(page: Page, key: string): Promise<void> {
    await page.goto(`${api.base}/admin/queues`);
    // No session: the board sends the browser to its login page.
    await page.waitForURL(`${api.base}/admin/login`);
    await page.fill('#key', key);
    await page.click('button[type=submit]');
  }

  it('logs in, shows the queues and a finished ask with its logs, logs out, and refuses a wrong key and a tenant key', async () => {
    api = await flock.spawnApi();
    flock.spawnWorker();
    const headers = { 'X-API-Key': TEST_ADMIN_API_KEY, 'Content-Type': 'application/json' };
    const submitted = await fetch(`${api.base}/api/v1/example/ask`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ question: 'How many members by type?' }),
    });
    const jobId = ((await submitted.json()) as { data: { job_id: string } }).data.job_id;
    await waitFor(
      async () => {
        const poll = await fetch(`${api.base}/api/v1/example/ask/jobs/${jobId}?wait_ms=2000`, { headers });
        return ((await poll.json()) as { data: { status: string } }).data.status === 'completed';
      },
      { timeoutMs: 30_000, what: 'the ask to complete' },
    );

    const context = await browser.newContext();
    const page = await context.newPage();
    await logIn(page, TEST_ADMIN_API_KEY);
    await page.waitForURL(`${api.base}/admin/queues`);
    await page.getByText('flock-ask', { exact: true }).first().waitFor();
    expect(await page.getByText('flock-query-all-chunk', { exact: true }).count()).toBeGreaterThan(0);

    // The finished ask, and its Logs tab.
    await page.goto(`${api.base}/admin/queues/queue/flock-ask/${jobId}`);
    await page
      .getByRole('button', { name: 'Logs' })
      .or(page.getByText('Logs', { exact: true }))
      .first()
      .click();
    const logs = page.getByText(/engine builtin; schema/);
    await logs.first().waitFor();
    await expect(page.getByText(/guard: passed/).count()).resolves.toBeGreaterThan(0);
    await expect(page.getByText(/executed in \d+ ms: 4 rows of 4/).count()).resolves.toBeGreaterThan(0);
    const shots = path.join(os.tmpdir(), 'flock-board-screenshots');
    await page.screenshot({ path: path.join(shots, 'bull-board-ask-logs.png'), fullPage: true });

    // Log out: the board's menu links to this page (its "Log out" link); its form ends the session.
    await page.goto(`${api.base}/admin/logout`);
    await page.click('button[type=submit]');
    await page.waitForURL(`${api.base}/admin/login`);
    await page.goto(`${api.base}/admin/queues`);
    await page.waitForURL(`${api.base}/admin/login`);

    // A wrong key and a tenant key never open it.
    for (const key of ['flk_wrong_key_0123456789abcdef', tenantKey]) {
      await logIn(page, key);
      await page.getByText('That is not an admin API key.').waitFor();
      await page.goto(`${api.base}/admin/queues`);
      await page.waitForURL(`${api.base}/admin/login`);
    }
    await context.close();
  }, 120_000);
});
