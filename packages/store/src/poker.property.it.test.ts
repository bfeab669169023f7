import { testStores } from './testing';
import fc from 'fast-check';
import { TestRedis } from '@banterbox/testkit';
import { GatewayFenced, type LeaseGrant } from './gateway-fence';
import { keys } from './keys';
import { PokerRefused, type PokerRefusal, type PokerStore } from './poker-store';
import { renewLease } from './registry';
import { reapGateway } from './reaper';
import { registerScripts, type ScriptedRedis } from './scripts';

/**
 * Property-based tests of the poker scripts against a small reference model, on real Redis:
 * random runs of joins, leaves and syncs from two gateways, estimates (on and off the deck, and
 * withdrawn), reveals, hides, clears, kicks, users expiring (the owner's expiry closes the room),
 * gateways reaped, and late writes of reaped gateways. After every step the room's membership,
 * estimates, revealed flag, connections and every refusal must be what the model says.
 */

const OWNER = 'owner';
const USERS = [OWNER, 'u1', 'u2', 'u3'];
const DECK = ['1', '2', '3'];
const RUNS = Number(process.env.PROPERTY_RUNS ?? 300);

type Outcome = 'ok' | PokerRefusal | 'fenced' | 'closed';

type Cmd =
  | { kind: 'join'; gateway: number; user: string; spectator: boolean }
  | { kind: 'leave' | 'sync'; gateway: number; user: string; count: number }
  | { kind: 'estimate'; user: string; value: string }
  | { kind: 'cards'; user: string; action: 'reveal' | 'hide' | 'clear' }
  | { kind: 'kick'; user: string; target: string }
  | { kind: 'expire'; user: string }
  | { kind: 'reap'; gateway: number }
  | { kind: 'zombie'; gateway: number; user: string; join: boolean };

const user = fc.constantFrom(...USERS);
const gateway = fc.integer({ min: 0, max: 1 });
const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('join' as const), gateway, user, spectator: fc.boolean() }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constantFrom('leave' as const, 'sync' as const),
      gateway,
      user,
      count: fc.integer({ min: 0, max: 2 }),
    }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('estimate' as const), user, value: fc.constantFrom('', '1', '3', 'nope') }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('cards' as const),
      user,
      action: fc.constantFrom('reveal' as const, 'hide' as const, 'clear' as const),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('kick' as const), user, target: user }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('expire' as const), user }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reap' as const), gateway }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('zombie' as const), gateway, user, join: fc.boolean() }) },
);

/** The reference: a poker room from the rules of SPEC §6 and §7 alone. */
class PokerModel {
  open = true;
  revealed = false;
  readonly members = new Map<string, boolean>(); // user -> spectator
  readonly estimates = new Map<string, string>();
  readonly conns = new Map<string, number>(); // "<user>|<gateway id>" -> connections

  constructor(readonly autoReveal: boolean) {}

  private total(u: string): number {
    let sum = 0;
    for (const [field, n] of this.conns) if (field.startsWith(`${u}|`)) sum += n;
    return sum;
  }

  private autoRevealNow(): void {
    if (!this.autoReveal || this.revealed) return;
    const estimators = [...this.members].filter(([, spectator]) => !spectator).map(([u]) => u);
    if (estimators.length > 0 && estimators.every((u) => this.estimates.has(u))) this.revealed = true;
  }

  private remove(u: string): void {
    if (!this.members.delete(u)) return;
    this.estimates.delete(u);
    this.autoRevealNow();
  }

  private settle(u: string, spectator: boolean): void {
    const total = this.total(u);
    if (total > 0 && !this.members.has(u)) {
      this.members.set(u, spectator);
      if (!spectator) this.autoRevealNow();
    } else if (total === 0) this.remove(u);
  }

  presence(op: 'join' | 'leave' | 'sync', gw: string, u: string, count: number, spectator: boolean): Outcome {
    if (!this.open) return 'no_room';
    const field = `${u}|${gw}`;
    const held = this.conns.get(field) ?? 0;
    const now = op === 'join' ? held + count : op === 'leave' ? Math.max(0, held - count) : count;
    if (now > 0) this.conns.set(field, now);
    else this.conns.delete(field);
    this.settle(u, spectator);
    return 'ok';
  }

