import { gatewayService } from '@banterbox/gateway';
import { tickerService } from '@banterbox/ticker';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AppProcess,
  createPokerRoom,
  eventually,
  isData,
  joinPokerRoom,
  joinRoom,
  PokerClient,
  testEnv,
  TestRedis,
  TestSocket,
  token,
  waitForPoint,
  type DataFrame,
  startInProcess,
  gatewayProcess,
} from '@banterbox/testkit';
import type { Ticker } from '@banterbox/ticker';
import type { Gateway } from '@banterbox/gateway';

const TICK_MS = 200;
const LEASE_MS = 1000;
const timing = { TICK_MS: String(TICK_MS), GATEWAY_LEASE_MS: String(LEASE_MS) };

describe('a gateway killed with -9 (real process)', () => {
  let redis: TestRedis;
  let survivor: Gateway;
  let ticker: Ticker;
  let doomed: AppProcess;

  beforeAll(async () => {
    redis = await TestRedis.start();
    survivor = await startInProcess(gatewayService, redis, timing);
    ticker = await startInProcess(tickerService, redis, timing);
    doomed = gatewayProcess(testEnv(redis, { ...timing, LOG_LEVEL: 'info' }));
  });
  afterAll(async () => {
    await doomed.kill();
    await survivor.stop();
    await ticker.stop();
    await redis.stop();
  });

  it('stops counting its users and drops its poker members within the lease TTL + 1 tick', async () => {
    const port = Number((await doomed.waitForLog('gateway listening')).port);
    const remote = { port } as Gateway;
    const viewer = await joinRoom(survivor, 'viewer', 'crash');
    const voters = await Promise.all(Array.from({ length: 10 }, (_, i) => joinRoom(remote, `voter-${i}`, 'crash')));
    voters.forEach((v) => v.send({ vote: { value: 'yes' } }));
    await waitForPoint(viewer, (p) => p.votes.yes === 10 && p.connected === 11);
    const owner = await PokerClient.connect(survivor, 'poker-owner');
    const member = await PokerClient.connect(remote, 'poker-member');
    const pokerRoom = await createPokerRoom(owner, 'crash-poker');
    await joinPokerRoom(member, pokerRoom, [owner]);

    const killedAt = Date.now();
    await doomed.kill();
    const deadline = killedAt + LEASE_MS + TICK_MS;
    const after = await waitForPoint(viewer, (p) => p.ts >= deadline, 5_000);
    expect(after.data[0]).toMatchObject({ votes: { yes: 0, no: 0 }, connected: 1 });
    expect(await owner.next()).toEqual({ event: 'userLeft', roomId: pokerRoom, user: { id: 'poker-member', name: null }, reason: 'left' });
    viewer.close();
    owner.close();
  });
});

describe('Redis restarted with its data lost', () => {
  let redis: TestRedis;
  let gateways: [Gateway, Gateway];
  let ticker: Ticker;

  beforeAll(async () => {
    redis = await TestRedis.start();
    gateways = [await startInProcess(gatewayService, redis, timing), await startInProcess(gatewayService, redis, timing)];
    ticker = await startInProcess(tickerService, redis, timing);
  });
  afterAll(async () => {
    await Promise.all([...gateways, ticker].map((s) => s.stop()));
    await redis.stop();
  });

  const ready = async (gateway: Gateway): Promise<number> => (await fetch(`http://127.0.0.1:${gateway.port}/readyz`)).status;

  it('reconnects by itself, reports the outage, keeps sockets open, and restores the exact tally', async () => {
    const [a, b] = gateways;
    const sockets = await Promise.all([
      ...Array.from({ length: 6 }, (_, i) => joinRoom(a, `a-${i}`, 'phoenix')),
      ...Array.from({ length: 4 }, (_, i) => joinRoom(b, `b-${i}`, 'phoenix')),
      joinRoom(a, 'both', 'phoenix'),
      joinRoom(b, 'both', 'phoenix'),
    ]);
    const now = Date.now();
    sockets.forEach((s, i) => s.send({ vote: { value: i % 3 === 0 ? 'no' : 'yes', ts: now } }));
    // "both" votes no on gateway B after its yes on A: the newer vote must survive the restart
    sockets[11]!.send({ vote: { value: 'no', ts: now + 50 } });
    const expected = (p: DataFrame['data'][number]): boolean => p.votes.yes === 6 && p.votes.no === 5 && p.connected === 11;
    const observer = sockets[0]!;
    await waitForPoint(observer, expected);

    await redis.kill();
    await eventually(async () => ((await ready(a)) === 503 && (await ready(b)) === 503 ? true : undefined), 10_000);
    await sleep(500);
    expect(sockets.every((s) => s.closed === undefined)).toBe(true);

    // During the outage a join into a room this gateway holds is accepted with the cached history,
    // and its vote is taken; a join into a room it does not hold is refused with 1013.
    const late = await TestSocket.open(`ws://127.0.0.1:${a.port}/api/vote_ws/`);
    late.send({ auth: { token: await token('late', 'phoenix'), room: 'phoenix' } });
    expect(((await late.waitFor(isData)) as DataFrame).data.length).toBeGreaterThan(0);
    late.send({ vote: { value: 'yes', ts: now + 100 } });
    const cold = await TestSocket.open(`ws://127.0.0.1:${a.port}/api/vote_ws/`);
    cold.send({ auth: { token: await token('cold', 'not-held'), room: 'not-held' } });
    expect((await cold.waitForClose()).code).toBe(1013);

    await redis.restart();
    const mark = observer.frames.length;
    await eventually(async () => ((await ready(a)) === 200 && (await ready(b)) === 200 ? true : undefined), 10_000);
    // ...and when Redis is back the latecomer and its vote are counted.
    await waitForPoint(observer, (p) => p.votes.yes === 7 && p.votes.no === 5 && p.connected === 12, 10_000, mark);
    expect([...sockets, late].every((s) => s.closed === undefined)).toBe(true);

    // and the room works as before: a change is counted on the next ticks
    sockets[1]!.send({ vote: { value: 'cancel' } });
    await waitForPoint(observer, (p) => p.votes.yes === 6 && p.votes.no === 5 && p.connected === 12);
    [...sockets, late].forEach((s) => s.close());
  });

  it('tells poker members their room is gone, and keeps their connections usable', async () => {
    const [a, b] = gateways;
    const owner = await PokerClient.connect(a, 'lost-owner');
    const member = await PokerClient.connect(b, 'lost-member');
    const roomId = await createPokerRoom(owner, 'lost-room');
    await joinPokerRoom(member, roomId, [owner]);

    await redis.kill();
    await eventually(async () => ((await ready(a)) === 503 ? true : undefined), 10_000);
    await redis.restart();
    expect(await owner.next(10_000)).toEqual({ event: 'roomClosed', roomId });
    expect(await member.next(10_000)).toEqual({ event: 'roomClosed', roomId });
    await eventually(async () => ((await ready(a)) === 200 && (await ready(b)) === 200 ? true : undefined), 10_000);

    // The same connections go on: a new room works end to end.
    const again = await createPokerRoom(owner, 'lost-room-2');
    await joinPokerRoom(member, again, [owner]);
    expect(owner.socket.closed).toBeUndefined();
    owner.close();
    member.close();
  });
});
