import { spawnSync } from 'node:child_process';
import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's chromium, driven by playwright-core (no browser download). scripts/test.sh
 * installs chromium where it can; elsewhere set CHROMIUM_PATH, or FLOCK_SKIP_BROWSER_TESTS=1
 * to leave the browser tests out knowingly.
 */
function chromiumPath(): string | undefined {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
    if (found) return found;
  }
  return undefined;
}

export const describeBrowser = process.env.FLOCK_SKIP_BROWSER_TESTS === '1' ? describe.skip : describe;

export async function launchChromium(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath)
    throw new Error('No chromium found: install it (apt-get install chromium), set CHROMIUM_PATH, or FLOCK_SKIP_BROWSER_TESTS=1');
  return chromium.launch({
    executablePath,
    headless: true,
    // Without the background-networking flags Chromium keeps reaching for Google's hosts, which this machine refuses.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
