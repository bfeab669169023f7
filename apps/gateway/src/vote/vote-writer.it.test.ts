import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '@banterbox/logger';
import {
  OPS_PER_CALL,
  VoteStore,
  plainPlan,
  roomBucket,
  connectRedis,
  keys,
  registerScripts,
  whenReady,
  type RoomOp,
  type ScriptedRedis,
} from '@banterbox/store';
import { TestRedis, eventually } from '@banterbox/testkit';
import { GatewayLease } from '../lifecycle/gateway-lease';
import { EAGER_FLUSH_OPS, VoteWriter } from './vote-writer';

const log = createLogger({ name: 'writer-test', level: 'silent' });
const joins = (count: number, prefix: string): RoomOp[] =>
  Array.from({ length: count }, (_, i) => ({ op: 'join', user: `${prefix}-${i}`, count: 1 }));

/** `calls` of a command in INFO commandstats. */
async function calls(redis: ScriptedRedis, command: string): Promise<number> {
  const match = new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(await redis.info('commandstats'));
  return match ? Number(match[1]) : 0;
}

describe('vote writer (real Redis)', () => {
  let server: TestRedis;
  let redis: ScriptedRedis;
  let lease: GatewayLease;
  let dropped: number[];

  const writer = (flushMs: number): VoteWriter =>
    new VoteWriter({
      store: new VoteStore(redis, { historyLimit: 10, roomTtlMs: 60_000 }),
      activity: lease,
      flushMs,
      log,
      onDropped: (ops) => dropped.push(ops),
    });
  const connected = (room: string): Promise<number> => redis.hlen(keys.voteRoom(room).users);

  beforeAll(async () => {
    server = await TestRedis.start();
    redis = registerScripts(connectRedis(server.topology, { name: 'writer-test', queueWhileDisconnected: false }));
    await whenReady(redis, 5_000);
    lease = new GatewayLease({ redis, baseId: 'writer-test', leaseMs: 60_000, log, timer: () => () => undefined });
    await lease.start([]);
  });
  beforeEach(() => {
    dropped = [];
  });
  afterAll(async () => {
    lease.stop();
    redis.disconnect();
    await server.stop();
  });

  it("coalesces a user's repeated votes in a batch into the newest, never across a presence op of theirs", async () => {
    const w = writer(1000);
    const room = keys.voteRoom('coalesce');
    for (const user of ['ann', 'bob', 'cy']) w.push('coalesce', plainPlan(1), { op: 'join', user, count: 1 });
    // Ann changes her mind three times: one vote reaches Redis, the newest.
    w.push('coalesce', plainPlan(1), { op: 'vote', user: 'ann', value: 'yes', ts: 1000 });
    w.push('coalesce', plainPlan(1), { op: 'vote', user: 'ann', value: 'no', ts: 1001 });
    w.push('coalesce', plainPlan(1), { op: 'vote', user: 'ann', value: 'yes', ts: 1002 });
    // An older vote arriving late changes nothing, here as in Redis.
    w.push('coalesce', plainPlan(1), { op: 'vote', user: 'ann', value: 'no', ts: 999 });
    // Bob votes, leaves (his vote goes with him), comes back and votes again: all four stay in order.
    w.push('coalesce', plainPlan(1), { op: 'vote', user: 'bob', value: 'yes', ts: 1000 });
    w.push('coalesce', plainPlan(1), { op: 'leave', user: 'bob', count: 1 });
    w.push('coalesce', plainPlan(1), { op: 'join', user: 'bob', count: 1 });
    w.push('coalesce', plainPlan(1), { op: 'vote', user: 'bob', value: 'no', ts: 900 });
    // Cy votes, then cancels.
    w.push('coalesce', plainPlan(1), { op: 'vote', user: 'cy', value: 'no', ts: 1000 });
    w.push('coalesce', plainPlan(1), { op: 'vote', user: 'cy', value: 'cancel', ts: 1001 });
    w.touchRoom('coalesce');
    await w.drain();
    expect(w.stats).toMatchObject({ opsWritten: 3 + 1 + 4 + 1, votesApplied: 4, votesCoalesced: 2 + 1 });
    expect(await redis.hgetall(room.votes)).toEqual({ ann: 'yes|1002', bob: 'no|900', cy: 'cancel|1001' });
    expect(await redis.hgetall(room.tally)).toMatchObject({ yes: '1', no: '1' });
  });

  it('reads presence and the stored vote in one lookup, and still counts a user present from before the placeholder', async () => {
    const w = writer(1000);
    const room = keys.voteRoom('placeholder');
    w.push('placeholder', plainPlan(1), { op: 'join', user: 'dee', count: 1 });
    w.push('placeholder', plainPlan(1), { op: 'vote', user: 'ghost', value: 'yes', ts: 1000 }); // never joined: ignored
    await w.drain();
    // A present user who has not voted holds a vote counted nowhere.
    expect(await redis.hgetall(room.votes)).toEqual({ dee: 'cancel|0' });
    // Data written before placeholders existed: present, no stored vote. Their vote counts.
    await redis.hset(room.users, 'old-timer', '1');
    w.push('placeholder', plainPlan(1), { op: 'vote', user: 'old-timer', value: 'no', ts: 1000 });
    w.push('placeholder', plainPlan(1), { op: 'vote', user: 'dee', value: 'yes', ts: 1000 });
    await w.drain();
    expect(await redis.hgetall(room.tally)).toMatchObject({ yes: '1', no: '1' });
    w.push('placeholder', plainPlan(1), { op: 'leave', user: 'dee', count: 1 });
    await w.drain();
    expect(await redis.hgetall(room.votes)).toEqual({ 'old-timer': 'no|1000' });
    expect(await redis.hgetall(room.tally)).toMatchObject({ yes: '0', no: '1' });
  });

  it(`writes a room's ops in script calls of at most ${OPS_PER_CALL}, in one pipeline, behind the room's activity mark`, async () => {
    const w = writer(5);
    w.push('warm', plainPlan(1), { op: 'join', user: 'w', count: 1 });
    w.touchRoom('warm');
    await w.drain(); // loads the scripts, so the count below is of EVALSHA alone
    await redis.config('RESETSTAT');
    const ops = joins(2 * OPS_PER_CALL + 200, 'chunk');
    for (const op of ops) w.push('chunked', plainPlan(1), op);
    w.touchRoom('chunked');
    await w.drain();
    // 3 roomOps calls for 1200 ops, plus the lease renewal that marks the room active.
    expect(await calls(redis, 'evalsha')).toBe(3 + 1);
    expect(await connected('chunked')).toBe(ops.length);
    expect(await redis.zscore(keys.activeRooms(roomBucket('chunked')), 'chunked')).not.toBeNull();
    expect(await redis.sismember(keys.gatewayRooms(lease.id), 'chunked')).toBe(1);
    expect(w.stats).toMatchObject({ opsWritten: ops.length + 1, batches: 2, opsDropped: 0 });
  });

  it(`starts a flush at once when ${EAGER_FLUSH_OPS} ops are queued, without waiting for the timer`, async () => {
    const w = writer(60_000);
    const ops = joins(EAGER_FLUSH_OPS, 'eager');
    for (const op of ops.slice(0, -1)) w.push('eager', plainPlan(1), op);
    await sleep(200);
    expect(await connected('eager')).toBe(0); // below the threshold: waiting for the (long) timer
    w.push('eager', plainPlan(1), ops[ops.length - 1]!);
    await eventually(async () => ((await connected('eager')) === EAGER_FLUSH_OPS ? true : undefined), 5_000);
    await w.drain();
  });

  it('drops batches while Redis is unavailable, counts them, and writes again once it is back', async () => {
    const w = writer(1);
    await server.kill();
    await eventually(() => (redis.status !== 'ready' ? true : undefined), 5_000);
    for (const op of joins(7, 'down')) w.push('outage', plainPlan(1), op);
    await w.drain();
    expect(w.stats.opsDropped).toBe(7);
    expect(dropped).toEqual([7]);

    const before = lease.id;
    await server.restart();
    await whenReady(redis, 10_000);
    // Redis came back empty: the lease re-registers under a new id before anything is written again.
    await eventually(() => (lease.grant && lease.id !== before ? true : undefined), 10_000);
    for (const op of joins(3, 'up')) w.push('outage', plainPlan(1), op);
    await w.drain();
    expect(await connected('outage')).toBe(3);
    expect(w.stats.opsDropped).toBe(7);
  });
});