  reap(gw: string): void {
    if (!this.open) return;
    for (const field of [...this.conns.keys()]) {
      if (!field.endsWith(`|${gw}`)) continue;
      this.conns.delete(field);
      this.settle(field.slice(0, -gw.length - 1), false);
    }
  }

  estimate(u: string, value: string): Outcome {
    if (!this.open) return 'no_room';
    const spectator = this.members.get(u);
    if (spectator === undefined) return 'not_member';
    if (spectator) return 'spectator';
    if (value === '') {
      this.estimates.delete(u);
      return 'ok';
    }
    if (!DECK.includes(value)) return 'not_on_deck';
    this.estimates.set(u, value);
    if (!this.revealed) this.autoRevealNow();
    return 'ok';
  }

  cards(u: string, action: 'reveal' | 'hide' | 'clear'): Outcome {
    if (!this.open) return 'no_room';
    if (u !== OWNER) return 'not_owner';
    if (action === 'reveal') this.revealed = true;
    else if (action === 'hide') this.revealed = false;
    else {
      this.estimates.clear();
      this.revealed = false;
    }
    return 'ok';
  }

  kick(u: string, target: string): Outcome {
    if (!this.open) return 'no_room';
    if (u !== OWNER) return 'not_owner';
    if (target === u) return 'self';
    if (!this.members.has(target)) return 'not_member';
    for (const field of [...this.conns.keys()]) if (field.startsWith(`${target}|`)) this.conns.delete(field);
    this.remove(target);
    return 'ok';
  }

  expire(u: string): Outcome {
    if (!this.open) return 'no_room';
    if (u === OWNER) {
      this.open = false;
      this.members.clear();
      this.estimates.clear();
      this.conns.clear();
      this.revealed = false;
      return 'closed';
    }
    this.remove(u);
    return 'ok';
  }

  expected(): {
    open: boolean;
    revealed: boolean;
    members: Record<string, string>;
    estimates: Record<string, string>;
    conns: Record<string, string>;
  } {
    return {
      open: this.open,
      revealed: this.revealed,
      members: Object.fromEntries([...this.members].map(([u, s]) => [u, s ? '1' : '0'])),
      estimates: Object.fromEntries(this.estimates),
      conns: Object.fromEntries([...this.conns].map(([f, n]) => [f, String(n)])),
    };
  }
}

async function outcome(work: Promise<unknown>): Promise<Outcome> {
  try {
    await work;
    return 'ok';
  } catch (error) {
    if (error instanceof PokerRefused) return error.refusal;
    if (error instanceof GatewayFenced) return 'fenced';
    throw error;
  }
}

