import { testStores } from './testing';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LeaseGrant } from './gateway-fence';
import { dataFrame, decodePoint, decodeVoteServerFrame, pointOfSnapshot, pointTs } from '@banterbox/protocol';
import { TestRedis } from '@banterbox/testkit';
import type { Redis } from 'ioredis';
import { keys } from './keys';
import { reapGateway, renewLease, expiredGateways, redisTimeMs } from './registry';
import { registerScripts, type ScriptedRedis } from './scripts';
import { TickResult } from './script-defs';
import { ROOMS_PER_TICK_CALL, VoteStore, type RoomOp } from './vote-store';

const OPTIONS = ['yes', 'no'];

/** What the roomOps script must compute, written plainly: presence per gateway and newest-ts votes. */
class Model {
  conns = new Map<string, Map<string, number>>(); // gateway -> user -> connections
  votes = new Map<string, { value: string; ts: number }>();

  total(user: string): number {
    let sum = 0;
    for (const byUser of this.conns.values()) sum += byUser.get(user) ?? 0;
    return sum;
  }

  apply(gateway: string, op: RoomOp): void {
    const mine = this.conns.get(gateway) ?? new Map<string, number>();
    this.conns.set(gateway, mine);
    if (op.op === 'V') {
      const old = this.votes.get(op.user);
      if (this.total(op.user) > 0 && (!old || op.ts >= old.ts)) this.votes.set(op.user, { value: op.value, ts: op.ts });
      return;
    }
    const held = mine.get(op.user) ?? 0;
    const next = op.op === 'J' ? held + op.count : op.op === 'L' ? held - Math.min(op.count, held) : op.count;
    if (next > 0) mine.set(op.user, next);
    else mine.delete(op.user);
    if (this.total(op.user) === 0) this.votes.delete(op.user);
  }

  tally(): Record<string, number> {
    const counts: Record<string, number> = { yes: 0, no: 0 };
    for (const [user, vote] of this.votes) if (this.total(user) > 0 && vote.value !== 'cancel') counts[vote.value]! += 1;
    return counts;
  }

  connected(): number {
    const users = new Set<string>();
    for (const byUser of this.conns.values()) for (const user of byUser.keys()) users.add(user);
    return users.size;
  }
}

function randomOp(rand: () => number): RoomOp {
  const user = `u${Math.floor(rand() * 12)}`;
  const pick = rand();
  if (pick < 0.3) return { op: 'J', user, count: 1 + Math.floor(rand() * 2) };
  if (pick < 0.5) return { op: 'L', user, count: 1 + Math.floor(rand() * 2) };
  if (pick < 0.6) return { op: 'S', user, count: Math.floor(rand() * 3) };
  return { op: 'V', user, value: ['yes', 'no', 'cancel'][Math.floor(rand() * 3)]!, ts: 1000 + Math.floor(rand() * 50) };
}

/** Deterministic PRNG so a failure can be replayed (mulberry32). */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A grant no test outlives, for tests of what the ops do (the fence has its own suite: gateway-fence.it.test.ts). */
const forever = (id: string): LeaseGrant => ({ id, validUntil: Number.MAX_SAFE_INTEGER });

