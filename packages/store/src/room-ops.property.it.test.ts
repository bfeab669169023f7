import { testStores } from './testing';
import fc from 'fast-check';
import { TestRedis } from '@banterbox/testkit';
import { keys } from './keys';
import { renewLease } from './registry';
import { reapGateway } from './reaper';
import { registerScripts, type ScriptedRedis } from './scripts';
import { resetVoters } from './script-defs';
import { VoteStore, type RoomOp } from './vote-store';
import type { LeaseGrant } from './gateway-fence';

/**
 * Property-based tests of roomOps-6, reapVoters-4 and resetVoters-2 against a small reference
 * model, on real Redis: random runs of joins, leaves, syncs, votes (any ts order, cancels) and
 * segments (claimed, or chosen once) from several gateways in batches of any size, batches of a
 * gateway that has not heard of the last reset, resets to a new round, batches delivered late
 * (after their gateway was reaped), reaps, and re-assertions (a gateway moves to a new id with its
 * state, then the old id is reaped), their batch sometimes delivered twice (syncs to a count,
 * segments and votes: idempotent by design).
 */

const USERS = ['u1', 'u2', 'u3', 'u4'];
const GATEWAYS = ['a', 'b', 'c'];
const RUNS = Number(process.env.PROPERTY_RUNS ?? 500);

const SEGMENTS = ['s1', 's2'];

type Cmd =
  | { kind: 'batch'; gateway: number; ops: RoomOp[]; stale: boolean }
  | { kind: 'reset' }
  | { kind: 'reap'; gateway: number }
  | { kind: 'reassert'; gateway: number; again: boolean }
  | { kind: 'zombie'; gateway: number; ops: RoomOp[] };

const user = fc.constantFrom(...USERS);
const op: fc.Arbitrary<RoomOp> = fc.oneof(
  fc.record({ op: fc.constantFrom('join' as const, 'leave' as const), user, count: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ op: fc.constant('sync' as const), user, count: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ op: fc.constant('vote' as const), user, value: fc.constantFrom('yes', 'no', 'cancel'), ts: fc.integer({ min: 1, max: 20 }) }),
  fc.record({ op: fc.constant('segment' as const), user, segment: fc.constantFrom(...SEGMENTS), claimed: fc.boolean() }),
);
const gateway = fc.integer({ min: 0, max: GATEWAYS.length - 1 });
const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('batch' as const),
      gateway,
      ops: fc.array(op, { minLength: 1, maxLength: 8 }),
      stale: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reset' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reap' as const), gateway }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reassert' as const), gateway, again: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('zombie' as const), gateway, ops: fc.array(op, { minLength: 1, maxLength: 4 }) }) },
);

interface ModelVote {
  value: string;
  ts: number;
  segment: string;
  round: number;
}

/** The reference: what the room's hashes must hold, from the protocol's rules alone. */
class RoomModel {
  /** gateway id -> user -> connections; reaped ids are gone. */
  readonly conns = new Map<string, Map<string, number>>();
  /** user -> their vote for present users (a placeholder "cancel" at ts 0 until they vote). */
  readonly votes = new Map<string, ModelVote>();
  /** user -> their segment (kept while they are away) and whether their token claimed it. */
  readonly segments = new Map<string, { name: string; claimed: boolean }>();
  round = 0;

  total(u: string): number {
    let sum = 0;
    for (const held of this.conns.values()) sum += held.get(u) ?? 0;
    return sum;
  }

  private shift(gw: string, u: string, delta: number): void {
    const held = this.conns.get(gw) ?? new Map<string, number>();
    this.conns.set(gw, held);
    const before = this.total(u);
    const n = (held.get(u) ?? 0) + delta;
    if (n > 0) held.set(u, n);
    else held.delete(u);
    const after = this.total(u);
    if (after <= 0) this.votes.delete(u);
    else if (before <= 0 && !this.votes.has(u)) {
      this.votes.set(u, { value: 'cancel', ts: 0, segment: this.segments.get(u)?.name ?? '', round: this.round });
    }
  }

