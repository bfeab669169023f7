import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { keys } from '@banterbox/store';
import {
  AppProcess,
  TestRedis,
  eventually,
  joinRoom,
  startGatewayProcess,
  startTickerProcess,
  type GatewayProcess,
} from '@banterbox/testkit';

const TICK_MS = 250;
const LEASE_MS = 1000;
const timing = { TICK_MS: String(TICK_MS), GATEWAY_LEASE_MS: String(LEASE_MS) };

/**
 * A zombie gateway (SPEC §7), with real processes and real signals: a gateway SIGSTOPped past its
 * lease with vote batches queued, then SIGCONT. While it is stopped its users stop counting
 * within the lease time plus a tick (the reaper); when it wakes, whatever it had queued under
 * its old id is refused by the fence, it moves to a new id and re-asserts what it still holds,
 * and a user who left meanwhile is not brought back.
 */
describe('a gateway paused past its lease (SIGSTOP, real processes)', () => {
  let redis: TestRedis;
  let inspect: Redis;
  let ticker: AppProcess;
  let zombie: GatewayProcess;
  let other: GatewayProcess;

  beforeAll(async () => {
    redis = await TestRedis.start();
    inspect = redis.client();
    ticker = await startTickerProcess(redis, timing);
    // A long flush delay keeps the batch queued in the paused process.
    zombie = await startGatewayProcess(redis, { ...timing, VOTE_FLUSH_MS: '400' });
    other = await startGatewayProcess(redis, timing);
  });
  afterAll(async () => {
    zombie.proc.signal('SIGCONT');
    await Promise.all([zombie.proc.kill(), other.proc.kill(), ticker.kill()]);
    inspect.disconnect();
    await redis.stop();
  });

  const tally = async (room: string): Promise<{ users: Record<string, string>; yes: number; no: number }> => {
    const k = keys.voteRoom(room);
    const [users, t] = await Promise.all([inspect.hgetall(k.users), inspect.hgetall(k.tally)]);
    return { users, yes: Number(t.yes ?? 0), no: Number(t.no ?? 0) };
  };

  it('refuses what it had queued, leaves no orphan, and counts its live sockets again after it wakes', async () => {
    const room = 'zombie';
    const stays = await joinRoom(zombie, 'stays', room);
    const leaves = await joinRoom(zombie, 'leaves', room);
    const elsewhere = await joinRoom(other, 'elsewhere', room);
    const now = Date.now();
    stays.send({ vote: { value: 'yes', ts: now } });
    leaves.send({ vote: { value: 'yes', ts: now } });
    elsewhere.send({ vote: { value: 'no', ts: now } });
    await eventually(async () => ((await tally(room)).yes === 2 && (await tally(room)).no === 1 ? true : undefined), 5_000);

    // Votes queued in the gateway (flushed every 400 ms), then the process stops.
    stays.send({ vote: { value: 'no', ts: now + 1 } });
    zombie.proc.signal('SIGSTOP');
    const stoppedAt = Date.now();
    // The reaper takes the zombie's users out within the lease plus a tick (plus this poll's slack).
    const reaped = await eventually(
      async () => {
        const t = await tally(room);
        return Object.keys(t.users).length === 1 ? t : undefined;
      },
      3 * LEASE_MS + 4 * TICK_MS,
    );
    expect(reaped).toEqual({ users: { elsewhere: '1' }, yes: 0, no: 1 });
    const reapedAfterMs = Date.now() - stoppedAt;
    // One user closes while the zombie sleeps: the kernel holds the close until it wakes.
    leaves.close();
    await sleep(LEASE_MS);
    zombie.proc.signal('SIGCONT');

    // The queued batch was written under the reaped id: refused, then the state re-asserted under a new id.
    await zombie.proc.waitForLog('gateway state re-asserted under a new id', 10_000);
    const healed = await eventually(async () => {
      const t = await tally(room);
      return t.users.stays === '1' && t.users.leaves === undefined && t.no === 2 ? t : undefined;
    }, 5_000);
    expect(healed).toEqual({ users: { stays: '1', elsewhere: '1' }, yes: 0, no: 2 });
    // Exact for a few more ticks: nothing of the old id lands late.
    await sleep(4 * TICK_MS);
    expect(await tally(room)).toEqual({ users: { stays: '1', elsewhere: '1' }, yes: 0, no: 2 });
    const points = (await inspect.lrange(keys.voteRoom(room).history, -1, -1)).map(
      (p) => JSON.parse(p) as { connected: number; votes: Record<string, number> },
    );
    expect(points[0]).toMatchObject({ connected: 2, votes: { yes: 0, no: 2 } });
    process.stdout.write(`zombie: users taken out ${reapedAfterMs} ms after SIGSTOP (lease ${LEASE_MS} ms, tick ${TICK_MS} ms)\n`);
    stays.close();
    elsewhere.close();
  });
});
