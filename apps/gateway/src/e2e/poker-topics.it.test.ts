import {
  AppProcess,
  PokerClient,
  TestRedis,
  createPokerRoom,
  joinPokerRoom,
  startGatewayProcess,
  startTickerProcess,
  type GatewayProcess,
} from '@banterbox/testkit';
import type { Gateway } from '@banterbox/gateway';

/**
 * uWS topics cannot collide (SPEC §7): a poker room whose id is the name of another topic
 * ("heartbeat") reaches its members only, never every /connect socket on the gateway. Apps as
 * processes, real sockets.
 */
describe('poker room topics (real processes)', () => {
  let redis: TestRedis;
  let ticker: AppProcess;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    redis = await TestRedis.start();
    ticker = await startTickerProcess(redis);
    gateway = await startGatewayProcess(redis, { HEARTBEAT_MS: '200' });
  });
  afterAll(async () => {
    await Promise.all([gateway.proc.kill(), ticker.kill()]);
    await redis.stop();
  });

  it.each(['heartbeat', 'room', 'vote'])('a room named %s reaches its members and nobody else', async (roomId) => {
    const asGateway = { port: gateway.port } as Gateway;
    const bystander = await PokerClient.connect(asGateway, `bystander-${roomId}`);
    const owner = await PokerClient.connect(asGateway, `owner-${roomId}`);
    const member = await PokerClient.connect(asGateway, `member-${roomId}`);
    await createPokerRoom(owner, roomId);
    await joinPokerRoom(member, roomId, [owner]);
    owner.send({ request: 'estimate', roomId, estimate: { value: '3', comment: 'secret' } });
    owner.send({ request: 'reveal', roomId });
    await member.socket.waitFor((f: { event?: string }) => f.event === 'roomRevealed', 5_000);
    // The bystander keeps getting heartbeats (so it is subscribed and reading) but nothing of the room.
    const seen = bystander.socket.frames.length;
    await bystander.socket.waitUntil(
      () => bystander.socket.frames.slice(seen).some((f) => (f as { event?: string }).event === 'heartbeat'),
      5_000,
      'a heartbeat',
    );
    const events = (bystander.socket.frames as { event?: string; roomId?: string }[]).map((f) => f.event);
    expect(events.filter((e) => e !== 'heartbeat')).toEqual(['connectionInfo', 'userUpdated']);
    [bystander, owner, member].forEach((c) => c.close());
  });
});
