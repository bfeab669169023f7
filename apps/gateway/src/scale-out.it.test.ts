import { gatewayService } from '@banterbox/gateway';
import { tickerService } from '@banterbox/ticker';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventually, joinRoom, topologies, waitForPoint, startInProcess } from '@banterbox/testkit';
import type { LocalTopology } from '@banterbox/testkit';
import type { Ticker } from '@banterbox/ticker';
import type { Gateway } from '@banterbox/gateway';

describe.each(topologies())('two gateways and two tickers on %s', (_topology, startRedis) => {
  let redis: LocalTopology;
  let gateways: Gateway[];
  let tickers: Ticker[];

  beforeAll(async () => {
    redis = await startRedis();
    gateways = [await startInProcess(gatewayService, redis), await startInProcess(gatewayService, redis)];
    tickers = [await startInProcess(tickerService, redis), await startInProcess(tickerService, redis)];
  });
  afterAll(async () => {
    await Promise.all([...gateways, ...tickers].map((s) => s.stop()));
    await redis.stop();
  });

  it('gives every tick partition exactly one leader, spread over both tickers, over many ticks', async () => {
    const PARTITIONS = 16;
    const led = (): number[][] => tickers.map((t) => t.ledPartitions());
    // Stable: every partition led, each ticker at ⌈16/2⌉ = 8.
    await eventually(() => (led().every((p) => p.length === PARTITIONS / 2) ? true : undefined), 10_000);
    const owners = led();
    // 20 looks over 2 s: 20 ticks and several lock extensions (TTL 1 s).
    for (let look = 0; look < 20; look += 1) {
      const now = led();
      expect(now.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: PARTITIONS }, (_, p) => p));
      expect(now).toEqual(owners); // no hand-over while both replicas are healthy
      await sleep(100);
    }
  });

  it('delivers a vote cast through gateway A to viewers on gateway B', async () => {
    const [a, b] = gateways as [Gateway, Gateway];
    const viewer = await joinRoom(b, 'viewer', 'cross');
    const voter = await joinRoom(a, 'voter', 'cross');
    voter.send({ vote: { value: 'no' } });
    await waitForPoint(viewer, (p) => p.votes.no === 1 && p.connected === 2);
    viewer.close();
    voter.close();
  });

  it('keeps the tally exact with many users voting through both gateways', async () => {
    const users = 120;
    const sockets = await Promise.all(Array.from({ length: users }, (_, i) => joinRoom(gateways[i % 2]!, `crowd-${i}`, 'crowd')));
    // every user votes yes, then a third switch to no and a sixth cancel, sent out of order in time
    const now = Date.now();
    sockets.forEach((s) => s.send({ vote: { value: 'yes', ts: now } }));
    sockets.forEach((s, i) => {
      if (i % 3 === 0) s.send({ vote: { value: 'no', ts: now + 10 } });
      if (i % 6 === 1) s.send({ vote: { value: 'cancel', ts: now + 20 } });
      if (i % 3 === 0) s.send({ vote: { value: 'yes', ts: now - 10 } }); // stale: ignored
    });
    const no = Math.ceil(users / 3);
    const cancelled = Math.ceil((users - 1) / 6);
    const yes = users - no - cancelled;
    const observer = sockets[users - 1]!;
    await waitForPoint(observer, (p) => p.votes.yes === yes && p.votes.no === no && p.connected === users, 10_000);

    // half the crowd leaves: their votes stop counting
    const leaving = sockets.filter((_, i) => i % 2 === 0);
    leaving.forEach((s) => s.close());
    const stay = sockets.filter((_, i) => i % 2 === 1);
    const stayYes = stay.filter((_, j) => {
      const i = j * 2 + 1;
      return i % 3 !== 0 && i % 6 !== 1;
    }).length;
    const stayNo = stay.filter((_, j) => (j * 2 + 1) % 3 === 0).length;
    await waitForPoint(observer, (p) => p.connected === stay.length && p.votes.yes === stayYes && p.votes.no === stayNo, 10_000);
    stay.forEach((s) => s.close());
  });
});
