import { TestRedis } from '@banterbox/testkit';
import { registerScripts, type ScriptedRedis } from './scripts';
import { WebhookStore } from './webhook-store';

/** The webhook events and deliveries on a real Redis: claims, their lease, settling, the log, replays. */
describe('WebhookStore', () => {
  let server: TestRedis;
  let redis: ScriptedRedis;
  let store: WebhookStore;
  const urls = ['http://a.test/hook', 'http://b.test/hook'];

  beforeAll(async () => {
    server = await TestRedis.start();
    redis = registerScripts(server.client());
    store = new WebhookStore(redis);
  });
  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });

  it("makes one delivery per endpoint of every event, claims each for a lease, and gives a dead sender's claims back after it", async () => {
    const first = await store.emit('room.created', '{"n":1}');
    const second = await store.emitOnce('milestone:r:2', 60_000, 'room.milestone', '{"n":2}');
    expect(await store.emitOnce('milestone:r:2', 60_000, 'room.milestone', '{"n":2}')).toBeUndefined();
    const now = 1_000_000;
    const claimed = await store.claim(now, 10, 1_000, urls);
    expect(claimed.map((d) => [d.eventId, d.url, d.attempts, d.type, d.body]).sort()).toEqual(
      [
        [first, urls[0], 0, 'room.created', '{"n":1}'],
        [first, urls[1], 0, 'room.created', '{"n":1}'],
        [second, urls[0], 0, 'room.milestone', '{"n":2}'],
        [second, urls[1], 0, 'room.milestone', '{"n":2}'],
      ].sort(),
    );
    expect(await store.claim(now + 500, 10, 1_000, urls)).toEqual([]);
    expect(await store.claim(now + 1_000, 10, 1_000, urls)).toHaveLength(4);
    expect(await store.pending()).toBe(4);

    // Settled: one delivered, one due again later, one given up; one left to its claim.
    const [a, b, c] = claimed;
    await store.settle(a!, 'delivered', 0, 204, '');
    await store.settle(b!, 'retry', now + 10_000, 503, 'HTTP 503');
    await store.settle(c!, 'gave_up', 0, 0, 'timeout');
    expect(await store.pending()).toBe(2);
    const due = await store.claim(now + 10_000, 10, 1_000, urls);
    expect(due.map((d) => [d.member, d.attempts]).sort()).toEqual(
      [
        [b!.member, 1],
        [claimed[3]!.member, 0],
      ].sort(),
    );

    const log = await store.log(10);
    expect(log.map((entry) => [entry.event, entry.url, entry.attempt, entry.result, entry.status, entry.error])).toEqual([
      [c!.eventId, c!.url, 1, 'gave_up', 0, 'timeout'],
      [b!.eventId, b!.url, 1, 'retry', 503, 'HTTP 503'],
      [a!.eventId, a!.url, 1, 'delivered', 204, ''],
    ]);

    // A replay delivers an event again to every endpoint, from a first attempt.
    expect(await store.replay(a!.eventId, urls, now + 20_000)).toBe(true);
    expect(await store.replay('1-0', urls, now + 20_000)).toBe(false);
    const replayed = await store.claim(now + 20_000, 10, 1_000, urls);
    expect(
      replayed
        .filter((d) => d.eventId === a!.eventId)
        .map((d) => [d.url, d.attempts])
        .sort(),
    ).toEqual(urls.map((u) => [u, 0]).sort());
  });
});
