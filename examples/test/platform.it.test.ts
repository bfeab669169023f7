import { join } from 'node:path';
import { newWebhookSecret } from '@banterbox/client/server';
import {
  ADMIN_KEY,
  AppProcess,
  SECRET,
  TestRedis,
  eventually,
  freePort,
  startGatewayProcess,
  startTickerProcess,
  type GatewayProcess,
} from '@banterbox/testkit';
import { launchChromium, watchPage } from '../../apps/web/test/browser';
import type { Browser } from 'playwright-core';

/**
 * The README's integration walk-through, run: banterbox (gateway and ticker processes) and the
 * example platform (examples/platform/server.mjs, a process), a viewer on the example's page in
 * Chromium. The page embeds the worm with the SDK and a token the platform minted; the platform
 * receives the signed webhooks.
 */
describe('the example platform (examples/platform)', () => {
  let redis: TestRedis;
  let ticker: AppProcess;
  let gateway: GatewayProcess;
  let platform: AppProcess;
  let browser: Browser;
  let pageUrl: string;

  beforeAll(async () => {
    const webhookSecret = newWebhookSecret();
    const platformPort = await freePort();
    pageUrl = `http://127.0.0.1:${platformPort}`;
    const banterboxEnv = {
      WEBHOOK_URLS: `${pageUrl}/webhooks`,
      WEBHOOK_SECRET: webhookSecret,
      WEBHOOK_MILESTONES: '1',
      ALLOWED_ORIGINS: pageUrl,
    };
    redis = await TestRedis.start();
    ticker = await startTickerProcess(redis, banterboxEnv);
    gateway = await startGatewayProcess(redis, banterboxEnv);
    platform = AppProcess.start(join(__dirname, '..', 'platform', 'server.mjs'), {
      BANTERBOX_URL: gateway.http,
      BANTERBOX_SECRET: SECRET,
      BANTERBOX_ADMIN_KEY: ADMIN_KEY,
      WEBHOOK_SECRET: webhookSecret,
      PORT: String(platformPort),
    });
    await eventually(async () => platform.lines.find((line) => typeof line.listening === 'string'), 15_000);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await platform?.kill();
    await gateway?.proc.kill();
    await ticker?.kill();
    await redis?.stop();
  });

  it('shows the live worm on the platform page, counts its vote, and hands the platform signed webhooks', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    watchPage(page, problems);
    await page.goto(pageUrl);
    await page.locator('#state[data-state="live"]').waitFor({ timeout: 15_000 });
    await page.getByRole('button', { name: 'left', exact: true }).click();
    await page.locator('#tally', { hasText: 'left 1 · right 0 · 1 watching' }).waitFor({ timeout: 10_000 });
    expect((await page.locator('#line').getAttribute('points'))!.split(' ').length).toBeGreaterThan(1);
    expect(problems).toEqual([]);

    // The platform created its room (room.created), and its one viewer made the milestone of 1.
    for (const type of ['room.created', 'room.milestone']) {
      const line = await eventually(async () => platform.lines.find((l) => l.webhook === type), 15_000);
      expect(line.data).toMatchObject({ room: 'example' });
    }
    expect(platform.lines.some((l) => 'refused' in l)).toBe(false);
  });
});