describe('vote store scripts (real Redis)', () => {
  let server: TestRedis;
  let redis: ScriptedRedis;
  let store: VoteStore;
  let subscriber: Redis;

  beforeAll(async () => {
    server = await TestRedis.start();
    redis = registerScripts(server.client());
    subscriber = server.client();
    store = new VoteStore(redis, { historyLimit: 3, roomTtlMs: 60_000 });
  });
  afterAll(async () => {
    redis.disconnect();
    subscriber.disconnect();
    await server.stop();
  });

  async function apply(room: string, gateway: string, ops: RoomOp[]): Promise<number> {
    const batch = store.batch();
    const applied = store.addRoomOps(batch, room, forever(gateway), ops, 1);
    await batch.exec();
    return applied;
  }

  async function tickOnce(room: string, epoch: number, ts: number): Promise<TickResult> {
    const batch = store.batch();
    const result = store.addTick(batch, room, epoch, ts);
    await batch.exec();
    return result;
  }

  async function stored(room: string): Promise<{ votes: Record<string, number>; connected: number }> {
    return store.liveTally(room, { options: OPTIONS });
  }

  it.each([1, 2, 3, 4, 5])('keeps tally and presence equal to a model over random ops from three gateways (seed %i)', async (seed) => {
    const room = `model-${seed}`;
    const rand = prng(seed);
    const model = new Model();
    for (let batch = 0; batch < 40; batch += 1) {
      const batch = store.batch();
      for (const gateway of ['g1', 'g2', 'g3']) {
        const ops = Array.from({ length: 1 + Math.floor(rand() * 8) }, () => randomOp(rand));
        ops.forEach((op) => model.apply(gateway, op));
        void store.addRoomOps(batch, room, forever(gateway), ops, 1);
      }
      await batch.exec();
      const actual = await stored(room);
      expect({ batch, tally: actual.votes, connected: actual.connected }).toEqual({ batch, tally: model.tally(), connected: model.connected() });
    }
  });

  it('ticks a room once per ts, fences older epochs, publishes the point and caps history', async () => {
    const room = 'ticked';
    await store.ensureRoom(room, { options: OPTIONS, open: false, tickMs: 0 });
    const published: string[] = [];
    await subscriber.ssubscribe(keys.voteRoom(room).channel);
    subscriber.on('smessage', (c: string, m: string) => {
      if (c === keys.voteRoom(room).channel) published.push(m);
    });
    await apply(room, 'g1', [
      { op: 'J', user: 'a', count: 1 },
      { op: 'V', user: 'a', value: 'yes', ts: 5 },
    ]);

    const tick = (epoch: number, ts: number): Promise<TickResult> => tickOnce(room, epoch, ts);
    expect(await tick(3, 1000)).toBe(TickResult.Stored);
    expect(await tick(3, 1000)).toBe(TickResult.Unchanged); // same ts: stored once
    expect(await tick(2, 2000)).toBe(TickResult.Fenced); // older epoch: fenced
    expect(await tick(4, 2000)).toBe(TickResult.Stored); // a newer leader may tick
    expect(await tick(3, 3000)).toBe(TickResult.Fenced); // and the old one is fenced from then on
    expect(await tick(4, 3000)).toBe(TickResult.Stored);
    expect(await tick(4, 4000)).toBe(TickResult.Stored);
    expect(await tickOnce('never-created', 4, 4000)).toBe(TickResult.NoRoom);

    const history = await store.history(room);
    expect(history.map((p) => (JSON.parse(p) as { ts: number }).ts)).toEqual([2000, 3000, 4000]);
    expect(JSON.parse(history[0]!)).toEqual({ ts: 2000, votes: { yes: 1, no: 0 }, connected: 1 });
    await sleep(100);
    expect(published.map((m) => (JSON.parse(m) as { data: { ts: number }[] }).data[0]!.ts)).toEqual([1000, 2000, 3000, 4000]);
  });

  it('ticks many rooms per script call, each with its own result in order, and renews their expiry', async () => {
    const evalCalls = async (): Promise<number> => Number(/cmdstat_evalsha:calls=(\d+)/.exec(await redis.info('commandstats'))?.[1] ?? 0);
    const rooms = Array.from({ length: 2 * ROOMS_PER_TICK_CALL + 50 }, (_, i) => `many-${i}`);
    const setup = store.batch();
    rooms.forEach((room) => void store.addEnsureRoom(setup, room, { options: OPTIONS, open: false, tickMs: 0 }));
    await setup.exec();
    const at = Math.floor(Date.now() / 1000) * 1000; // real tick times: a first tick renews expiry
    await apply('many-0', 'g1', [{ op: 'J', user: 'a', count: 1 }, { op: 'V', user: 'a', value: 'no', ts: 1 }]);
    expect(await tickOnce('many-1', 8, at)).toBe(TickResult.Stored); // already has this ts
    expect(await tickOnce('many-2', 9, at - 1000)).toBe(TickResult.Stored); // ticked by a newer leader

    const before = await evalCalls();
    const batch = store.batch();
    const results = store.addTicks(batch, [...rooms, 'many-missing'].map((roomId) => ({ roomId })), 8, at);
    await batch.exec();
    const codes = await results;
    // 251 rooms: three calls of at most ROOMS_PER_TICK_CALL rooms each on one node.
    expect((await evalCalls()) - before).toBe(3);
    expect(codes.slice(0, 4)).toEqual([TickResult.Stored, TickResult.Unchanged, TickResult.Fenced, TickResult.Stored]);
    expect(codes.slice(3, -1).every((code) => code === TickResult.Stored)).toBe(true);
    expect(codes.at(-1)).toBe(TickResult.NoRoom);
    expect((await store.history('many-0')).map((point) => JSON.parse(point) as unknown)).toEqual([{ ts: at, votes: { yes: 0, no: 1 }, connected: 1 }]);
    // The first tick renews the expiry of meta, tally and history (the tally is created without one).
    const room = keys.voteRoom('many-0');
    for (const key of [room.meta, room.tally, room.history]) expect(await redis.pttl(key)).toBeGreaterThan(0);
  });

  it('honours a room tick that is a multiple of the global tick', async () => {
    await store.ensureRoom('slow', { options: OPTIONS, open: false, tickMs: 2000 });
    const codes = [];
    for (const ts of [1000, 2000, 3000, 4000]) {
      codes.push(await tickOnce('slow', 1, ts));
    }
    expect(codes).toEqual([TickResult.Unchanged, TickResult.Stored, TickResult.Unchanged, TickResult.Stored]);
  });

  it('stores and publishes points in the snapshot codec format, byte for byte the same', async () => {
    const room = 'codec';
    const options = ['up', 'down', 'meh'];
    await store.ensureRoom(room, { options, open: false, tickMs: 0 });
    const published: string[] = [];
    const listener = (channel: string, message: string): void => {
      if (channel === keys.voteRoom(room).channel) published.push(message);
    };
    subscriber.on('smessage', listener);
    await subscriber.ssubscribe(keys.voteRoom(room).channel);
    await apply(room, 'g1', [
      { op: 'J', user: 'a', count: 1 },
      { op: 'J', user: 'b', count: 2 },
      { op: 'J', user: 'c', count: 1 },
      { op: 'V', user: 'a', value: 'down', ts: 5 },
      { op: 'V', user: 'b', value: 'down', ts: 6 },
    ]);
    for (const ts of [7000, 8000]) expect(await tickOnce(room, 9, ts)).toBe(TickResult.Stored);
    await sleep(100);
    subscriber.off('smessage', listener);

    const history = await store.history(room);
    const expected = { votes: { up: 0, down: 2, meh: 0 }, connected: 3 };
    expect(history.map((point) => decodePoint(JSON.parse(point)))).toEqual([
      { ts: 7000, ...expected },
      { ts: 8000, ...expected },
    ]);
    expect(history.map(pointTs)).toEqual([7000, 8000]);
    // Each published frame is a one-point data frame carrying exactly the stored point.
    expect(published.map(pointOfSnapshot)).toEqual(history);
    expect(published.map((frame) => decodeVoteServerFrame(frame))).toEqual(history.map((point) => ({ kind: 'data', points: [decodePoint(JSON.parse(point))] })));
    // A join frame spliced from the stored points decodes to the same points.
    expect(decodeVoteServerFrame(dataFrame(history))).toEqual({ kind: 'data', points: [{ ts: 7000, ...expected }, { ts: 8000, ...expected }] });
  });

  it("reaps an expired gateway: its users stop counting unless connected elsewhere", async () => {
    const room = 'reaped';
    const dead = (await renewLease(redis, 'dead', 50, 'register', [room]))!;
    const alive = (await renewLease(redis, 'alive', 60_000, 'register', [room]))!;
    const batch = store.batch();
    void store.addRoomOps(batch, room, dead, [
      { op: 'J', user: 'only-dead', count: 2 },
      { op: 'V', user: 'only-dead', value: 'yes', ts: 1 },
      { op: 'J', user: 'both', count: 1 },
    ], 1);
    void store.addRoomOps(batch, room, alive, [
      { op: 'J', user: 'both', count: 1 },
      { op: 'V', user: 'both', value: 'no', ts: 2 },
    ], 1);
    await batch.exec();
    expect(await stored(room)).toEqual({ votes: { yes: 1, no: 1 }, connected: 2 });

    await sleep(100);
    const expired = await expiredGateways(redis, await redisTimeMs(redis), 10);
    expect(expired).toEqual(['dead']);
    expect(await reapGateway(testStores(store.redis, store), 'dead')).toBe(3);
    expect(await stored(room)).toEqual({ votes: { yes: 0, no: 1 }, connected: 1 });
    expect(await expiredGateways(redis, await redisTimeMs(redis), 10)).toEqual([]);
    // the lease is gone: a renew is refused, so the gateway must re-register under a new id
    expect(await renewLease(redis, 'dead', 1000, 'renew', [])).toBeUndefined();
    expect(await renewLease(redis, 'alive', 60_000, 'renew', [room])).toEqual({ id: 'alive', validUntil: expect.any(Number) as number });
  });
});
