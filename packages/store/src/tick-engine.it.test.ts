import { setTimeout as sleep } from 'node:timers/promises';
import { dataFrame, decodePoint, decodeVoteServerFrame, pointTs, publishedPoint } from '@banterbox/protocol';
import { TestRedis } from '@banterbox/testkit';
import type { Redis } from 'ioredis';
import type { LeaseGrant } from './gateway-fence';
import { keys } from './keys';
import { TickResult } from './script-defs';
import { registerScripts, type ScriptedRedis } from './scripts';
import { ROOMS_PER_TICK_CALL, TickEngine } from './tick-engine';
import { VoteStore, plainPlan, type RoomOp } from './vote-store';

const OPTIONS = ['yes', 'no'];

/** A grant no test outlives (the fence has its own suite: gateway-fence.it.test.ts). */
const forever = (id: string): LeaseGrant => ({ id, validUntil: Number.MAX_SAFE_INTEGER });

describe('tick engine (real Redis)', () => {
  let server: TestRedis;
  let redis: ScriptedRedis;
  let store: VoteStore;
  let engine: TickEngine;
  let subscriber: Redis;

  beforeAll(async () => {
    server = await TestRedis.start();
    redis = registerScripts(server.client());
    subscriber = server.client();
    store = new VoteStore(redis, { historyLimit: 3, roomTtlMs: 60_000 });
    engine = new TickEngine(redis, { historyLimit: 3, roomTtlMs: 60_000 });
  });
  afterAll(async () => {
    redis.disconnect();
    subscriber.disconnect();
    await server.stop();
  });

  async function apply(room: string, gateway: string, ops: RoomOp[]): Promise<number> {
    const batch = store.batch();
    const applied = store.addRoomOps(batch, room, forever(gateway), ops, plainPlan(1));
    await batch.exec();
    return applied;
  }

  async function tick(room: string, epoch: number, ts: number): Promise<TickResult> {
    const [result] = await engine.tick([room], epoch, ts);
    return result!;
  }

  /** A new yes/no room where user `a` voted yes; what its channel publishes from now on. */
  async function roomWithVoter(room: string): Promise<string[]> {
    await store.ensureRoom(room, { options: OPTIONS, open: false, tickMs: 0 });
    const published: string[] = [];
    await subscriber.ssubscribe(keys.voteRoom(room).channel);
    subscriber.on('smessage', (c: string, m: string) => {
      if (c === keys.voteRoom(room).channel) published.push(m);
    });
    await apply(room, 'g1', [
      { op: 'join', user: 'a', count: 1 },
      { op: 'vote', user: 'a', value: 'yes', ts: 5 },
    ]);
    return published;
  }

  it('ticks a room once per ts, fences older epochs, publishes the point and caps history', async () => {
    const room = 'ticked';
    const published = await roomWithVoter(room);

    const again = (epoch: number, ts: number): Promise<TickResult> => tick(room, epoch, ts);
    expect(await again(3, 1000)).toBe(TickResult.Stored);
    expect(await again(3, 1000)).toBe(TickResult.Unchanged); // same ts: stored once
    expect(await again(2, 2000)).toBe(TickResult.Fenced); // older epoch: fenced
    expect(await again(4, 2000)).toBe(TickResult.Stored); // a newer leader may tick
    expect(await again(3, 3000)).toBe(TickResult.Fenced); // and the old one is fenced from then on
    expect(await again(4, 3000)).toBe(TickResult.Stored);
    expect(await again(4, 4000)).toBe(TickResult.Stored);
    expect(await tick('never-created', 4, 4000)).toBe(TickResult.NoRoom);

    const history = await store.history(room);
    expect(history.map((p) => (JSON.parse(p) as { ts: number }).ts)).toEqual([2000, 3000, 4000]);
    expect(JSON.parse(history[0]!)).toEqual({ ts: 2000, votes: { yes: 1, no: 0 }, connected: 1 });
    await sleep(100);
    expect(published.map(pointTs)).toEqual([1000, 2000, 3000, 4000]);
  });

  it('stores nothing while voting is closed, and after it opens again ticks on from the last stored tick', async () => {
    const room = 'rounds';
    const published = await roomWithVoter(room);
    expect(await tick(room, 1, 1000)).toBe(TickResult.Stored);
    expect(await store.setVoting(room, true, 1500)).toEqual({ changed: true, closedAt: 1500 });
    expect(await store.setVoting(room, true, 1600)).toEqual({ changed: false, closedAt: 1500 });
    expect(await store.getRoom(room)).toMatchObject({ closedAt: 1500 });
    // A vote that reaches Redis anyway (a gateway that has not heard yet) changes no stored point.
    await apply(room, 'g1', [{ op: 'vote', user: 'a', value: 'no', ts: 6 }]);
    expect(await tick(room, 1, 2000)).toBe(TickResult.Unchanged);
    expect(await tick(room, 2, 3000)).toBe(TickResult.Unchanged); // a new leader stores nothing either
    expect(await tick(room, 1, 4000)).toBe(TickResult.Fenced); // but it is fenced from then on as usual
    expect(await store.setVoting(room, false, 4500)).toEqual({ changed: true, closedAt: undefined });
    expect(await store.setVoting(room, false, 4600)).toEqual({ changed: false, closedAt: undefined });
    expect(await store.anchor(room)).toBe(4500); // the round began again when it opened
    expect((await store.getRoom(room))?.closedAt).toBeUndefined();
    expect(await tick(room, 2, 1000)).toBe(TickResult.Unchanged); // the tick stored before the close is not stored again
    expect(await tick(room, 2, 5000)).toBe(TickResult.Stored);
    expect((await store.history(room)).map((p) => JSON.parse(p) as { ts: number; votes: Record<string, number> })).toEqual([
      { ts: 1000, votes: { yes: 1, no: 0 }, connected: 1 },
      { ts: 5000, votes: { yes: 0, no: 1 }, connected: 1 },
    ]);
    expect(await store.setVoting('no-such-room', true, 1)).toBeNull();
    await sleep(100);
    expect(published).toEqual([
      JSON.stringify({ ts: 1000, votes: { yes: 1, no: 0 }, connected: 1 }),
      '{"state":{"closed":true,"ts":1500}}',
      '{"state":{"closed":false,"ts":4500}}',
      JSON.stringify({ ts: 5000, votes: { yes: 0, no: 1 }, connected: 1 }),
    ]);
  });

  it("keeps a room's own number of points (its history_limit) beside rooms that keep the service's", async () => {
    await store.ensureRoom('keeps-six', { options: OPTIONS, open: false, tickMs: 0, historyLimit: 6 });
    await store.ensureRoom('keeps-three', { options: OPTIONS, open: false, tickMs: 0 });
    expect(await store.getRoom('keeps-six')).toMatchObject({ historyLimit: 6 });
    expect((await store.getRoom('keeps-three'))?.historyLimit).toBeUndefined();
    for (let ts = 1000; ts <= 10_000; ts += 1000) {
      expect(await engine.tick(['keeps-six', 'keeps-three'], 1, ts)).toEqual([expect.any(Number), expect.any(Number)]);
    }
    const kept = async (room: string): Promise<number[]> =>
      (await redis.lrange(keys.voteRoom(room).history, 0, -1)).map((point) => pointTs(point));
    expect(await kept('keeps-six')).toEqual([5000, 6000, 7000, 8000, 9000, 10_000]);
    expect(await kept('keeps-three')).toEqual([8000, 9000, 10_000]);
    // A join reads the service's number; the export the room's own.
    expect((await store.history('keeps-six')).map(pointTs)).toEqual([8000, 9000, 10_000]);
    expect((await store.history('keeps-six', 6)).map(pointTs)).toEqual([5000, 6000, 7000, 8000, 9000, 10_000]);
  });

  it('ticks many rooms per script call, each with its own result in order', async () => {
    const evalCalls = async (): Promise<number> => Number(/cmdstat_evalsha:calls=(\d+)/.exec(await redis.info('commandstats'))?.[1] ?? 0);
    const rooms = Array.from({ length: 2 * ROOMS_PER_TICK_CALL + 50 }, (_, i) => `many-${i}`);
    const setup = store.batch();
    rooms.forEach((room) => void store.addEnsureRoom(setup, room, { options: OPTIONS, open: false, tickMs: 0 }));
    await setup.exec();
    const at = Math.floor(Date.now() / 1000) * 1000;
    await apply('many-0', 'g1', [
      { op: 'join', user: 'a', count: 1 },
      { op: 'vote', user: 'a', value: 'no', ts: 1 },
    ]);
    expect(await tick('many-1', 8, at)).toBe(TickResult.Stored); // already has this ts
    expect(await tick('many-2', 9, at)).toBe(TickResult.Stored); // ticked by a newer leader

    const before = await evalCalls();
    const codes = await engine.tick([...rooms, 'many-missing'], 8, at);
    // 251 rooms: three calls of at most ROOMS_PER_TICK_CALL rooms each on one node, and one
    // upgradeRooms call for the room that has no tick state.
    expect((await evalCalls()) - before).toBe(3 + 1);
    expect(codes.slice(0, 4)).toEqual([TickResult.Stored, TickResult.Unchanged, TickResult.Fenced, TickResult.Stored]);
    expect(codes.slice(3, -1).every((code) => code === TickResult.Stored)).toBe(true);
    expect(codes.at(-1)).toBe(TickResult.NoRoom);
    expect((await store.history('many-0')).map((point) => JSON.parse(point) as unknown)).toEqual([
      { ts: at, votes: { yes: 0, no: 1 }, connected: 1 },
    ]);
    // Meta and tally have their expiry from ensureRoom, a new history list gets it when created.
    const room = keys.voteRoom('many-0');
    for (const key of [room.meta, room.tally, room.history]) expect(await redis.pttl(key)).toBeGreaterThan(0);
  });

  it('renews a room expiry once per eighth of it, and sets its count of present users right then', async () => {
    const ttl = 80_000; // renewed every 10 s
    const renewing = new TickEngine(redis, { historyLimit: 3, roomTtlMs: ttl });
    await store.ensureRoom('renewed', { options: OPTIONS, open: false, tickMs: 0 });
    await apply('renewed', 'g1', [{ op: 'join', user: 'a', count: 1 }]);
    await store.addMarker('renewed', 'kept with the room');
    const room = keys.voteRoom('renewed');
    const kept = [room.meta, room.tally, room.history, room.markers];
    const shorten = async (): Promise<void> => {
      for (const key of kept) await redis.pexpire(key, 5_000);
    };
    const expiries = async (): Promise<number[]> => Promise.all(kept.map((key) => redis.pttl(key)));
    const t = 1_000_000;
    expect((await renewing.tick(['renewed'], 1, t))[0]).toBe(TickResult.Stored);
    await shorten();
    // The engine's first renewal of a room falls within an eighth of the expiry after it first sees it.
    expect((await renewing.tick(['renewed'], 1, t + 10_001))[0]).toBe(TickResult.Stored);
    expect((await expiries()).every((ms) => ms > 60_000)).toBe(true);
    // The next one is an eighth of the expiry later. A count of present users gone wrong (an older
    // gateway did not keep it) shows until then, and is set right by it.
    await shorten();
    await redis.hset(room.tally, '#conn', '7');
    expect((await renewing.tick(['renewed'], 1, t + 11_001))[0]).toBe(TickResult.Stored);
    expect((await expiries()).every((ms) => ms <= 5_000)).toBe(true);
    expect((await renewing.tick(['renewed'], 1, t + 20_001))[0]).toBe(TickResult.Stored);
    expect((await expiries()).every((ms) => ms > 60_000)).toBe(true);
    expect(await redis.hget(room.tally, '#conn')).toBe('1');
    expect((await store.history('renewed')).map((point) => (JSON.parse(point) as { connected: number }).connected)).toEqual([1, 7, 1]);
  });

  it('stores markers at Redis time, in order, tells the room, one swing per window, and refuses a room that does not exist', async () => {
    const published = await roomWithVoter('marked');
    const before = Date.now();
    const first = JSON.parse((await store.addMarker('marked', 'He said "no"'))!) as { ts: number };
    const second = await store.addSwingMarker('marked', 'swing', 60_000);
    // Another gateway saw the same swing: the room is quiet for its window, nothing more is stored.
    expect(await store.addSwingMarker('marked', 'swing', 60_000)).toBeNull();
    expect(first).toEqual({ ts: expect.any(Number), label: 'He said "no"', auto: false });
    expect(Math.abs(first.ts - before)).toBeLessThan(5_000);
    expect(await store.markers('marked')).toEqual([JSON.stringify(first), second]);
    expect(JSON.parse(second!)).toMatchObject({ label: 'swing', auto: true });
    expect(await redis.pttl(keys.voteRoom('marked').markers)).toBeGreaterThan(50_000);
    expect(await store.addMarker('no-such-room', 'x')).toBeNull();
    await sleep(100);
    expect(published).toEqual([`{"marker":${JSON.stringify(first)}}`, `{"marker":${second}}`]);
  });

  it('honours a room tick that is a multiple of the global tick', async () => {
    await store.ensureRoom('slow', { options: OPTIONS, open: false, tickMs: 2000 });
    const codes = [];
    for (const ts of [1000, 2000, 3000, 4000]) {
      codes.push(await tick('slow', 1, ts));
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
      { op: 'join', user: 'a', count: 1 },
      { op: 'join', user: 'b', count: 2 },
      { op: 'join', user: 'c', count: 1 },
      { op: 'vote', user: 'a', value: 'down', ts: 5 },
      { op: 'vote', user: 'b', value: 'down', ts: 6 },
    ]);
    for (const ts of [7000, 8000]) expect(await tick(room, 9, ts)).toBe(TickResult.Stored);
    await sleep(100);
    subscriber.off('smessage', listener);

    const history = await store.history(room);
    const expected = { votes: { up: 0, down: 2, meh: 0 }, connected: 3 };
    expect(history.map((point) => decodePoint(JSON.parse(point)))).toEqual([
      { ts: 7000, ...expected },
      { ts: 8000, ...expected },
    ]);
    expect(history.map(pointTs)).toEqual([7000, 8000]);
    // Each tick publishes exactly the stored point, which a gateway sends on as a one-point frame.
    expect(published).toEqual(history);
    expect(published.map((point) => decodeVoteServerFrame(dataFrame([publishedPoint(point)!])))).toEqual(
      history.map((point) => ({ kind: 'data', points: [decodePoint(JSON.parse(point))], markers: [] })),
    );
    // A join frame spliced from the stored points decodes to the same points.
    expect(decodeVoteServerFrame(dataFrame(history))).toEqual({
      kind: 'data',
      points: [
        { ts: 7000, ...expected },
        { ts: 8000, ...expected },
      ],
      markers: [],
    });
  });

  it('upgrades a room whose tick state a ticker of an older version kept in meta, keeping its fence and last tick', async () => {
    // The layout of script version 5: the tick state in meta, nothing of it in the tally.
    const room = keys.voteRoom('old-layout');
    await redis.hset(room.meta, {
      options: JSON.stringify(OPTIONS),
      open: '0',
      tick_ms: '0',
      created_at: '1',
      fence: '7',
      last_ts: '5000',
      refreshed: '5000',
    });
    await redis.pexpire(room.meta, 60_000);
    await redis.hset(room.tally, { yes: '1' });
    await redis.hset(room.users, { a: '1' });
    await redis.hset(room.votes, { a: 'yes|1' });
    await redis.rpush(room.history, JSON.stringify({ ts: 5000, votes: { yes: 1, no: 0 }, connected: 1 }));

    // The fence and the last tick came along: an older leader is fenced, a stored ts is not stored again.
    expect(await tick('old-layout', 6, 6000)).toBe(TickResult.Fenced);
    expect(await redis.hget(room.tally, '#tick')).toBe(`5000:7:0|1|${JSON.stringify(OPTIONS)}`);
    expect(await tick('old-layout', 7, 5000)).toBe(TickResult.Unchanged);
    expect(await tick('old-layout', 7, 6000)).toBe(TickResult.Stored);
    expect((await store.history('old-layout')).map((point) => JSON.parse(point) as unknown)).toEqual([
      { ts: 5000, votes: { yes: 1, no: 0 }, connected: 1 },
      { ts: 6000, votes: { yes: 1, no: 0 }, connected: 1 },
    ]);
    // Meta keeps only what the API reads; the tally expires with it.
    expect(await redis.hmget(room.meta, 'fence', 'last_ts', 'refreshed')).toEqual([null, null, null]);
    expect(await redis.hget(room.tally, '#tick')).toBe(`6000:7:0|1|${JSON.stringify(OPTIONS)}`);
    expect(await redis.pttl(room.tally)).toBeGreaterThan(0);
    // The gateway's ensureRoom upgrades such a room too.
    const other = keys.voteRoom('old-layout-2');
    await redis.hset(other.meta, { options: JSON.stringify(OPTIONS), open: '1', tick_ms: '2000', created_at: '1', fence: '3' });
    await redis.pexpire(other.meta, 60_000);
    expect((await store.ensureRoom('old-layout-2', { options: ['a', 'b'], open: false, tickMs: 0 })).created).toBe(false);
    expect(await redis.hget(other.tally, '#tick')).toBe(`0:3:2000|1|${JSON.stringify(OPTIONS)}`);
  });

  it('upgrades a room whose tick state a ticker of script version 6 kept in separate tally fields', async () => {
    // The layout of script version 6: #layout, #fence, #last and #refreshed beside the counts.
    await store.ensureRoom('v6-layout', { options: OPTIONS, open: false, tickMs: 0 });
    const room = keys.voteRoom('v6-layout');
    await redis.hdel(room.tally, '#tick');
    await redis.hset(room.tally, { '#layout': `0|1|${JSON.stringify(OPTIONS)}`, '#fence': '7', '#last': '5000', '#refreshed': '5000' });
    await redis.rpush(room.history, JSON.stringify({ ts: 5000, votes: { yes: 0, no: 0 }, connected: 0 }));

    expect(await tick('v6-layout', 6, 6000)).toBe(TickResult.Fenced);
    expect(await tick('v6-layout', 7, 5000)).toBe(TickResult.Unchanged);
    expect(await tick('v6-layout', 7, 6000)).toBe(TickResult.Stored);
    expect((await store.history('v6-layout')).map((point) => (JSON.parse(point) as { ts: number }).ts)).toEqual([5000, 6000]);
    expect(await redis.hmget(room.tally, '#tick', '#layout', '#fence', '#last', '#refreshed')).toEqual([
      `6000:7:0|1|${JSON.stringify(OPTIONS)}`,
      null,
      null,
      null,
      null,
    ]);
  });

  it('learns a room re-created with other options, and forgets a room that is gone', async () => {
    await store.ensureRoom('changing', { options: OPTIONS, open: false, tickMs: 0 });
    const ts = 100_000;
    expect(await tick('changing', 1, ts)).toBe(TickResult.Stored);
    await redis.del(keys.voteRoom('changing').meta, keys.voteRoom('changing').tally);
    await store.ensureRoom('changing', { options: ['up', 'down', 'meh'], open: false, tickMs: 0 });
    await apply('changing', 'g1', [
      { op: 'join', user: 'a', count: 1 },
      { op: 'vote', user: 'a', value: 'meh', ts: 1 },
    ]);
    expect(await tick('changing', 1, ts + 1000)).toBe(TickResult.Stored);
    expect(await tick('changing', 1, ts + 2000)).toBe(TickResult.Stored);
    expect((await store.history('changing')).map((point) => JSON.parse(point) as unknown).slice(-2)).toEqual([
      { ts: ts + 1000, votes: { up: 0, down: 0, meh: 1 }, connected: 1 },
      { ts: ts + 2000, votes: { up: 0, down: 0, meh: 1 }, connected: 1 },
    ]);
    await redis.del(keys.voteRoom('changing').meta, keys.voteRoom('changing').tally);
    expect(await tick('changing', 1, ts + 3000)).toBe(TickResult.NoRoom);
  });
});
