import { testStores } from './testing';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LeaseGrant } from './gateway-fence';
import { TestRedis } from '@banterbox/testkit';
import { renewLease, redisTimeMs } from './registry';
import { expiredGateways, reapGateway } from './reaper';
import { registerScripts, type ScriptedRedis } from './scripts';
import { VoteStore, plainPlan, type RoomOp } from './vote-store';

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
    if (op.op === 'vote') {
      const old = this.votes.get(op.user);
      if (this.total(op.user) > 0 && (!old || op.ts >= old.ts)) this.votes.set(op.user, { value: op.value, ts: op.ts });
      return;
    }
    if (op.op === 'segment') throw new Error('the model has no segments');
    const held = mine.get(op.user) ?? 0;
    const next = op.op === 'join' ? held + op.count : op.op === 'leave' ? held - Math.min(op.count, held) : op.count;
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
  if (pick < 0.3) return { op: 'join', user, count: 1 + Math.floor(rand() * 2) };
  if (pick < 0.5) return { op: 'leave', user, count: 1 + Math.floor(rand() * 2) };
  if (pick < 0.6) return { op: 'sync', user, count: Math.floor(rand() * 3) };
  return { op: 'vote', user, value: ['yes', 'no', 'cancel'][Math.floor(rand() * 3)]!, ts: 1000 + Math.floor(rand() * 50) };
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

  beforeAll(async () => {
    server = await TestRedis.start();
    redis = registerScripts(server.client());
    store = new VoteStore(redis, { historyLimit: 3, roomTtlMs: 60_000 });
  });
  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });

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
        void store.addRoomOps(batch, room, forever(gateway), ops, plainPlan(1));
      }
      await batch.exec();
      const actual = await stored(room);
      expect({ batch, tally: actual.votes, connected: actual.connected }).toEqual({
        batch,
        tally: model.tally(),
        connected: model.connected(),
      });
    }
  });

  it('reaps an expired gateway: its users stop counting unless connected elsewhere', async () => {
    const room = 'reaped';
    const dead = (await renewLease(redis, 'dead', 50, 'register', [room]))!;
    const alive = (await renewLease(redis, 'alive', 60_000, 'register', [room]))!;
    const batch = store.batch();
    void store.addRoomOps(
      batch,
      room,
      dead,
      [
        { op: 'join', user: 'only-dead', count: 2 },
        { op: 'vote', user: 'only-dead', value: 'yes', ts: 1 },
        { op: 'join', user: 'both', count: 1 },
      ],
      plainPlan(1),
    );
    void store.addRoomOps(
      batch,
      room,
      alive,
      [
        { op: 'join', user: 'both', count: 1 },
        { op: 'vote', user: 'both', value: 'no', ts: 2 },
      ],
      plainPlan(1),
    );
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