  /** `round`: the round the gateway sending `o` knows. */
  apply(gw: string, o: RoomOp, round = this.round): void {
    if (o.op === 'vote') {
      const stored = this.votes.get(o.user);
      if (round < this.round || !stored || (stored.round === this.round && o.ts < stored.ts)) return;
      const segment = stored.segment || (this.segments.get(o.user)?.name ?? '');
      this.votes.set(o.user, { value: o.value, ts: o.ts, segment, round: this.round });
      return;
    }
    if (o.op === 'segment') {
      if (o.claimed || !this.segments.has(o.user)) this.segments.set(o.user, { name: o.segment, claimed: o.claimed });
      const stored = this.votes.get(o.user);
      if (stored) stored.segment = this.segments.get(o.user)!.name;
      return;
    }
    const mine = this.conns.get(gw)?.get(o.user) ?? 0;
    if (o.op === 'join') this.shift(gw, o.user, o.count);
    else if (o.op === 'leave') this.shift(gw, o.user, -Math.min(o.count, mine));
    else this.shift(gw, o.user, o.count - mine);
  }

  reap(gw: string): void {
    for (const [u, n] of [...(this.conns.get(gw) ?? [])]) this.shift(gw, u, -n);
    this.conns.delete(gw);
  }

  /**
   * What Redis must hold: users, votes, tally and segments hashes (zero counts left out; the
   * tally's "#conn" counts the present users, "#round" is the round once past 0, and each counted
   * vote of the round counts for its option and for its option in its segment).
   */
  expected(): {
    users: Record<string, string>;
    votes: Record<string, string>;
    tally: Record<string, string>;
    segments: Record<string, string>;
  } {
    const users: Record<string, string> = {};
    for (const u of USERS) if (this.total(u) > 0) users[u] = String(this.total(u));
    const votes: Record<string, string> = {};
    const tally: Record<string, number> = { '#conn': Object.keys(users).length, '#round': this.round };
    for (const [u, { value, ts, segment, round }] of this.votes) {
      votes[u] = segment === '' && round === 0 ? `${value}|${ts}` : `${value}|${ts}|${segment}|${round}`;
      if (value === 'cancel' || round !== this.round) continue;
      tally[value] = (tally[value] ?? 0) + 1;
      if (segment !== '') tally[`${value}/${segment}`] = (tally[`${value}/${segment}`] ?? 0) + 1;
    }
    return {
      users,
      votes,
      tally: Object.fromEntries(
        Object.entries(tally)
          .filter(([, v]) => v !== 0)
          .map(([k, v]) => [k, String(v)]),
      ),
      segments: Object.fromEntries([...this.segments].map(([u, { name }]) => [u, name])),
    };
  }
}

