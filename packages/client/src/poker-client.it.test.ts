import WebSocket from 'ws';
import {
  TestRedis,
  eventually,
  freePort,
  sessionCookie,
  startGatewayProcess,
  startTickerApp,
  watchFrames,
  type GatewayProcess,
  type RunningApp,
} from '@banterbox/testkit';
import { PokerClient, Refused, type PokerEvent, type SocketLike } from './index';

/**
 * The poker client in Node (the `ws` package, the session cookie set as a header, as a browser
 * sends it) against a gateway and a ticker started as processes.
 */
function pokerClient(
  url: string,
  userId: string | undefined,
  options: Partial<ConstructorParameters<typeof PokerClient>[0]> = {},
): PokerClient {
  const headers = userId === undefined ? {} : { cookie: sessionCookie(userId) };
  return new PokerClient({ url, socket: (to) => watchFrames(new WebSocket(to, { headers })) as unknown as SocketLike, ...options });
}

function events(client: PokerClient): PokerEvent[] {
  const seen: PokerEvent[] = [];
  client.on('event', (event) => seen.push(event));
  return seen;
}

const until = <T>(probe: () => T | undefined, timeoutMs = 10_000): Promise<T> => eventually(async () => probe(), timeoutMs, 20);

describe('PokerClient against a gateway and a ticker (processes)', () => {
  let redis: TestRedis;
  let ticker: RunningApp;
  const gateways: GatewayProcess[] = [];
  const clients: PokerClient[] = [];

  beforeAll(async () => {
    redis = await TestRedis.start();
    ticker = await startTickerApp(redis);
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await Promise.all(gateways.splice(0).map((g) => g.proc.kill()));
  });
  afterAll(async () => {
    await ticker.stop();
    await redis.stop();
  });

  const gatewayOn = async (port: number): Promise<string> => {
    gateways.push(await startGatewayProcess(redis, { PORT: String(port) }));
    return `http://127.0.0.1:${port}`;
  };

  it('plays a round with typed requests and events, and re-joins its room by itself after a gateway restart', async () => {
    const port = await freePort();
    const url = await gatewayOn(port);
    const owner = pokerClient(url, 'sdk-owner');
    const member = pokerClient(url, 'sdk-member');
    clients.push(owner, member);
    const ownerSeen = events(owner);
    const memberSeen = events(member);
    owner.start();
    member.start();
    await until(() => (owner.state === 'live' && member.state === 'live' ? true : undefined));
    expect(owner.userId).toBe('sdk-owner');

    owner.createRoom({ deck: ['1', '2', '3'], topic: 'SDK' });
    const created = await until(() => ownerSeen.find((e): e is Extract<PokerEvent, { event: 'roomCreated' }> => e.event === 'roomCreated'));
    expect(owner.roomId).toBe(created.roomId);
    member.joinRoom(created.roomId);
    await until(() => ownerSeen.find((e) => e.event === 'userJoined' && e.user.id === 'sdk-member'));
    owner.estimate(created.roomId, '2');
    member.estimate(created.roomId, '3', 'edge cases');
    await until(() => ownerSeen.filter((e) => e.event === 'estimateUpdated' && e.estimate !== null).length >= 2 || undefined);
    owner.round('reveal', created.roomId);
    const revealed = await until(() =>
      memberSeen.find((e): e is Extract<PokerEvent, { event: 'roomRevealed' }> => e.event === 'roomRevealed'),
    );
    expect(revealed.estimates).toEqual({ 'sdk-owner': { value: '2', comment: '' }, 'sdk-member': { value: '3', comment: 'edge cases' } });
    expect(revealed.stats.count).toBe(2);

    // The gateway restarts: both clients reconnect and are back in the room without asking.
    await gateways[0]!.proc.kill();
    await until(() => (member.state === 'reconnecting' ? true : undefined));
    const before = memberSeen.length;
    await gatewayOn(port);
    await until(() => (owner.state === 'live' && member.state === 'live' ? true : undefined), 20_000);
    const snapshot = await until(() =>
      memberSeen.slice(before).find((e) => e.event === 'userJoined' && e.roomId === created.roomId && e.user.id === 'sdk-owner'),
    );
    expect(snapshot).toBeDefined();
    expect(member.roomId).toBe(created.roomId);
  });

  it('asks checkRefusedUpgrade when the upgrade is refused, and closes with the reason it gives', async () => {
    const url = await gatewayOn(await freePort());
    let asked = 0;
    const stranger = pokerClient(url, undefined, {
      checkRefusedUpgrade: async () => {
        asked += 1;
        if (asked >= 2) throw new Refused('session', 'no session cookie');
        return true;
      },
      backoff: { baseMs: 20, capMs: 50 },
    });
    clients.push(stranger);
    const reasons: unknown[] = [];
    stranger.on('state', (_state, reason) => reason && reasons.push(reason));
    stranger.start();
    await until(() => (stranger.state === 'closed' ? true : undefined));
    expect(asked).toBe(2);
    expect(reasons).toEqual([{ reason: 'session', message: 'no session cookie' }]);
  });
});
