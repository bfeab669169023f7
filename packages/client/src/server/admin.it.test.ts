import WebSocket from 'ws';
import {
  ADMIN_KEY,
  SECRET,
  TestRedis,
  eventually,
  startGatewayProcess,
  startTickerApp,
  type GatewayProcess,
  type RunningApp,
} from '@banterbox/testkit';
import { VoteClient, type SocketLike, type TallyPoint } from '../index';
import { BanterboxAdmin, BanterboxApiError } from './admin';
import { mintViewerToken } from './token';

/** The backend helper against a gateway and a ticker started as processes, as a platform's backend uses it. */
describe('the server helper against a gateway and a ticker (processes)', () => {
  let redis: TestRedis;
  let ticker: RunningApp;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    redis = await TestRedis.start();
    ticker = await startTickerApp(redis);
    gateway = await startGatewayProcess(redis);
  });
  afterAll(async () => {
    await gateway.proc.kill();
    await ticker.stop();
    await redis.stop();
  });

  it('creates a room, mints viewers tokens the gateway accepts, and reads the series back', async () => {
    const admin = new BanterboxAdmin(gateway.http, ADMIN_KEY);
    expect(await admin.createRoom({ room: 'helper-room', options: ['left', 'right'] })).toMatchObject({
      room: 'helper-room',
      options: ['left', 'right'],
    });
    await expect(admin.createRoom({ room: 'helper-room' })).rejects.toThrow(
      new BanterboxApiError(409, 'POST /api/rooms: HTTP 409: room helper-room already exists'),
    );

    const points: TallyPoint[] = [];
    const client = new VoteClient({
      url: gateway.http,
      room: 'helper-room',
      getToken: async () => mintViewerToken(SECRET, { userId: 'helper-viewer', room: 'helper-room' }),
      socket: (url) => new WebSocket(url) as unknown as SocketLike,
    }).on('points', (p) => points.push(...p));
    client.start();
    try {
      await eventually(async () => (client.state === 'live' ? true : undefined), 10_000);
      client.vote('right');
      await eventually(async () => points.find((p) => p.votes.right === 1), 10_000);
    } finally {
      client.close();
    }
    const { token } = await admin.mintToken('helper-other', 'helper-room', 60);
    expect(token.split('.')).toHaveLength(3);
    const series = await admin.series('helper-room', { since: points[0]!.ts });
    expect(series.some((p) => p.votes.right === 1)).toBe(true);
    expect(series[0]!.ts).toBe(points[0]!.ts);
  });
});
