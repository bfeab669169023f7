import { createLogger } from '@banterbox/logger';
import { TestRedis } from '@banterbox/testkit';
import { PARTITION_COUNTS, VoteStore, registerScripts, renewLease, type ScriptedRedis } from '@banterbox/store';
import { Chores, type Chore } from '../chores/chores';
import { TickerMetrics } from '../metrics';
import type { Leadership } from './leadership';
import { PartitionTicker } from './partition-ticker';
import { TickRound } from './tick-round';

const PARTITIONS = PARTITION_COUNTS.at(-1)!;
const settings = { historyLimit: 10, roomTtlMs: 60_000 };

/** A replica that leads every partition with epoch 1 (leadership itself has its own suites). */
const leadsAll: Leadership = {
  led: () => Array.from({ length: PARTITIONS }, (_, p) => p),
  leads: () => true,
  epochOf: () => 1,
  stepDown: () => undefined,
};

/** A chore that stays busy until released, counting its runs. */
class BlockedChore implements Chore {
  readonly name = 'blocked';
  runs = 0;
  private release: () => void = () => undefined;
  run(): Promise<void> {
    this.runs += 1;
    return new Promise((resolve) => (this.release = resolve));
  }
  finish(): void {
    this.release();
  }
}

describe('a tick round (real Redis)', () => {
  let server: TestRedis;
  let redis: ScriptedRedis;

  beforeAll(async () => {
    server = await TestRedis.start();
    redis = registerScripts(server.client());
  });
  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });

  it('publishes every tick while a chore that started after an earlier tick is still running', async () => {
    const store = new VoteStore(redis, settings);
    const rooms = ['chore-a', 'chore-b', 'chore-c'];
    for (const room of rooms) await store.ensureRoom(room, { options: ['yes', 'no'], open: false, tickMs: 0 });
    await renewLease(redis, 'a-gateway', 60_000, 'register', rooms);

    const log = createLogger({ name: 'ticker', level: 'silent' });
    const metrics = new TickerMetrics({ partitions: PARTITIONS, leads: () => true, epochOf: () => 1 });
    const chore = new BlockedChore();
    const chores = new Chores([chore], leadsAll, metrics, log);
    const partitions = new PartitionTicker({ redis, leadership: leadsAll, metrics, settings, partitions: PARTITIONS, activeForMs: 60_000 });
    const round = new TickRound({ redis, leadership: leadsAll, partitions, metrics, log, afterPublish: (now) => chores.start(now) });

    const ts = Math.floor(Date.now() / 1000) * 1000;
    await round.run(ts, 0);
    // The chore started after the first round published and has not finished: the rounds after it
    // still store every room, and no second run of the chore starts while the first is going.
    await round.run(ts + 1000, 0);
    await round.run(ts + 2000, 0);
    expect(chore.runs).toBe(1);
    for (const room of rooms) {
      expect((await store.history(room)).map((point) => (JSON.parse(point) as { ts: number }).ts)).toEqual([ts, ts + 1000, ts + 2000]);
    }
    expect((await metrics.stored.get()).values[0]?.value).toBe(3 * rooms.length);

    chore.finish();
    await chores.stop();
    await round.run(ts + 3000, 0);
    expect(chore.runs).toBe(1); // stopped: no run after stop()
  });
});
