import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's chromium (never a downloaded browser); CHROMIUM_PATH points elsewhere. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where the tests save screenshots; `SCREENSHOT_DIR=docs/screenshots` refreshes the committed ones. */
export const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR ?? join(__dirname, '..', '..', '..', 'test-output', 'screenshots');

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH`);
  }
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/**
 * Collects what must not happen on a page: script errors, console errors (network errors
 * aside when a test takes the server away on purpose) and any request off this machine.
 */
export function watchPage(page: Page, problems: string[], options: { networkErrorsExpected?: boolean } = {}): void {
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const network = /Failed to load resource|WebSocket connection to .* failed/.test(message.text());
    if (!(network && options.networkErrorsExpected)) problems.push(`console error: ${message.text()}`);
  });
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (!['127.0.0.1', 'localhost'].includes(url.hostname)) problems.push(`external request: ${request.url()}`);
  });
}

export function screenshotPath(name: string): string {
  return join(SCREENSHOT_DIR, `${name}.png`);
}
