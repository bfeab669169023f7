import { setTimeout as sleep } from 'node:timers/promises';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { LocalRedis } from '@banterbox/local-stack';
import { machine } from './proc-stats';
import { startGateway, startTicker } from './bench-apps';
import { seedHistory } from './seed-history';

/**
 * What the worm costs a viewer's device: main-thread busy time (Chrome DevTools Protocol
 * `Performance.getMetrics` TaskDuration over BENCH_SECONDS, default 10) of the room page and the
 * overlay in Debian's Chromium, on a 390×844 phone viewport with 4× CPU throttling (a phone-class
 * CPU), in a room holding a full hour of history (3600 points) and ticking every second.
 * BENCH_WEB_DIR serves another build of the web client (e.g. an older commit's) for a comparison
 * in the same run conditions.
 */
const SECONDS = Math.min(Number(process.env.BENCH_SECONDS ?? 10), 60);
const THROTTLE = Number(process.env.BENCH_CPU_THROTTLE ?? 4);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SECRET = 'benchmark-secret-0123456789abcdef';
const ROOM = 'demo';
const HISTORY = 3600;

interface Case {
  name: string;
  path: string;
  viewport: { width: number; height: number };
  /** The room page's window radio to pick. */
  window?: string;
  reducedMotion?: boolean;
}

const CASES: Case[] = [
  { name: 'room page, last minute', path: `/room/${ROOM}`, viewport: { width: 390, height: 844 } },
  { name: 'room page, everything (3600 points)', path: `/room/${ROOM}`, viewport: { width: 390, height: 844 }, window: 'all' },
  { name: 'room page, last minute, reduced motion', path: `/room/${ROOM}`, viewport: { width: 390, height: 844 }, reducedMotion: true },
  { name: 'overlay on the phone profile, last minute', path: `/overlay/${ROOM}`, viewport: { width: 390, height: 844 } },
  { name: 'overlay 800×300 (a stream scene), last minute', path: `/overlay/${ROOM}?w=800&h=300`, viewport: { width: 800, height: 300 } },
];

async function measure(browser: Browser, base: string, c: Case): Promise<{ busy: number; frames: number }> {
  const context = await browser.newContext({ viewport: c.viewport, reducedMotion: c.reducedMotion ? 'reduce' : 'no-preference' });
  try {
    const page = await context.newPage();
    await page.goto(`${base}${c.path}`);
    for (let waited = 0; Number((await page.locator('#chart').getAttribute('data-points')) ?? 0) < HISTORY; waited += 100) {
      if (waited > 30_000) throw new Error(`${c.path}: the history never arrived`);
      await sleep(100);
    }
    if (c.window) await page.locator(`input[name="window"][value="${c.window}"]`).check();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: THROTTLE });
    await cdp.send('Performance.enable');
    await sleep(2000); // settle after the join and the window change
    const taskSeconds = async (): Promise<number> =>
      (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0;
    const frames = async (): Promise<number> => Number((await page.locator('#chart').getAttribute('data-frames')) ?? 0);
    const [t0, f0] = [await taskSeconds(), await frames()];
    await sleep(SECONDS * 1000);
    const [t1, f1] = [await taskSeconds(), await frames()];
    return { busy: (t1 - t0) / SECONDS, frames: (f1 - f0) / SECONDS };
  } finally {
    await context.close();
  }
}

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
  const redis = await LocalRedis.start();
  await seedHistory(redis, ROOM, HISTORY);
  const env: Record<string, string> = {
    ...redis.env,
    BANTERBOX_SECRET: SECRET,
    LOG_LEVEL: 'info',
    TICK_MS: '1000',
    METRICS_PORT: '0',
    PORT: '0',
    HOST: '127.0.0.1',
    DEMO_ROOM: ROOM,
  };
  if (process.env.BENCH_WEB_DIR) env.WEB_DIR = process.env.BENCH_WEB_DIR;
  const gateway = startGateway(env);
  const ticker = startTicker(env);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const port = Number((await gateway.waitForLog('gateway listening', 20_000)).port);
    await ticker.waitForLog('ticker started', 20_000);
    process.stdout.write(
      `${machine()}\nChromium ${browser.version()}, ${THROTTLE}× CPU throttle, ${SECONDS} s per case, web client ${process.env.BENCH_WEB_DIR ?? 'this build'}\n\n`,
    );
    process.stdout.write('| case | main thread busy | chart redraws/s |\n| --- | --- | --- |\n');
    for (const c of CASES) {
      const { busy, frames } = await measure(browser, `http://127.0.0.1:${port}`, c);
      process.stdout.write(`| ${c.name} | ${(busy * 100).toFixed(1)} % | ${frames.toFixed(1)} |\n`);
    }
  } finally {
    await browser.close();
    await Promise.all([gateway.kill(), ticker.kill()]);
    await redis.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
