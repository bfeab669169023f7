import { gatewayService } from '@banterbox/gateway';
import { join } from 'node:path';
import { keys, roomPartition } from '@banterbox/store';
import { AppProcess, eventually, joinRoom, testEnv, TestRedis, type TestSocket, startInProcess } from '@banterbox/testkit';
import type { Redis } from 'ioredis';
import type { Gateway } from '@banterbox/gateway';

const TICKER_MAIN = join(__dirname, '..', 'dist', 'main.js');
const TICK_MS = 200;
const LEADER_TTL_MS = 2000;
const PARTITIONS = 8;

/** The partitions a ticker process says (on its metrics port) it leads. */
async function ledBy(proc: AppProcess): Promise<number[]> {
  const port = Number(proc.lines.find((l) => l.msg === 'metrics listening')?.port);
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return [...text.matchAll(/^banterbox_partition_leader\{[^}]*partition="(\d+)"[^}]*\} 1$/gm)]
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

/** A room id in each partition, so every partition has a room to tick. */
function roomsPerPartition(): string[] {
  const rooms: string[] = [];
  for (let i = 0; rooms.length < PARTITIONS; i += 1) {
    const room = `part-${i}`;
    if (roomPartition(room, PARTITIONS) === rooms.length) rooms.push(room);
  }
  return rooms;
}

/** Real ticker processes leading tick partitions: spread, taken over after a kill, all on one. */
describe('tick partitions over ticker replicas (real processes)', () => {
  let redis: TestRedis;
  let gateway: Gateway;
  let inspector: Redis;
  const tickers: AppProcess[] = [];
  const viewers: TestSocket[] = [];
  const rooms = roomsPerPartition();

  const newestTs = async (room: string): Promise<number> => {
    const last = await inspector.lindex(keys.voteRoom(room).history, -1);
    return last === null ? 0 : (JSON.parse(last) as { ts: number }).ts;
  };

  beforeAll(async () => {
    redis = await TestRedis.start();
    gateway = await startInProcess(gatewayService, redis, { TICK_MS: String(TICK_MS) });
    inspector = redis.client();
    for (const room of rooms) viewers.push(await joinRoom(gateway, `viewer-${room}`, room));
    for (const name of ['ticker-a', 'ticker-b', 'ticker-c']) {
      const env = testEnv(redis, {
        TICK_MS: String(TICK_MS),
        LEADER_TTL_MS: String(LEADER_TTL_MS),
        TICK_PARTITIONS: String(PARTITIONS),
        LOG_LEVEL: 'debug',
        TICKER_ID: name,
      });
      tickers.push(AppProcess.start(TICKER_MAIN, env));
    }
    await Promise.all(tickers.map((t) => t.waitForLog('ticker started', 15_000)));
  });
  afterAll(async () => {
    viewers.forEach((v) => v.close());
    await Promise.all(tickers.map((t) => t.kill()));
    await gateway.stop();
    inspector.disconnect();
    await redis.stop();
  });

  async function stableLeaders(live: AppProcess[], timeoutMs: number): Promise<number[][]> {
    return eventually(async () => {
      const led = await Promise.all(live.map(ledBy));
      const all = led.flat().sort((a, b) => a - b);
      const fair = Math.ceil(PARTITIONS / live.length) + 1;
      return all.length === PARTITIONS && new Set(all).size === PARTITIONS && led.every((p) => p.length <= fair) ? led : undefined;
    }, timeoutMs);
  }

  it('spreads the partitions over three replicas, each led once, none more than ⌈P/N⌉ + 1', async () => {
    const led = await stableLeaders(tickers, 15_000);
    expect(led.every((p) => p.length >= 1)).toBe(true);
    // Every partition's room is ticked.
    const from = Date.now();
    for (const room of rooms) await eventually(async () => ((await newestTs(room)) > from ? true : undefined), 3_000);
  });

  it("takes over a killed replica's partitions within the leader TTL + 2 s, storing nothing twice", async () => {
    const led = await stableLeaders(tickers, 15_000);
    const victim = tickers[led.findIndex((p) => p.includes(0))]!; // it also reaps and expires users
    const survivors = tickers.filter((t) => t !== victim);
    const killedAt = Date.now();
    await victim.kill();
    await stableLeaders(survivors, LEADER_TTL_MS + 3_000);
    expect(Date.now() - killedAt).toBeLessThanOrEqual(LEADER_TTL_MS + 2_000);
    for (const room of rooms) await eventually(async () => ((await newestTs(room)) > killedAt ? true : undefined), 2_000);
    for (const room of rooms) {
      const history = (await inspector.lrange(keys.voteRoom(room).history, 0, -1)).map((p) => (JSON.parse(p) as { ts: number }).ts);
      expect(new Set(history).size).toBe(history.length);
    }
  });

  it('lets one replica alone lead every partition', async () => {
    const live = tickers.filter((t) => t.exited === undefined);
    await live[1]!.kill();
    const [only] = await stableLeaders([live[0]!], LEADER_TTL_MS + 3_000);
    expect(only).toEqual(Array.from({ length: PARTITIONS }, (_, p) => p));
  });
});