describe('roomOps and reapVoters against a reference model (real Redis, fast-check)', () => {
  let server: TestRedis;
  let redis: ScriptedRedis;
  let store: VoteStore;
  let stores: Parameters<typeof reapGateway>[0];
  let runs = 0;
  let commands = 0;

  beforeAll(async () => {
    server = await TestRedis.start();
    redis = registerScripts(server.client());
    store = new VoteStore(redis, { historyLimit: 10, roomTtlMs: 60_000 });
    stores = testStores(redis, store);
  });
  afterAll(async () => {
    // The count is part of the evidence: how many random sequences ran against Redis.
    process.stdout.write(`roomOps property: ${runs} sequences, ${commands} commands\n`);
    redis.disconnect();
    await server.stop();
  });

  async function write(room: string, grant: LeaseGrant, ops: RoomOp[], round: number): Promise<'ok' | 'fenced'> {
    const batch = store.batch();
    const applied = store.addRoomOps(batch, room, grant, ops, { shards: 1, round, voteTtlMs: 0, segmented: true });
    await batch.exec().catch(() => undefined);
    return applied.then(
      () => 'ok' as const,
      () => 'fenced' as const,
    );
  }

  async function stored(room: string): Promise<ReturnType<RoomModel['expected']>> {
    const k = keys.voterKeys(room, 0, 1);
    const [users, votes, tally, segments] = await Promise.all([
      redis.hgetall(k.users),
      redis.hgetall(k.votes),
      redis.hgetall(k.tally),
      redis.hgetall(k.segments),
    ]);
    return { users, votes, tally: Object.fromEntries(Object.entries(tally).filter(([, n]) => n !== '0')), segments };
  }

  it('keeps presence, votes, segments and tally equal to the model over rounds, and nothing of a reaped id lands', async () => {
    let seq = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(cmd, { minLength: 1, maxLength: 40 }), async (cmds) => {
        runs += 1;
        commands += cmds.length;
        const room = `prop-${(seq += 1)}`;
        const model = new RoomModel();
        /** Each gateway's current grant; reaped grants are kept to replay as zombies. */
        const grants = new Map<number, LeaseGrant>();
        const reaped = new Map<number, LeaseGrant>();
        let ids = 0;
        const register = async (g: number): Promise<LeaseGrant> => {
          const grant = (await renewLease(redis, `${room}-${GATEWAYS[g]}${(ids += 1)}`, 60_000, 'register', [room]))!;
          grants.set(g, grant);
          return grant;
        };
        const reap = async (g: number, grant: LeaseGrant): Promise<void> => {
          await redis.zadd(keys.gateways, 0, grant.id);
          await reapGateway(stores, grant.id);
          model.reap(grant.id);
          reaped.set(g, grant);
        };
        for (const c of cmds) {
          if (c.kind === 'reset') {
            model.round += 1;
            await resetVoters.run(redis, { voters: keys.voterKeys(room, 0, 1), round: model.round, roomTtlMs: 60_000 });
            expect(await stored(room)).toEqual(model.expected());
            continue;
          }
          const grant = grants.get(c.gateway) ?? (await register(c.gateway));
          if (c.kind === 'batch') {
            // A stale batch: its gateway has not heard of the last reset yet.
            const round = c.stale ? Math.max(0, model.round - 1) : model.round;
            expect(await write(room, grant, c.ops, round)).toBe('ok');
            for (const o of c.ops) model.apply(grant.id, o, round);
          } else if (c.kind === 'reap') {
            await reap(c.gateway, grant);
            grants.delete(c.gateway);
          } else if (c.kind === 'reassert') {
            // The gateway moves to a new id with what it holds (absolute syncs and its users' votes), then the old id is reaped.
            const held = [...(model.conns.get(grant.id) ?? [])];
            const next = await register(c.gateway);
            const ops: RoomOp[] = held.map(([u, n]) => ({ op: 'sync', user: u, count: n }));
            for (const [u] of held) {
              const segment = model.segments.get(u);
              if (segment) ops.push({ op: 'segment', user: u, segment: segment.name, claimed: segment.claimed });
              const vote = model.votes.get(u);
              if (vote && vote.ts > 0 && vote.round === model.round) ops.push({ op: 'vote', user: u, value: vote.value, ts: vote.ts });
            }
            if (ops.length > 0) expect(await write(room, next, ops, model.round)).toBe('ok');
            for (const o of ops) model.apply(next.id, o);
            // Delivered twice (a retried batch), it changes nothing the second time.
            if (c.again && ops.length > 0) expect(await write(room, next, ops, model.round)).toBe('ok');
            await reap(c.gateway, grant);
          } else {
            const old = reaped.get(c.gateway);
            // A late batch of a reaped id: refused, nothing changes.
            if (old) expect(await write(room, old, c.ops, model.round)).toBe('fenced');
          }
          expect(await stored(room)).toEqual(model.expected());
        }
      }),
      { numRuns: RUNS },
    );
  });
});
