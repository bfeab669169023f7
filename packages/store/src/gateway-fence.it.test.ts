import { testStores } from './testing';
import { TestRedis } from '@banterbox/testkit';
import { GatewayFenced, type LeaseGrant } from './gateway-fence';
import { keys } from './keys';
import { holdForGateway, renewLease } from './registry';
import { reapGateway, type Stores } from './reaper';
import { PokerStore } from './poker-store';
import { registerScripts, type ScriptedRedis } from './scripts';
import { UserStore } from './user-store';
import { VoteStore, plainPlan, type RoomOp } from './vote-store';

/** SPEC §7: a gateway's writes are fenced like a ticker's, in the room's (or user's) own slot. */
describe('gateway writes are fenced (real Redis)', () => {
  let server: TestRedis;
  let redis: ScriptedRedis;
  let stores: Stores;
  let votes: VoteStore;
  let poker: PokerStore;
  let users: UserStore;

  beforeAll(async () => {
    server = await TestRedis.start();
    redis = registerScripts(server.client());
    stores = testStores(redis);
    ({ votes, poker, users } = stores);
  });
  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });

  async function write(room: string, grant: LeaseGrant, ops: RoomOp[]): Promise<number> {
    const batch = votes.batch();
    const applied = votes.addRoomOps(batch, room, grant, ops, plainPlan(1));
    await batch.exec().catch(() => undefined);
    return applied;
  }

  const expire = (grant: LeaseGrant): Promise<number> => redis.zadd(keys.gateways, 0, grant.id);

  it('renewLease grants the lease until its expiry in Redis time, and a renewal of a gone lease is refused', async () => {
    const before = Date.now();
    const grant = (await renewLease(redis, 'granted', 5_000, 'register', []))!;
    expect(grant.validUntil).toBeGreaterThanOrEqual(before + 4_000);
    expect(Number(await redis.zscore(keys.gateways, 'granted'))).toBe(grant.validUntil);
    await expire(grant);
    expect(await renewLease(redis, 'granted', 5_000, 'renew', ['r'])).toBeUndefined();
    expect(await redis.sismember(keys.gatewayRooms('granted'), 'r')).toBe(0);
  });

  it("refuses a vote room write of a reaped gateway, changing nothing, while another gateway's lands", async () => {
    const room = 'fenced-votes';
    const zombie = (await renewLease(redis, 'zombie', 60_000, 'register', [room]))!;
    const live = (await renewLease(redis, 'live', 60_000, 'register', [room]))!;
    await write(room, zombie, [
      { op: 'join', user: 'z', count: 1 },
      { op: 'vote', user: 'z', value: 'yes', ts: 1 },
    ]);
    await expire(zombie);
    await reapGateway(stores, zombie.id);
    const k = keys.voteRoom(room);
    expect(await redis.hgetall(k.users)).toEqual({});
    // The batch the zombie still had in flight: refused as a whole.
    await expect(
      write(room, zombie, [
        { op: 'join', user: 'z', count: 1 },
        { op: 'vote', user: 'z', value: 'no', ts: 2 },
      ]),
    ).rejects.toEqual(new GatewayFenced('reaped', zombie.id));
    expect(await redis.hgetall(k.users)).toEqual({});
    expect(await redis.hgetall(k.votes)).toEqual({});
    expect(
      await write(room, live, [
        { op: 'join', user: 'l', count: 1 },
        { op: 'vote', user: 'l', value: 'no', ts: 2 },
      ]),
    ).toBe(1);
    expect(await redis.hgetall(k.tally)).toEqual({ yes: '0', no: '1', '#conn': '1' });
  });

  it('refuses a write whose lease has lapsed, before any reaper ran', async () => {
    const room = 'fenced-lapsed';
    const grant = (await renewLease(redis, 'lapsing', 60_000, 'register', [room]))!;
    const lapsed = { ...grant, validUntil: grant.validUntil - 60_001 };
    await expect(write(room, lapsed, [{ op: 'join', user: 'u', count: 1 }])).rejects.toEqual(new GatewayFenced('lapsed', grant.id));
    expect(await redis.hlen(keys.voteRoom(room).users)).toBe(0);
    expect(await write(room, grant, [{ op: 'join', user: 'u', count: 1 }])).toBe(0);
    expect(await redis.hlen(keys.voteRoom(room).users)).toBe(1);
  });

  it('registers nothing with an expired lease, so the reaper of that lease has seen every room written', async () => {
    const grant = (await renewLease(redis, 'holder', 60_000, 'register', []))!;
    expect((await holdForGateway(redis, grant.id, keys.gatewayPokerRooms(grant.id), ['p1'])).validUntil).toBe(grant.validUntil);
    await expire(grant);
    await expect(holdForGateway(redis, grant.id, keys.gatewayPokerRooms(grant.id), ['p2'])).rejects.toEqual(
      new GatewayFenced('lapsed', grant.id),
    );
    expect(await redis.smembers(keys.gatewayPokerRooms(grant.id))).toEqual(['p1']);
  });

  it("refuses a reaped gateway's poker join and user connection, and keeps its members out", async () => {
    const owner = (await renewLease(redis, 'poker-live', 60_000, 'register', []))!;
    const zombie = (await renewLease(redis, 'poker-zombie', 60_000, 'register', []))!;
    expect(await poker.create('fenced-poker', 'owner', { deck: ['1', '2'], autoReveal: false, topic: '' })).toBe(true);
    await users.connections('owner', owner, 'join', 1);
    await poker.join('fenced-poker', owner, 'owner', false);
    await users.connections('member', zombie, 'join', 1);
    await poker.join('fenced-poker', zombie, 'member', false);
    expect(await redis.hkeys(keys.pokerRoom('fenced-poker').members)).toEqual(expect.arrayContaining(['owner', 'member']));

    await expire(zombie);
    await reapGateway(stores, zombie.id);
    expect(await redis.hkeys(keys.pokerRoom('fenced-poker').members)).toEqual(['owner']);
    // What the zombie had in flight when it was reaped: a sync and a user connection.
    await expect(poker.presence('fenced-poker', zombie, 'member', 'leave', 1)).rejects.toEqual(new GatewayFenced('reaped', zombie.id));
    await expect(users.connections('member', zombie, 'leave', 1)).rejects.toEqual(new GatewayFenced('reaped', zombie.id));
    // A re-registration under the old id is refused too (S registers with the lease first).
    await expect(poker.presence('fenced-poker', zombie, 'member', 'sync', 1)).rejects.toBeInstanceOf(GatewayFenced);
    await expect(users.connections('member', zombie, 'sync', 1)).rejects.toBeInstanceOf(GatewayFenced);
    expect(await redis.hkeys(keys.pokerRoom('fenced-poker').members)).toEqual(['owner']);
    expect(await redis.hget(keys.user('member').gateways, zombie.id)).toBeNull();
    // The tombstones count nothing: the member has no connection and is expiring.
    expect((await users.connections('member', owner, 'leave', 0)).connections).toBe(0);
  });
});
