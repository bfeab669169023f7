import { setTimeout as sleep } from 'node:timers/promises';
import { decodePoint, type TallyPoint } from '@banterbox/protocol';
import { TestCluster } from '@banterbox/testkit';
import type { LeaseGrant } from './gateway-fence';
import { keys } from './keys';
import { TickResult } from './script-defs';
import { registerScripts, type ScriptedRedis } from './scripts';
import { TickEngine } from './tick-engine';
import { VoteStore, voterRules, type RoomMeta, type RoomOp } from './vote-store';

const OPTIONS = ['yes', 'no'];
const SEGMENTS = ['red', 'blue'];
const GATEWAY: LeaseGrant = { id: 'g1', validUntil: Number.MAX_SAFE_INTEGER };
const TICK_MS = 1000;

/**
 * Segments, rounds and vote expiry (SPEC §9) in the store, on a real Redis Cluster: each feature
 * on a room of its own voter keys and on one whose voters are in parts spread over the masters.
 */
describe('streamer rooms (real Redis Cluster, 3 masters)', () => {
  let cluster: TestCluster;
  let redis: ScriptedRedis;
  let store: VoteStore;
  let engine: TickEngine;
  let ts = Math.floor(Date.now() / TICK_MS) * TICK_MS;

  beforeAll(async () => {
    cluster = await TestCluster.start();
    redis = registerScripts(cluster.client());
    store = new VoteStore(redis, { historyLimit: 100, roomTtlMs: 60_000 });
    engine = new TickEngine(redis, { historyLimit: 100, roomTtlMs: 60_000 });
  });
  afterAll(async () => {
    redis.disconnect();
    await cluster.stop();
  });

  describe.each([1, 3])('with %i voter part(s)', (shards) => {
    /** Applies ops as a gateway that knows the room's meta as stored now. */
    async function apply(room: string, ops: RoomOp[]): Promise<number> {
      const meta = (await store.getRoom(room))!;
      const batch = store.batch();
      const applied = store.addRoomOps(batch, room, GATEWAY, ops, { shards: meta.shards ?? 1, ...voterRules(meta) });
      await batch.exec();
      return applied;
    }

    /** Ticks the room at the next tick time and returns the point it stored. */
    async function tick(room: string): Promise<TallyPoint> {
      ts += TICK_MS;
      const [code] = await engine.tick([room], 1, ts);
      expect(code).toBe(TickResult.Stored);
      const [last] = await redis.lrange(keys.voteRoom(room).history, -1, -1);
      return decodePoint(JSON.parse(last!));
    }

    const create = (room: string, meta: Partial<RoomMeta>): Promise<unknown> =>
      store.ensureRoom(room, { options: OPTIONS, open: false, tickMs: 0, shards, ...meta });

    it("counts each voter in their token's segment or their first choice, per tick, beside the total", async () => {
      const room = `seg-${shards}`;
      await create(room, { segments: SEGMENTS, ask: 'Which team?' });
      const users = Array.from({ length: 12 }, (_, i) => `u${i}`);
      await apply(
        room,
        users.flatMap((user, i): RoomOp[] => [
          { op: 'join', user, count: 1 },
          // u0..u3 claimed red, u4..u7 chose blue, u8..u11 have no segment
          ...(i < 4 ? [{ op: 'segment', user, segment: 'red', claimed: true } as const] : []),
          ...(i >= 4 && i < 8 ? [{ op: 'segment', user, segment: 'blue', claimed: false } as const] : []),
          { op: 'vote', user, value: i % 2 === 0 ? 'yes' : 'no', ts: 10 },
        ]),
      );
      // A second choice does not move a voter; a claim does.
      await apply(room, [
        { op: 'segment', user: 'u4', segment: 'red', claimed: false },
        { op: 'segment', user: 'u8', segment: 'red', claimed: true },
      ]);
      let point = await tick(room);
      expect(point.votes).toEqual({ yes: 6, no: 6 });
      expect(point.segments).toEqual({ red: { yes: 3, no: 2 }, blue: { yes: 2, no: 2 } });

      // A voter who leaves stops counting in their segment too; one who comes back is counted in
      // their chosen segment again as soon as they vote.
      await apply(room, [{ op: 'leave', user: 'u4', count: 1 }]);
      expect((await tick(room)).segments).toEqual({ red: { yes: 3, no: 2 }, blue: { yes: 1, no: 2 } });
      await apply(room, [
        { op: 'join', user: 'u4', count: 1 },
        { op: 'vote', user: 'u4', value: 'no', ts: 20 },
      ]);
      point = await tick(room);
      expect(point.votes).toEqual({ yes: 5, no: 7 });
      expect(point.segments).toEqual({ red: { yes: 3, no: 2 }, blue: { yes: 1, no: 3 } });
      expect(await store.liveTally(room, (await store.getRoom(room))!)).toEqual({
        votes: point.votes,
        segments: point.segments,
        connected: 12,
      });
    });

    it('resets to a new round: the counts start from zero, old votes count nowhere, the old series is kept', async () => {
      const room = `round-${shards}`;
      await create(room, { question: 'First?', segments: SEGMENTS });
      await apply(room, [
        { op: 'join', user: 'a', count: 1 },
        { op: 'segment', user: 'a', segment: 'red', claimed: true },
        { op: 'vote', user: 'a', value: 'yes', ts: 10 },
        { op: 'join', user: 'b', count: 1 },
        { op: 'vote', user: 'b', value: 'no', ts: 10 },
      ]);
      const before = await tick(room);
      expect(before.votes).toEqual({ yes: 1, no: 1 });

      const reset = await store.resetRound(room, 'Second?', Date.now());
      expect(reset).toEqual({ round: 1, conflict: false });
      expect(await store.getRoom(room)).toMatchObject({ round: 1, question: 'Second?' });
      // The round's series starts empty; the first round's is kept and listed.
      expect(await store.history(room)).toEqual([]);
      expect((await store.keptRound(room, 0)).points.map((p) => decodePoint(JSON.parse(p)).ts)).toEqual([before.ts]);
      expect(await store.rounds(room)).toEqual([
        { round: 0, question: 'First?', opened_at: expect.any(Number), ended_at: expect.any(Number) },
      ]);

      // Standing votes of round 0 count nowhere now, and leaving does not take them out again.
      expect((await tick(room)).votes).toEqual({ yes: 0, no: 0 });
      await apply(room, [{ op: 'leave', user: 'b', count: 1 }]);
      let point = await tick(room);
      expect(point.votes).toEqual({ yes: 0, no: 0 });
      expect(point.connected).toBe(1);

      // A gateway that has not heard of the reset (round 0) has its votes ignored; round 1's count,
      // in the voter's segment, even with an older ts than their round-0 vote.
      const stale = store.batch();
      void store.addRoomOps(stale, room, GATEWAY, [{ op: 'vote', user: 'a', value: 'no', ts: 30 }], {
        shards,
        round: 0,
        voteTtlMs: 0,
        segmented: true,
      });
      await stale.exec();
      expect((await tick(room)).votes).toEqual({ yes: 0, no: 0 });
      await apply(room, [{ op: 'vote', user: 'a', value: 'no', ts: 5 }]);
      point = await tick(room);
      expect(point.votes).toEqual({ yes: 0, no: 1 });
      expect(point.segments).toEqual({ red: { yes: 0, no: 1 }, blue: { yes: 0, no: 0 } });

      // Two resets from the same round: one wins, the other is told.
      const both = await Promise.all(['Third?', 'Also third?'].map((q) => store.resetRound(room, q, Date.now())));
      expect(both.map((r) => r!.conflict).sort()).toEqual([false, true]);
      expect((await store.getRoom(room))!.round).toBe(2);
      expect((await store.keptRound(room, 1)).points).toHaveLength(4);
    });

    it('takes a standing vote out once it was not re-sent within vote_ttl_s, and counts it again when it is', async () => {
      const room = `ttl-${shards}`;
      await create(room, { voteTtlMs: 300 });
      await apply(room, [
        { op: 'join', user: 'a', count: 1 },
        { op: 'vote', user: 'a', value: 'yes', ts: 10 },
        { op: 'join', user: 'b', count: 1 },
        { op: 'vote', user: 'b', value: 'no', ts: 10 },
      ]);
      expect((await tick(room)).votes).toEqual({ yes: 1, no: 1 });
      await sleep(150);
      await apply(room, [{ op: 'vote', user: 'b', value: 'no', ts: 11 }]);
      await sleep(200);
      // a expired (350 ms since their vote), b re-affirmed 200 ms ago
      const expiredBefore = engine.votesExpired;
      expect((await tick(room)).votes).toEqual({ yes: 0, no: 1 });
      expect(engine.votesExpired - expiredBefore).toBe(1);
      // The same vote sent again (a gateway re-asserting it) does not bring it back; a new one does.
      await apply(room, [{ op: 'vote', user: 'a', value: 'yes', ts: 10 }]);
      expect((await tick(room)).votes).toEqual({ yes: 0, no: 1 });
      await apply(room, [{ op: 'vote', user: 'a', value: 'yes', ts: 12 }]);
      await sleep(350);
      await apply(room, [{ op: 'vote', user: 'a', value: 'yes', ts: 13 }]);
      // b was not re-sent since: expired too
      expect((await tick(room)).votes).toEqual({ yes: 1, no: 0 });
    });
  });
});
