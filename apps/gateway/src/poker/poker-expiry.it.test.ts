import { gatewayService } from '@banterbox/gateway';
import { tickerService } from '@banterbox/ticker';
import { setTimeout as sleep } from 'node:timers/promises';
import { keys } from '@banterbox/store';
import { createPokerRoom, eventually, joinPokerRoom, named, PokerClient, TestRedis, startInProcess } from '@banterbox/testkit';
import type { Ticker } from '@banterbox/ticker';
import type { Gateway } from '@banterbox/gateway';

const USER_TTL_S = 1;

describe('poker user expiry (USER_TTL_S)', () => {
  let redis: TestRedis;
  let gateways: [Gateway, Gateway];
  let ticker: Ticker;
  const env = { USER_TTL_S: String(USER_TTL_S) };

  beforeAll(async () => {
    redis = await TestRedis.start();
    gateways = [await startInProcess(gatewayService, redis, env), await startInProcess(gatewayService, redis, env)];
    ticker = await startInProcess(tickerService, redis, env);
  });
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.stop()));
    await ticker.stop();
    await redis.stop();
  });

  it('closes the rooms of an owner whose last connection closed once USER_TTL_S has passed', async () => {
    const owner = await PokerClient.connect(gateways[0], 'e-owner');
    const member = await PokerClient.connect(gateways[1], 'e-member');
    const roomId = await createPokerRoom(owner, 'e-room');
    await joinPokerRoom(member, roomId, [owner]);
    const closedAt = Date.now();
    owner.close();
    expect(await member.next()).toEqual({ event: 'userLeft', roomId, user: { id: owner.userId, name: null }, reason: 'left' });
    expect(await member.next(10_000)).toEqual({ event: 'roomClosed', roomId });
    expect(Date.now() - closedAt).toBeGreaterThanOrEqual(USER_TTL_S * 1000 - 100);
    member.send({ request: 'joinRoom', roomId });
    expect(await member.next()).toEqual({ event: 'error', message: 'Room not found', roomId });
    const rounds = await fetch(`http://127.0.0.1:${gateways[0].port}/api/poker/${roomId}/rounds`);
    expect(rounds.status).toBe(404);
    // Nothing of the expired owner is left behind, not even their expiry check.
    const client = redis.client();
    const user = keys.user(owner.userId);
    await eventually(async () => ((await client.zscore(keys.expiringUsers, owner.userId)) === null ? true : undefined));
    expect(await client.exists(user.profile, user.gateways, user.rooms, keys.pokerRoom(roomId).room, keys.pokerRoom(roomId).members)).toBe(
      0,
    );
    client.disconnect();
    member.close();
  });

  it('keeps the rooms of an owner who reconnects in time, on any gateway', async () => {
    const owner = await PokerClient.connect(gateways[0], 'k-owner');
    const member = await PokerClient.connect(gateways[1], 'k-member');
    const roomId = await createPokerRoom(owner, 'k-room');
    await joinPokerRoom(member, roomId, [owner]);
    owner.close();
    await member.until(named('userLeft'));
    const back = await PokerClient.connect(gateways[1], 'k-owner');
    await sleep(USER_TTL_S * 1000 + 1000);
    // Still the owner of a live room: joining and revealing work, and no roomClosed was sent.
    back.send({ request: 'joinRoom', roomId });
    await back.snapshot();
    back.send({ request: 'reveal', roomId });
    expect(await member.until(named('roomUpdated'))).toMatchObject({ room: { isRevealed: true, ownerId: 'k-owner' } });
    expect(member.all().filter(named('roomClosed'))).toEqual([]);
    back.close();
    member.close();
  });

  it('keeps a room whose ownership moved to a member who stays', async () => {
    const owner = await PokerClient.connect(gateways[0], 't-owner');
    const heir = await PokerClient.connect(gateways[1], 't-heir');
    const roomId = await createPokerRoom(owner, 't-room');
    await joinPokerRoom(heir, roomId, [owner]);
    owner.send({ request: 'transferOwnership', roomId, userId: heir.userId });
    await heir.until(named('roomUpdated'));
    owner.close();
    await heir.until(named('userLeft'));
    await sleep(USER_TTL_S * 1000 + 1000);
    heir.send({ command: 'setTopic', roomId, topic: 'still here' });
    expect(await heir.next()).toMatchObject({ event: 'roomUpdated', room: { topic: 'still here', ownerId: heir.userId } });
    expect(heir.all().filter(named('roomClosed'))).toEqual([]);
    expect((await ticker.metrics.usersExpired.get()).values[0]?.value).toBeGreaterThanOrEqual(1);
    heir.close();
  });
});