describe('poker scripts against a reference model (real Redis, fast-check)', () => {
  let server: TestRedis;
  let redis: ScriptedRedis;
  let poker: PokerStore;
  let stores: Parameters<typeof reapGateway>[0];
  let runs = 0;
  let commands = 0;

  beforeAll(async () => {
    server = await TestRedis.start();
    redis = registerScripts(server.client());
    stores = testStores(redis);
    poker = stores.poker;
  });
  afterAll(async () => {
    process.stdout.write(`poker property: ${runs} sequences, ${commands} commands\n`);
    redis.disconnect();
    await server.stop();
  });

  async function stored(roomId: string): Promise<ReturnType<PokerModel['expected']>> {
    const k = keys.pokerRoom(roomId);
    const [open, revealed, members, estimates, conns] = await Promise.all([
      redis.exists(k.room),
      redis.hget(k.room, 'revealed'),
      redis.hgetall(k.members),
      redis.hgetall(k.estimates),
      redis.hgetall(k.conns),
    ]);
    return {
      open: open === 1,
      revealed: revealed === '1',
      members,
      estimates: Object.fromEntries(Object.entries(estimates).map(([u, e]) => [u, (JSON.parse(e) as { value: string }).value])),
      conns: Object.fromEntries(Object.entries(conns).filter(([field]) => !field.startsWith('!'))),
    };
  }

  it('keeps membership, estimates, the reveal and every refusal equal to the model', async () => {
    let seq = 0;
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.array(cmd, { minLength: 1, maxLength: 30 }), async (autoReveal, cmds) => {
        runs += 1;
        commands += cmds.length;
        const roomId = `pp-${(seq += 1)}`;
        expect(await poker.create(roomId, OWNER, { deck: DECK, autoReveal, topic: '' })).toBe(true);
        const model = new PokerModel(autoReveal);
        const grants = new Map<number, LeaseGrant>();
        const reaped = new Map<number, LeaseGrant>();
        /** Grants that registered the room (a join or a sync): the reaper fences those in the room. */
        const held = new Set<string>();
        let ids = 0;
        const grantOf = async (g: number): Promise<LeaseGrant> => {
          const known = grants.get(g);
          if (known) return known;
          const grant = (await renewLease(redis, `${roomId}-g${g}-${(ids += 1)}`, 60_000, 'register', []))!;
          grants.set(g, grant);
          return grant;
        };
        for (const c of cmds) {
          let expected: Outcome;
          let actual: Outcome;
          switch (c.kind) {
            case 'join': {
              const grant = await grantOf(c.gateway);
              expected = model.presence('join', grant.id, c.user, 1, c.spectator);
              actual = await outcome(poker.join(roomId, grant, c.user, c.spectator));
              held.add(grant.id);
              break;
            }
            case 'leave':
            case 'sync': {
              const grant = await grantOf(c.gateway);
              const op = c.kind === 'leave' ? 'leave' : 'sync';
              expected = model.presence(op, grant.id, c.user, c.count, false);
              actual = await outcome(poker.presence(roomId, grant, c.user, op, c.count));
              if (op === 'sync') held.add(grant.id);
              break;
            }
            case 'estimate':
              expected = model.estimate(c.user, c.value);
              actual = await outcome(poker.estimate(roomId, c.user, c.value === '' ? null : { value: c.value, comment: '' }));
              break;
            case 'cards':
              expected = model.cards(c.user, c.action);
              actual = await outcome(poker.cards(roomId, c.user, c.action));
              break;
            case 'kick':
              expected = model.kick(c.user, c.target);
              actual = await outcome(poker.manage(roomId, c.user, 'kick', c.target));
              break;
            case 'expire': {
              // expireUser tells only whether the room closed; a room already gone answers as "not closed".
              const wasOpen = model.open;
              expected = model.expire(c.user);
              const closed = await poker.expireUser(roomId, c.user);
              actual = closed ? 'closed' : wasOpen ? 'ok' : 'no_room';
              break;
            }
            case 'reap': {
              const grant = await grantOf(c.gateway);
              await redis.zadd(keys.gateways, 0, grant.id);
              await reapGateway(stores, grant.id);
              model.reap(grant.id);
              reaped.set(c.gateway, grant);
              grants.delete(c.gateway);
              expected = actual = 'ok';
              break;
            }
            case 'zombie': {
              // A write of a reaped gateway still in flight: a join (it registers with the lease
              // first, which is gone) or a leave in a room it had registered: refused, nothing changes.
              const old = reaped.get(c.gateway);
              const applies = old !== undefined && (c.join || held.has(old.id));
              expected = applies ? 'fenced' : 'ok';
              actual = !applies
                ? 'ok'
                : await outcome(c.join ? poker.join(roomId, old, c.user, false) : poker.presence(roomId, old, c.user, 'leave', 1));
              break;
            }
          }
          expect({ cmd: c, outcome: actual }).toEqual({ cmd: c, outcome: expected });
          expect(await stored(roomId)).toEqual(model.expected());
        }
      }),
      {
        numRuns: RUNS,
        examples: [
          [
            false,
            [
              { kind: 'join', gateway: 0, user: 'u1', spectator: false },
              { kind: 'expire', user: OWNER },
              { kind: 'reap', gateway: 0 },
              { kind: 'zombie', gateway: 0, user: 'u1', join: false },
            ],
          ],
        ],
      },
    );
  });
});
