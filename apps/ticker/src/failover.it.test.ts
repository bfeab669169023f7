import { gatewayService } from '@banterbox/gateway';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { pointTs } from '@banterbox/protocol';
import { keys } from '@banterbox/store';
import { AppProcess, eventually, joinRoom, testEnv, TestRedis, startInProcess } from '@banterbox/testkit';
import type { Redis } from 'ioredis';
import type { Gateway } from '@banterbox/gateway';

const TICKER_MAIN = join(__dirname, '..', 'dist', 'main.js');
const TICK_MS = 200;
const LEADER_TTL_MS = 2000;
const ROOM = 'failover';

/** Real ticker processes (the built app), killed and paused with signals. */
describe('ticker failover (real processes)', () => {
  let redis: TestRedis;
  let gateway: Gateway;
  let listener: Redis;
  let inspector: Redis;
  const published: number[] = [];
  const tickers: AppProcess[] = [];

  const startTicker = (name: string): AppProcess => {
    // One partition: the classic leader and standby (partitioned leadership has its own suite).
    const env = testEnv(redis, {
      TICK_MS: String(TICK_MS),
      LEADER_TTL_MS: String(LEADER_TTL_MS),
      LOG_LEVEL: 'debug',
      TICKER_ID: name,
      TICK_PARTITIONS: '1',
    });
    const proc = AppProcess.start(TICKER_MAIN, env);
    tickers.push(proc);
    return proc;
  };

  async function leaderOf(candidates: AppProcess[], from: number[]): Promise<AppProcess> {
    return eventually(() => candidates.find((p, i) => p.hasLogged('leadership acquired', from[i] ?? 0)), LEADER_TTL_MS * 3);
  }

  const storedAfter = (proc: AppProcess, from: number): number =>
    proc.lines
      .slice(from)
      .filter((l) => l.msg === 'tick')
      .reduce((sum, l) => sum + Number(l.stored ?? 0), 0);

  beforeAll(async () => {
    redis = await TestRedis.start();
    gateway = await startInProcess(gatewayService, redis, { TICK_MS: String(TICK_MS) });
    listener = redis.client();
    inspector = redis.client();
    await listener.ssubscribe(keys.voteRoom(ROOM).channel);
    listener.on('smessage', (_channel: string, message: string) => {
      published.push(pointTs(message));
    });
  });
  afterAll(async () => {
    await Promise.all(tickers.map((t) => t.kill()));
    await gateway.stop();
    listener.disconnect();
    inspector.disconnect();
    await redis.stop();
  });

  function expectEveryTickOnce(): void {
    expect(new Set(published).size).toBe(published.length);
    expect([...published].sort((a, b) => a - b)).toEqual(published);
  }

  it('resumes ticks within the lock TTL + 2 s after the leader is killed with -9, storing nothing twice', async () => {
    const viewer = await joinRoom(gateway, 'viewer', ROOM);
    const [a, b] = [startTicker('ticker-a'), startTicker('ticker-b')];
    const leader = await leaderOf([a, b], [0, 0]);
    const standby = leader === a ? b : a;
    await eventually(() => (published.length >= 5 ? true : undefined), 5_000);

    const killedAt = Date.now();
    await leader.kill();
    const countAtKill = published.length;
    await standby.waitForLog('leadership acquired', LEADER_TTL_MS + 3_000);
    const resumed = await eventually(() => published.slice(countAtKill).find((ts) => ts > killedAt), LEADER_TTL_MS + 3_000);
    expect(resumed - killedAt).toBeLessThanOrEqual(LEADER_TTL_MS + 2_000);

    const history = (await inspector.lrange(keys.voteRoom(ROOM).history, 0, -1)).map((p) => (JSON.parse(p) as { ts: number }).ts);
    expect(new Set(history).size).toBe(history.length);
    expectEveryTickOnce();
    viewer.close();
  });

  it('fences a leader paused past its TTL: after SIGCONT it writes nothing and steps down', async () => {
    const viewer = await joinRoom(gateway, 'viewer2', ROOM);
    const current = tickers.find((t) => t.exited === undefined)!;
    const fresh = startTicker('ticker-c');
    await fresh.waitForLog('ticker started');
    await eventually(() => (current.lines.some((l) => l.msg === 'tick' && Number(l.stored) > 0) ? true : undefined));

    current.signal('SIGSTOP');
    await fresh.waitForLog('leadership acquired', LEADER_TTL_MS + 3_000);
    const epochs = fresh.lines.filter((l) => l.msg === 'leadership acquired').map((l) => Number(l.epoch));
    await eventually(() => (fresh.lines.some((l) => l.msg === 'tick' && Number(l.stored) > 0) ? true : undefined));

    const resumedFrom = current.lines.length;
    current.signal('SIGCONT');
    await current.waitForLog('leadership lost', 5_000, resumedFrom);
    await sleep(TICK_MS * 5);

    expect(storedAfter(current, resumedFrom)).toBe(0);
    expect(current.lines.slice(resumedFrom).some((l) => l.msg === 'leadership acquired')).toBe(false);
    // #tick is "<last>:<fence>:<layout>".
    const fence = Number((await inspector.hget(keys.voteRoom(ROOM).tally, '#tick'))?.split(':')[1]);
    expect(fence).toBe(epochs[epochs.length - 1]);
    expectEveryTickOnce();
    viewer.close();
  });
});

describe('ticker leader hand-off on SIGTERM (real processes)', () => {
  const TTL_MS = 4000;
  let redis: TestRedis;
  const tickers: AppProcess[] = [];

  beforeAll(async () => {
    redis = await TestRedis.start();
  });
  afterAll(async () => {
    await Promise.all(tickers.map((t) => t.kill()));
    await redis.stop();
  });

  it('releases leadership on SIGTERM so the standby takes over faster than the lock TTL', async () => {
    const start = (name: string): AppProcess => {
      const proc = AppProcess.start(
        TICKER_MAIN,
        testEnv(redis, {
          TICK_MS: String(TICK_MS),
          LEADER_TTL_MS: String(TTL_MS),
          LOG_LEVEL: 'debug',
          TICKER_ID: name,
          TICK_PARTITIONS: '1',
        }),
      );
      tickers.push(proc);
      return proc;
    };
    const [a, b] = [start('ticker-f'), start('ticker-g')];
    const leader = await eventually(() => [a, b].find((p) => p.hasLogged('leadership acquired')), TTL_MS * 3);
    const standby = leader === a ? b : a;
    await standby.waitForLog('ticker started');

    const termAt = Date.now();
    leader.signal('SIGTERM');
    await standby.waitForLog('leadership acquired', TTL_MS * 2);
    const handOffMs = Date.now() - termAt;
    expect(await leader.waitForExit()).toBe(0);
    expect(leader.hasLogged('leadership released')).toBe(true);
    expect(handOffMs).toBeLessThan(TTL_MS);
    await standby.waitForLog('tick', TTL_MS);
  });
});
