import { gatewayService } from '@banterbox/gateway';
import { tickerService } from '@banterbox/ticker';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPokerRoom, joinRoom, PokerClient, TestRedis, waitForPoint, startInProcess } from '@banterbox/testkit';
import type { Ticker } from '@banterbox/ticker';
import type { Gateway } from '@banterbox/gateway';

/** The metric names docs/metrics.md lists in one section's table. */
function documented(section: string): string[] {
  const doc = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'metrics.md'), 'utf8');
  const body = doc.split(`## ${section}\n`)[1]?.split('\n## ')[0] ?? '';
  return [...body.matchAll(/^\| `([a-z_0-9]+)` \|/gm)].map((m) => m[1]!);
}

/** Names with a `# TYPE` line in a Prometheus exposition. */
function served(text: string): Set<string> {
  return new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
}

/** The value of one series, matching its labels in any order. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-z_0-9]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = new Map([...(match[2] ?? '').matchAll(/([a-z_]+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    if (Object.entries(labels).every(([k, v]) => have.get(k) === v)) return Number(match[3]);
  }
  return undefined;
}

describe('Prometheus metrics', () => {
  let redis: TestRedis;
  let gateway: Gateway;
  let ticker: Ticker;

  beforeAll(async () => {
    redis = await TestRedis.start();
    gateway = await startInProcess(gatewayService, redis);
    ticker = await startInProcess(tickerService, redis);
  });
  afterAll(async () => {
    await gateway.stop();
    await ticker.stop();
    await redis.stop();
  });

  const scrape = async (port: number): Promise<string> => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();

  it('serves every documented metric after real traffic, with values that follow it', async () => {
    const voter = await joinRoom(gateway, 'm-voter', 'm-room');
    const watcher = await joinRoom(gateway, 'm-watcher', 'm-room');
    voter.send({ vote: { value: 'yes' } });
    await waitForPoint(watcher, (p) => p.votes.yes === 1);
    const owner = await PokerClient.connect(gateway, 'm-owner');
    const roomId = await createPokerRoom(owner, 'm-poker');
    owner.send({ request: 'estimate', roomId, value: '3' });
    await owner.next();
    watcher.close();
    await watcher.waitForClose();

    const gatewayText = await scrape(gateway.metricsPort);
    const tickerText = await scrape(ticker.metricsPort);
    const missing = (names: string[], text: string): string[] => names.filter((name) => !served(text).has(name));
    expect(documented('Gateway').length).toBeGreaterThan(15);
    expect(missing(documented('Gateway'), gatewayText)).toEqual([]);
    expect(missing(documented('Ticker'), tickerText)).toEqual([]);
    expect(missing(documented('Both'), gatewayText)).toEqual([]);
    expect(missing(documented('Both'), tickerText)).toEqual([]);

    expect(sample(gatewayText, 'banterbox_connections', { endpoint: 'vote', app: 'gateway' })).toBe(1);
    expect(sample(gatewayText, 'banterbox_connections', { endpoint: 'poker' })).toBe(1);
    expect(sample(gatewayText, 'banterbox_sessions', { endpoint: 'vote' })).toBe(1);
    expect(sample(gatewayText, 'banterbox_rooms', { kind: 'poker' })).toBe(1);
    expect(sample(gatewayText, 'banterbox_votes_applied_total')).toBe(1);
    expect(sample(gatewayText, 'banterbox_messages_received_total', { endpoint: 'vote' })).toBe(3);
    expect(sample(gatewayText, 'banterbox_disconnects_total', { endpoint: 'vote', code: '1005' })).toBe(1);
    expect(sample(gatewayText, 'banterbox_pubsub_lag_seconds_count')).toBeGreaterThan(0);
    expect(sample(gatewayText, 'banterbox_redis_command_duration_seconds_count', { op: 'poker_estimate' })).toBe(1);
    expect(sample(gatewayText, 'banterbox_ready')).toBe(1);
    expect(sample(tickerText, 'banterbox_leader', { app: 'ticker' })).toBe(1);
    expect(sample(tickerText, 'banterbox_points_stored_total')).toBeGreaterThan(0);
    voter.close();
    owner.close();
  });

  it('answers 404 off /metrics', async () => {
    expect((await fetch(`http://127.0.0.1:${gateway.metricsPort}/`)).status).toBe(404);
  });
});
