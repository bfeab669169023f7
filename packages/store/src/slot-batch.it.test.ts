import { setTimeout as sleep } from 'node:timers/promises';
import { TestRedis, freePort } from '@banterbox/testkit';
import { connectRedis } from './connection';
import { keys } from './keys';
import { registerScripts, type ScriptedRedis } from './scripts';
import { TickEngine } from './tick-engine';
import { VoteStore, plainPlan } from './vote-store';

/** A grant no test outlives (the fence has its own suite: gateway-fence.it.test.ts). */
const FOREVER = { id: 'g', validUntil: Number.MAX_SAFE_INTEGER };

describe('SlotBatch (real Redis)', () => {
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

  it("settles each room's commands with their own replies, in the order queued", async () => {
    const store = new VoteStore(redis, { historyLimit: 10, roomTtlMs: 60_000 });
    const batch = store.batch();
    const first = store.addRoomOps(
      batch,
      'sb-a',
      FOREVER,
      [
        { op: 'join', user: 'u1', count: 1 },
        { op: 'vote', user: 'u1', value: 'yes', ts: 2 },
      ],
      plainPlan(1),
    );
    const second = store.addRoomOps(batch, 'sb-b', FOREVER, [{ op: 'vote', user: 'nobody', value: 'yes', ts: 1 }], plainPlan(1));
    const raw = batch.add(keys.voteRoom('sb-a').users, (pipeline) => pipeline.hget(keys.voteRoom('sb-a').users, 'u1'));
    expect(batch.size).toBe(3);
    await batch.exec();
    expect(await first).toBe(1); // one vote changed a stored vote
    expect(await second).toBe(0); // a vote of someone not present changes nothing
    expect(await raw).toEqual(['1']); // queued after the ops: sees the join
  });

  it('rejects every add and exec when Redis is unreachable, and leaves no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const record = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', record);
    const dead = registerScripts(
      connectRedis(
        {
          kind: 'single',
          url: `redis://127.0.0.1:${await freePort()}`,
          username: undefined,
          password: undefined,
          tls: false,
          tlsCa: undefined,
        },
        { name: 'dead', queueWhileDisconnected: false },
      ),
    );
    dead.on('error', () => undefined); // connection refused, expected here
    try {
      const store = new VoteStore(dead, { historyLimit: 10, roomTtlMs: 60_000 });
      const batch = store.batch();
      const ops = store.addRoomOps(batch, 'sb-dead', FOREVER, [{ op: 'join', user: 'u', count: 1 }], plainPlan(1));
      const tick = new TickEngine(dead, { historyLimit: 10, roomTtlMs: 60_000 }).addTicks(batch, [{ roomId: 'sb-dead' }], 1, 1000);
      await expect(batch.exec()).rejects.toThrow();
      // Callers that only awaited exec() leave these behind: they must count as handled.
      await sleep(50);
      expect(unhandled).toEqual([]);
      await expect(ops).rejects.toThrow();
      await expect(tick).rejects.toThrow();
    } finally {
      process.off('unhandledRejection', record);
      dead.disconnect();
    }
  });
});
