import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { keys } from '@banterbox/store';
import {
  AppProcess,
  TestRedis,
  TestSocket,
  eventually,
  freePort,
  isData,
  spawnGateway,
  startTickerProcess,
  token,
  untilStatus,
  type GatewayProcess,
} from '@banterbox/testkit';

const TICK_MS = '250';

/**
 * The lost leave (SPEC §5.5, §7), with the apps as processes the way the README runs them: a
 * client that connects the moment a restarted gateway's /healthz answers (what a plain load
 * balancer hands reconnecting viewers) joins, votes and closes; its user and vote must be gone
 * from Redis and from the snapshots from the next tick on.
 */
describe('a vote stops counting when its last connection closes, from the first moment a gateway answers', () => {
  let redis: TestRedis;
  let inspect: Redis;
  let ticker: AppProcess;
  const gateways: GatewayProcess[] = [];

  beforeAll(async () => {
    redis = await TestRedis.start();
    inspect = redis.client();
    ticker = await startTickerProcess(redis, { TICK_MS });
  });
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.proc.kill()));
    await ticker.kill();
    inspect.disconnect();
    await redis.stop();
  });

  /** Opens a socket the moment `gateway` answers /healthz (retrying a refused upgrade until it is accepted). */
  async function joinAsSoonAsAlive(gateway: GatewayProcess, user: string, room: string): Promise<TestSocket> {
    await untilStatus(gateway, '/healthz', 200);
    const socket = await eventually(() => TestSocket.open(`${gateway.ws}/api/vote_ws/`).catch(() => undefined), 15_000, 5);
    socket.send({ auth: { user_id: user, token: await token(user, room), room } });
    await socket.waitFor(isData, 15_000);
    return socket;
  }

  async function expectGone(room: string, user: string): Promise<void> {
    const k = keys.voteRoom(room);
    await eventually(
      async () => ((await inspect.hexists(k.users, user)) === 0 && (await inspect.hexists(k.votes, user)) === 0 ? true : undefined),
      5_000,
    );
    // Stays gone for a few ticks (a late write or a re-assertion must not bring it back).
    await sleep(4 * Number(TICK_MS));
    expect(await inspect.hgetall(k.users)).toEqual({});
    expect(await inspect.hgetall(k.votes)).toEqual({});
    expect(Number((await inspect.hget(k.tally, 'yes')) ?? 0)).toBe(0);
  }

  it('refuses sockets (HTTP 503) while alive but before its lease was ever registered', async () => {
    // A Redis that never answers: the gateway answers /healthz, and nothing it could write would be fenced.
    const gateway = await spawnGateway(redis, { TICK_MS, REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
    gateways.push(gateway);
    await untilStatus(gateway, '/healthz', 200);
    await expect(TestSocket.open(`${gateway.ws}/api/vote_ws/`)).rejects.toThrow('HTTP 503');
    expect(await (await fetch(`${gateway.http}/readyz`)).json()).toMatchObject({ ready: false });
  });

  it('one tab on a gateway that has just started', async () => {
    const gateway = await spawnGateway(redis, { TICK_MS });
    gateways.push(gateway);
    const room = 'lost-leave-one';
    const socket = await joinAsSoonAsAlive(gateway, 'u1', room);
    socket.send({ vote: { value: 'yes', ts: Date.now() } });
    await eventually(async () => ((await inspect.hget(keys.voteRoom(room).tally, 'yes')) === '1' ? true : undefined), 5_000);
    socket.close();
    await socket.waitForClose();
    await expectGone(room, 'u1');
    const point = await eventually(async () => {
      const last = await inspect.lindex(keys.voteRoom(room).history, -1);
      const parsed = last === null ? undefined : (JSON.parse(last) as { connected: number; votes: Record<string, number> });
      return parsed && parsed.connected === 0 ? parsed : undefined;
    }, 5_000);
    expect(point.votes.yes).toBe(0);
  });

  it('two tabs on two gateways that have just started', async () => {
    const [a, b] = await Promise.all([spawnGateway(redis, { TICK_MS }), spawnGateway(redis, { TICK_MS })]);
    gateways.push(a!, b!);
    const room = 'lost-leave-two';
    const [first, second] = await Promise.all([joinAsSoonAsAlive(a!, 'u2', room), joinAsSoonAsAlive(b!, 'u2', room)]);
    first!.send({ vote: { value: 'yes', ts: Date.now() } });
    await eventually(async () => ((await inspect.hget(keys.voteRoom(room).tally, 'yes')) === '1' ? true : undefined), 5_000);
    first!.close();
    await first!.waitForClose();
    // Still one connection: the vote still counts.
    await sleep(2 * Number(TICK_MS));
    expect(await inspect.hget(keys.voteRoom(room).tally, 'yes')).toBe('1');
    second!.close();
    await second!.waitForClose();
    await expectGone(room, 'u2');
  });
});
