import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import type { Redis } from 'ioredis';
import { keys } from '@banterbox/store';
import {
  AppProcess,
  NetnsHost,
  TestRedis,
  eventually,
  joinRoom,
  spawnGateway,
  startGatewayProcess,
  startTickerProcess,
  untilStatus,
  type GatewayProcess,
} from '@banterbox/testkit';

const TICK_MS = 250;
const LEASE_MS = 1000;
const timing = { TICK_MS: String(TICK_MS), GATEWAY_LEASE_MS: String(LEASE_MS) };

/**
 * A gateway cut from Redis while its sockets stay open (SPEC §7), with real processes and a real
 * partition: the gateway runs on a test host of its own (a network namespace), and iptables
 * there drops every packet to and from Redis, so its Redis connections stay open and carry
 * nothing; its clients still reach it. Its users stop counting within the lease plus a tick, and
 * stay out while it is cut (nothing it sends lands); once healed, what it sent meanwhile arrives
 * late and is refused, and it counts its live sockets again, exactly.
 */
describe('a gateway partitioned from Redis (network namespace, iptables)', () => {
  let host: NetnsHost;
  let redis: TestRedis;
  let inspect: Redis;
  let ticker: AppProcess;
  let cut: GatewayProcess;
  let other: GatewayProcess;

  beforeAll(async () => {
    host = NetnsHost.create(77);
    redis = await TestRedis.start({ bind: [host.hostAddress] });
    inspect = redis.client();
    ticker = await startTickerProcess(redis, timing);
    cut = await spawnGateway(redis, { ...timing, REDIS_URL: `redis://${host.hostAddress}:${redis.port}` }, [], host);
    await untilStatus(cut, '/readyz', 200, 15_000).catch((error: unknown) => {
      throw new Error(`${String(error)}: ${cut.proc.tail(20)}`);
    });
    other = await startGatewayProcess(redis, timing);
  });
  afterAll(async () => {
    host?.heal();
    await Promise.all([cut?.proc.kill(), other?.proc.kill(), ticker?.kill()]);
    inspect?.disconnect();
    await redis?.stop();
    host?.destroy();
  });

  const state = async (room: string): Promise<{ users: Record<string, string>; votes: Record<string, string> }> => {
    const k = keys.voteRoom(room);
    const [users, votes] = await Promise.all([inspect.hgetall(k.users), inspect.hgetall(k.votes)]);
    return { users, votes: Object.fromEntries(Object.entries(votes).map(([u, v]) => [u, v.split('|')[0]!])) };
  };

  it('reaps its users while it is cut, lands nothing late, and is exact again after the heal', async () => {
    const room = 'partition';
    const stays = await joinRoom(cut, 'stays', room);
    const leaves = await joinRoom(cut, 'leaves', room);
    const elsewhere = await joinRoom(other, 'elsewhere', room);
    const now = Date.now();
    stays.send({ vote: { value: 'yes', ts: now } });
    leaves.send({ vote: { value: 'yes', ts: now } });
    elsewhere.send({ vote: { value: 'no', ts: now } });
    const all = { users: { stays: '1', leaves: '1', elsewhere: '1' }, votes: { stays: 'yes', leaves: 'yes', elsewhere: 'no' } };
    await eventually(async () => (isDeepStrictEqual(await state(room), all) ? true : undefined), 5_000);

    host.cut(redis.port);
    const cutAt = Date.now();
    // While cut, its sockets still talk to it: a vote and a close, both stuck on the way to Redis.
    stays.send({ vote: { value: 'no', ts: now + 1 } });
    leaves.close();
    await leaves.waitForClose();
    const reaped = { users: { elsewhere: '1' }, votes: { elsewhere: 'no' } };
    await eventually(async () => (isDeepStrictEqual(await state(room), reaped) ? true : undefined), 3 * LEASE_MS + 4 * TICK_MS);
    const reapedAfterMs = Date.now() - cutAt;
    // One lease time plus a tick after the reap: no orphaned user or vote, nothing landed.
    await sleep(LEASE_MS + TICK_MS);
    expect(await state(room)).toEqual(reaped);
    expect(stays.closed).toBeUndefined();

    host.heal();
    // TCP retransmits what it sent while cut: refused by the fence; the gateway moves to a new id.
    await cut.proc.waitForLog('gateway state re-asserted under a new id', 20_000);
    const healed = { users: { stays: '1', elsewhere: '1' }, votes: { stays: 'no', elsewhere: 'no' } };
    await eventually(async () => (isDeepStrictEqual(await state(room), healed) ? true : undefined), 10_000).catch(
      async (error: unknown) => {
        throw new Error(`${String(error)}: ${JSON.stringify(await state(room))} ${cut.proc.tail(12)}`);
      },
    );
    await sleep(4 * TICK_MS);
    expect(await state(room)).toEqual(healed);
    const [last] = (await inspect.lrange(keys.voteRoom(room).history, -1, -1)).map(
      (p) => JSON.parse(p) as { connected: number; votes: Record<string, number> },
    );
    expect(last).toMatchObject({ connected: 2, votes: { yes: 0, no: 2 } });
    process.stdout.write(`partition: users taken out ${reapedAfterMs} ms after the cut (lease ${LEASE_MS} ms, tick ${TICK_MS} ms)\n`);
    stays.close();
    elsewhere.close();
  });
});
