import { TestRedis } from '@banterbox/testkit';
import type { Ticker } from '../../ticker/src';
import type { Gateway } from './gateway';
import { joinRoom, startGateway, startTicker, waitForPoint } from './test/harness';

describe('smoke', () => {
  let redis: TestRedis;
  let gateway: Gateway;
  let ticker: Ticker;

  beforeAll(async () => {
    redis = await TestRedis.start();
    gateway = await startGateway(redis);
    ticker = await startTicker(redis);
  });
  afterAll(async () => {
    await gateway.stop();
    await ticker.stop();
    await redis.stop();
  });

  it('counts a vote on the next tick', async () => {
    const socket = await joinRoom(gateway, 'u1', 'smoke');
    socket.send({ vote: { value: 'yes' } });
    await waitForPoint(socket, (p) => p.votes.yes === 1 && p.connected === 1);
    socket.close();
  });
});
