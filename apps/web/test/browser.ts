import { gatewayService } from '@banterbox/gateway';
import { tickerService } from '@banterbox/ticker';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { freePort, TestRedis, startInProcess } from '@banterbox/testkit';
import type { Gateway } from '@banterbox/gateway';
import type { Ticker } from '@banterbox/ticker';

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

/**
 * What a browser suite runs against: Redis, a gateway on a fixed port (so pages can reconnect to
 * its replacement), a ticker and Chromium. `useBrowserStack` registers the jest hooks: every
 * test's browser contexts are closed after it, and it fails if a page reported a problem.
 */
export class BrowserStack {
  redis!: TestRedis;
  gateway!: Gateway;
  ticker!: Ticker;
  browser!: Browser;
  port = 0;
  readonly contexts: BrowserContext[] = [];
  readonly problems: string[] = [];

  /** The apps' settings: 200 ms ticks, the demo room, and `extra`. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return { TICK_MS: '200', PORT: String(this.port), DEMO_ROOM: 'demo', ...extra };
  }

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** A new browser context (closed after the test), its page watched for problems. */
  async page(viewport = { width: 1100, height: 900 }, networkErrorsExpected = false): Promise<Page> {
    const context = await this.browser.newContext({ viewport });
    this.contexts.push(context);
    const page = await context.newPage();
    watchPage(page, this.problems, { networkErrorsExpected });
    return page;
  }

  /** Stops the gateway and starts another on the same port with `extra` settings. */
  async restartGateway(extra: Record<string, string> = {}): Promise<void> {
    await this.gateway.stop();
    this.gateway = await startInProcess(gatewayService, this.redis, this.env(extra));
  }
}

export function useBrowserStack(): BrowserStack {
  const stack = new BrowserStack();
  beforeAll(async () => {
    stack.redis = await TestRedis.start();
    stack.port = await freePort();
    stack.gateway = await startInProcess(gatewayService, stack.redis, stack.env());
    stack.ticker = await startInProcess(tickerService, stack.redis, stack.env());
    stack.browser = await launchChromium();
  });
  afterEach(async () => {
    await Promise.all(stack.contexts.splice(0).map((context) => context.close()));
    expect(stack.problems.splice(0)).toEqual([]);
  });
  afterAll(async () => {
    await stack.browser?.close();
    await stack.gateway.stop();
    await stack.ticker.stop();
    await stack.redis.stop();
  });
  return stack;
}
