import { createPokerRoom, joinPokerRoom, named, PokerClient, startGatewayApp, topologies } from '@banterbox/testkit';
import type { LocalTopology, PokerEventFrame, RunningApp } from '@banterbox/testkit';

/** SPEC §6 end to end: the gateway as a process (`node apps/gateway/dist/main.js`, env only), clients over real sockets. */
describe.each(topologies())('poker rooms across two gateways on %s', (_topology, startRedis) => {
  let redis: LocalTopology;
  let gateways: [RunningApp, RunningApp];

  beforeAll(async () => {
    redis = await startRedis();
    gateways = [await startGatewayApp(redis), await startGatewayApp(redis)];
  });
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.stop()));
    await redis.stop();
  });

  it('shows members on different gateways exactly the same events', async () => {
    const [one, two] = gateways;
    const owner = await PokerClient.connect(one, 'x-owner');
    const ava = await PokerClient.connect(one, 'x-ava');
    const bo = await PokerClient.connect(two, 'x-bo');
    const cy = await PokerClient.connect(two, 'x-cy');
    const roomId = await createPokerRoom(owner, 'x-room', { autoReveal: false });
    await joinPokerRoom(ava, roomId, [owner]);
    await joinPokerRoom(bo, roomId, [owner, ava]);
    await joinPokerRoom(cy, roomId, [owner, ava, bo]);
    const everyone = [owner, ava, bo, cy];
    const from = everyone.map((client) => client.position);

    // Changes from both gateways, interleaved without waiting for each other.
    bo.send({ request: 'setName', name: 'Bo' });
    owner.send({ command: 'setTopic', roomId, topic: 'Search' });
    ava.send({ request: 'estimate', roomId, value: '3' });
    bo.send({ command: 'submitEstimate', roomId, estimate: { value: '5', comment: 'tests' } });
    cy.send({ request: 'estimate', roomId, value: '?' });
    owner.send({ request: 'estimate', roomId, value: '5' });
    // Every hidden estimate is in before the reveal (the gateways are separate processes: a
    // member's estimate may otherwise arrive after the owner's reveal).
    const estimated = (member: PokerClient): boolean =>
      owner.all(from[0]).some(named('estimateUpdated', (e) => e.userId === member.userId));
    await owner.socket.waitUntil(() => everyone.every(estimated), 5_000, 'every estimate');
    owner.send({ request: 'reveal', roomId });
    await owner.until(named('roomRevealed'));
    cy.send({ request: 'estimate', roomId, value: '8' });
    await owner.until(named('estimateUpdated', (e) => e.userId === cy.userId));
    owner.send({ request: 'kick', roomId, userId: cy.userId });
    owner.send({ request: 'transferOwnership', roomId, userId: bo.userId });
    await owner.until(named('roomUpdated', (e) => (e.room as { ownerId: string }).ownerId === bo.userId));
    bo.send({ request: 'clear', roomId });
    bo.send({ command: 'setTopic', roomId, topic: 'done' });

    const done = named('roomUpdated', (e) => (e.room as { topic: string }).topic === 'done');
    for (const client of [owner, ava, bo]) await client.until(done);
    // Each member also gets the value of their own hidden estimate, right after its public `{}`.
    const streamOf = (client: PokerClient, start: number | undefined): PokerEventFrame[] => {
      const all = client.all(start);
      const hiddenOwn = named('estimateUpdated', (e) => e.userId === client.userId && JSON.stringify(e.estimate) === '{}');
      const echoes = all.filter(
        (e, i) => i > 0 && hiddenOwn(all[i - 1]!) && named('estimateUpdated', (x) => x.userId === client.userId)(e),
      );
      expect(echoes.length).toBeGreaterThan(0);
      expect(echoes.every((e) => typeof (e.estimate as { value?: unknown }).value === 'string')).toBe(true);
      return all.filter((e) => !echoes.includes(e));
    };
    const streams = [owner, ava, bo].map((client, i) => {
      const stream = streamOf(client, from[i]);
      return stream.slice(0, stream.findIndex(done) + 1);
    });
    // 1 name, 2 topics, 5 estimates, reveal (roomUpdated, roomRevealed), kick, transfer, clear (roomCleared, roomUpdated).
    expect(streams[0]).toHaveLength(14);
    expect(streams[1]).toEqual(streams[0]);
    expect(streams[2]).toEqual(streams[0]);
    // The kicked member saw the same events up to and including its kick, then nothing more.
    const cyStream = streamOf(cy, from[3]);
    const kicked = cyStream.findIndex(named('userLeft', (e) => e.reason === 'kicked'));
    expect(kicked).toBeGreaterThan(0);
    expect(cyStream).toEqual(streams[0]!.slice(0, kicked + 1));
    for (const client of everyone) client.close();
  });

  it('loses no estimate when many sockets on two gateways estimate at once', async () => {
    const users = 40;
    const rounds = 5;
    const owner = await PokerClient.connect(gateways[0], 'c-owner');
    const roomId = await createPokerRoom(owner, 'c-room');
    const clients = await Promise.all(Array.from({ length: users }, (_, i) => PokerClient.connect(gateways[i % 2]!, `c-user-${i}`)));
    // Everyone joins at once too: every join must land.
    for (const client of clients) client.send({ request: 'joinRoom', roomId });
    await Promise.all(clients.map((client) => client.snapshot()));

    const deck = ['0', '1', '2', '3', '5', '8', '13', '21'];
    const last = new Map<string, string>();
    for (let r = 0; r < rounds; r += 1) {
      clients.forEach((client, i) => {
        const value = deck[(i + r * 3) % deck.length]!;
        client.send({ command: 'submitEstimate', roomId, estimate: { value, comment: `round ${r}` } });
        last.set(client.userId, value);
      });
    }
    // Each user's requests run in order on their socket, so the estimate that counts is the last sent.
    // Each hidden estimate comes back to its owner with its value (SPEC §6): count those.
    const ownEstimates = (client: PokerClient): number =>
      client
        .all()
        .filter(
          named(
            'estimateUpdated',
            (e) => e.userId === client.userId && typeof (e.estimate as { value?: unknown } | null)?.value === 'string',
          ),
        ).length;
    await Promise.all(clients.map((client) => client.socket.waitUntil(() => ownEstimates(client) >= rounds, 10_000)));
    owner.send({ request: 'reveal', roomId });
    const revealed = await owner.until(named('roomRevealed'), 10_000);
    const estimates = revealed.estimates as Record<string, { value: string; comment: string }>;
    expect(Object.keys(estimates)).toHaveLength(users);
    for (const [userId, value] of last) expect(estimates[userId]).toEqual({ value, comment: `round ${rounds - 1}` });
    expect((revealed.stats as { count: number }).count).toBe(users);
    for (const client of [owner, ...clients]) client.close();
  });
});
