import { gatewayService } from '@banterbox/gateway';
import { tickerService } from '@banterbox/ticker';
import { keys } from '@banterbox/store';
import {
  AppProcess,
  createPokerRoom,
  eventually,
  joinPokerRoom,
  joinRoom,
  PokerClient,
  testEnv,
  TestRedis,
  TestSocket,
  waitForPoint,
  startInProcess,
  gatewayProcess,
} from '@banterbox/testkit';
import type { Ticker } from '@banterbox/ticker';
import type { Gateway } from '@banterbox/gateway';

const DRAIN_MS = 2000;
const VOTERS = 20;

describe('gateway drain on SIGTERM (real process)', () => {
  let redis: TestRedis;
  let survivor: Gateway;
  let ticker: Ticker;
  let draining: AppProcess;

  beforeAll(async () => {
    redis = await TestRedis.start();
    survivor = await startInProcess(gatewayService, redis);
    ticker = await startInProcess(tickerService, redis);
    draining = gatewayProcess(testEnv(redis, { DRAIN_MS: String(DRAIN_MS), LOG_LEVEL: 'info' }));
  });
  afterAll(async () => {
    await draining.kill();
    await survivor.stop();
    await ticker.stop();
    await redis.stop();
  });

  it('turns not-ready first, closes every socket with 1012 over the window, counts the last votes, and exits', async () => {
    const { port, gatewayId } = await draining.waitForLog('gateway listening');
    const remote = { port: Number(port) } as Gateway;
    const viewer = await joinRoom(survivor, 'viewer', 'drain');
    const voters = await Promise.all(Array.from({ length: VOTERS }, (_, i) => joinRoom(remote, `voter-${i}`, 'drain')));
    const owner = await PokerClient.connect(survivor, 'drain-owner');
    const member = await PokerClient.connect(remote, 'drain-member');
    const pokerRoom = await createPokerRoom(owner, 'drain-poker');
    await joinPokerRoom(member, pokerRoom, [owner]);
    const closedAt = new Map<TestSocket, number>();
    for (const socket of [...voters, member.socket]) {
      socket.ws.on('close', () => closedAt.set(socket, Date.now()));
    }

    // Votes sent just before SIGTERM.
    for (const voter of voters) voter.send({ vote: { value: 'yes' } });
    const termAt = Date.now();
    draining.signal('SIGTERM');

    const ready = await eventually(
      async () => {
        const response = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
        return response?.status === 503 ? response : undefined;
      },
      2_000,
      10,
    );
    expect(ready.status).toBe(503);
    const openWhenNotReady = voters.filter((v) => v.closed === undefined).length;
    expect(openWhenNotReady).toBeGreaterThan(VOTERS / 2);
    await expect(TestSocket.open(`ws://127.0.0.1:${port}/api/vote_ws/`)).rejects.toThrow();

    // The last votes count while their sockets are still open: every voter still connected is a yes.
    await waitForPoint(viewer, (p) => p.connected > VOTERS / 2 && p.votes.yes === p.connected - 1, 5_000);

    const closes = await Promise.all([...voters, member.socket].map((socket) => socket.waitForClose(DRAIN_MS + 5_000)));
    expect(closes.map((c) => c.code)).toEqual(Array(VOTERS + 1).fill(1012));
    const times = [...closedAt.values()];
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(DRAIN_MS / 2);
    expect(await draining.waitForExit(DRAIN_MS + 5_000)).toBe(0);
    expect(Date.now() - termAt).toBeLessThan(DRAIN_MS + 5_000);

    // It left Redis cleanly: members left at once (no reaping), the lease is gone, the tally is empty.
    expect(await owner.until((e) => e.event === 'userLeft')).toMatchObject({ user: { id: 'drain-member' }, reason: 'left' });
    const inspect = redis.client();
    expect(await inspect.zscore(keys.gateways, String(gatewayId))).toBeNull();
    inspect.disconnect();
    await waitForPoint(viewer, (p) => p.votes.yes === 0 && p.connected === 1, 5_000);
    const stopped = draining.lines.find((l) => l.msg === 'vote writes drained')!;
    expect(stopped.votesApplied).toBe(VOTERS);
    viewer.close();
    owner.close();
  });
});
