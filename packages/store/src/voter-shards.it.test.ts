import { testStores } from './testing';
import { TestCluster } from '@banterbox/testkit';
import { keys, voterShard } from './keys';
import { keySlot } from './partitions';
import { renewLease } from './registry';
import { reapGateway } from './reaper';
import { TickResult } from './script-defs';
import { registerScripts, type ScriptedRedis } from './scripts';
import { TickEngine, parseLayout } from './tick-engine';
import { VoteStore, plainPlan, type RoomOp } from './vote-store';

const OPTIONS = ['yes', 'no'];
const USERS = Array.from({ length: 30 }, (_, i) => `viewer-${i}`);
/** What user i votes: a third of them no, the rest yes. */
const voteOf = (i: number): string => (i % 3 === 0 ? 'no' : 'yes');

describe('a vote room with its voters in parts (real Redis Cluster, 3 masters)', () => {
  let cluster: TestCluster;
  let redis: ScriptedRedis;
  let store: VoteStore;

  beforeAll(async () => {
    cluster = await TestCluster.start();
    redis = registerScripts(cluster.client());
    store = new VoteStore(redis, { historyLimit: 10, roomTtlMs: 60_000 });
  });
  afterAll(async () => {
    redis.disconnect();
    await cluster.stop();
  });

  async function apply(room: string, gateway: string, ops: RoomOp[], shards: number): Promise<number> {
    const batch = store.batch();
    const applied = store.addRoomOps(batch, room, { id: gateway, validUntil: Number.MAX_SAFE_INTEGER }, ops, plainPlan(shards));
    await batch.exec();
    return applied;
  }

  const stores = (): Parameters<typeof reapGateway>[0] => testStores(redis, store);

  it('spreads the parts over every master and writes each voter into the part of their id', async () => {
    const { meta, created } = await store.ensureRoom('giant', { options: OPTIONS, open: false, tickMs: 0, shards: 3 });
    expect({ created, shards: meta.shards }).toEqual({ created: true, shards: 3 });
    expect(await store.getRoom('giant')).toMatchObject({ shards: 3 });

    const parts = [0, 1, 2].map((shard) => keys.voterKeys('giant', shard, 3));
    const masters = parts.map((part) => cluster.masterOf(keySlot(part.users)));
    expect(new Set(masters).size).toBe(3);
    // The room's own meta and history stay on one slot, apart from its parts.
    expect(parts.map((part) => keySlot(part.users))).not.toContain(keySlot(keys.voteRoom('giant').meta));

    await apply(
      'giant',
      'g1',
      USERS.flatMap(
        (user, i) =>
          [
            { op: 'join', user, count: 1 },
            { op: 'vote', user, value: voteOf(i), ts: 10 },
          ] as RoomOp[],
      ),
      3,
    );
    const sizes = await Promise.all(parts.map((part) => redis.hlen(part.users)));
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(USERS.length);
    expect(sizes.every((size) => size > 0)).toBe(true);
    for (const [i, user] of USERS.entries()) {
      const part = parts[voterShard(user, 3)]!;
      expect(await redis.hget(part.votes, user)).toBe(`${voteOf(i)}|10`);
    }
    // Nothing is written to the room's own voter keys (its tally holds only the tick state).
    expect(await redis.exists(keys.voteRoom('giant').users, keys.voteRoom('giant').votes)).toBe(0);
    expect((await redis.hkeys(keys.voteRoom('giant').tally)).filter((field) => !field.startsWith('#'))).toEqual([]);
    expect(await store.liveTally('giant', meta)).toEqual({ votes: { yes: 20, no: 10 }, connected: 30 });
  });

  it('keeps one vote per user across tabs and gateways, newest ts winning', async () => {
    const meta = (await store.getRoom('giant'))!;
    // viewer-1 (voted yes on g1) opens a second tab on g2 and votes no there; an older vote loses.
    await apply(
      'giant',
      'g2',
      [
        { op: 'join', user: 'viewer-1', count: 1 },
        { op: 'vote', user: 'viewer-1', value: 'no', ts: 20 },
      ],
      3,
    );
    await apply('giant', 'g1', [{ op: 'vote', user: 'viewer-1', value: 'yes', ts: 15 }], 3);
    expect(await store.liveTally('giant', meta)).toEqual({ votes: { yes: 19, no: 11 }, connected: 30 });
    // Closing the first tab keeps the user, and their vote, present.
    await apply('giant', 'g1', [{ op: 'leave', user: 'viewer-1', count: 1 }], 3);
    expect(await store.liveTally('giant', meta)).toEqual({ votes: { yes: 19, no: 11 }, connected: 30 });
  });

  it('ticks the sum of the parts once per ts, fenced, next to unsharded rooms', async () => {
    await store.ensureRoom('small', { options: OPTIONS, open: false, tickMs: 0 });
    await apply(
      'small',
      'g1',
      [
        { op: 'join', user: 'solo', count: 1 },
        { op: 'vote', user: 'solo', value: 'yes', ts: 1 },
      ],
      1,
    );
    const ts = Math.floor(Date.now() / 1000) * 1000;
    // A fresh engine (a new ticker) does not know the room is sharded: the script says so, and the
    // engine learns the layout and ticks it again with the parts' sums.
    const ticker = new TickEngine(redis, { historyLimit: 10, roomTtlMs: 60_000 });
    expect(await ticker.tick(['giant', 'small'], 4, ts)).toEqual([TickResult.Stored, TickResult.Stored]);
    expect(await ticker.tick(['giant', 'small'], 4, ts)).toEqual([TickResult.Unchanged, TickResult.Unchanged]);
    expect(await ticker.tick(['giant'], 3, ts + 1000)).toEqual([TickResult.Fenced]);
    expect(await ticker.tick(['giant'], 5, ts + 1000)).toEqual([TickResult.Stored]);

    const history = (await store.history('giant')).map((point) => JSON.parse(point) as unknown);
    expect(history).toEqual([
      { ts, votes: { yes: 19, no: 11 }, connected: 30 },
      { ts: ts + 1000, votes: { yes: 19, no: 11 }, connected: 30 },
    ]);
    expect((await store.history('small')).map((point) => JSON.parse(point) as unknown)).toEqual([
      { ts, votes: { yes: 1, no: 0 }, connected: 1 },
    ]);
    // A sum made for another layout is refused, never stored.
    const batch = store.batch();
    const other = parseLayout(`0|2|${JSON.stringify(OPTIONS)}`);
    const refused = ticker.addTicks(batch, [{ roomId: 'giant', layout: other, sums: { connected: 1, counts: [1, 0] } }], 5, ts + 2000);
    await batch.exec();
    expect(await refused).toEqual([TickResult.Sharded]);
    expect(await store.history('giant')).toHaveLength(2);
  });

  it('follows a room re-created with another layout', async () => {
    const ticker = new TickEngine(redis, { historyLimit: 10, roomTtlMs: 60_000 });
    await store.ensureRoom('reborn', { options: OPTIONS, open: false, tickMs: 0, shards: 4 });
    await apply(
      'reborn',
      'g1',
      [
        { op: 'join', user: 'a', count: 1 },
        { op: 'vote', user: 'a', value: 'no', ts: 1 },
      ],
      4,
    );
    const ts = Math.floor(Date.now() / 1000) * 1000 + 10_000;
    expect(await ticker.tick(['reborn'], 1, ts)).toEqual([TickResult.Stored]);

    // Everyone leaves, the room expires, and someone creates it again with two parts: the
    // ticker's cached layout is stale.
    await apply('reborn', 'g1', [{ op: 'leave', user: 'a', count: 1 }], 4);
    await redis.del(keys.voteRoom('reborn').meta, keys.voteRoom('reborn').tally);
    await store.ensureRoom('reborn', { options: OPTIONS, open: false, tickMs: 0, shards: 2 });
    await apply(
      'reborn',
      'g1',
      [
        { op: 'join', user: 'b', count: 1 },
        { op: 'vote', user: 'b', value: 'yes', ts: 2 },
      ],
      2,
    );
    expect(await ticker.tick(['reborn'], 1, ts + 1000)).toEqual([TickResult.Stored]);
    const last = JSON.parse((await store.history('reborn')).at(-1)!) as unknown;
    expect(last).toEqual({ ts: ts + 1000, votes: { yes: 1, no: 0 }, connected: 1 });
  });

  it("reaps a dead gateway's connections from every part", async () => {
    const meta = (await store.getRoom('giant'))!;
    await renewLease(redis, 'g2', 60_000, 'register', ['giant']);
    await apply(
      'giant',
      'g2',
      USERS.slice(0, 9).map((user) => ({ op: 'join', user, count: 1 }) as RoomOp),
      3,
    );
    await apply(
      'giant',
      'g2',
      [
        { op: 'join', user: 'only-on-g2', count: 2 },
        { op: 'vote', user: 'only-on-g2', value: 'no', ts: 30 },
      ],
      3,
    );
    expect(await store.liveTally('giant', meta)).toEqual({ votes: { yes: 19, no: 12 }, connected: 31 });

    // viewer-1's two tabs on g2 (it closed its g1 tab), eight other viewers' tabs, only-on-g2's two.
    expect(await reapGateway(stores(), 'g2')).toBe(2 + 8 + 2);
    // viewer-1 (no) and only-on-g2 (no) were only on g2; everyone else is still on g1.
    expect(await store.liveTally('giant', meta)).toEqual({ votes: { yes: 19, no: 10 }, connected: 29 });
    // Each part keeps only g2's tombstone, which refuses whatever g2 still had in flight.
    for (const shard of [0, 1, 2]) expect(await redis.hkeys(keys.gatewayConns('giant', 'g2', shard, 3))).toEqual(['!reaped']);
  });
});
