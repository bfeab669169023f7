import { createServer, type Server } from 'node:http';
import { verifyWebhook, newWebhookSecret } from '@banterbox/client/server';
import {
  ADMIN_KEY,
  PokerClient,
  TestRedis,
  createPokerRoom,
  eventually,
  freePort,
  joinPokerRoom,
  joinRoom,
  recordWireViolations,
  startGatewayProcess,
  startTickerProcess,
  wireCheck,
  type AppProcess,
  type GatewayProcess,
} from '@banterbox/testkit';

/**
 * Webhooks end to end (SPEC §8), with the apps as processes configured by env: a receiver on
 * loopback that checks every signature and refuses each event's first delivery on purpose, the
 * events of a vote room and a poker room held by two gateways, and the ticker that sends them killed with -9 while
 * retries are due. Every event arrives, under one id, with a valid signature.
 */
/** Everything a poker client was sent so far. */
const frames = (client: PokerClient): { event: string; estimate?: unknown }[] =>
  client.socket.frames as { event: string; estimate?: unknown }[];

describe('signed webhooks, delivered at least once across a ticker kill (processes)', () => {
  const secret = newWebhookSecret();
  let redis: TestRedis;
  let gateway: GatewayProcess;
  /** A second gateway holding the same rooms: it sees the same crossings and changes. */
  let second: GatewayProcess;
  const tickers: AppProcess[] = [];
  let receiver: Server;
  /** Every delivery the receiver answered 2xx: webhook id and event type. */
  const accepted: { id: string; type: string; data: Record<string, unknown> }[] = [];
  /** Ids whose first delivery was refused on purpose. */
  const refusedOnce = new Set<string>();
  let badSignatures = 0;

  beforeAll(async () => {
    const port = await freePort();
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        let verified: { id: string; event: unknown };
        try {
          verified = verifyWebhook(secret, req.headers, body);
        } catch {
          badSignatures += 1;
          res.writeHead(400).end();
          return;
        }
        recordWireViolations(wireCheck().webhook(body));
        if (!refusedOnce.has(verified.id)) {
          refusedOnce.add(verified.id);
          res.writeHead(503).end();
          return;
        }
        const event = verified.event as { type: string; data: Record<string, unknown> };
        accepted.push({ id: verified.id, type: event.type, data: event.data });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(port, '127.0.0.1', resolve));
    const env = {
      WEBHOOK_URLS: `http://127.0.0.1:${port}/hooks`,
      WEBHOOK_SECRET: secret,
      WEBHOOK_RETRY_MS: '1500,300,300,300,300',
      WEBHOOK_MILESTONES: '2',
      USER_TTL_S: '1',
    };
    redis = await TestRedis.start();
    tickers.push(await startTickerProcess(redis, env));
    gateway = await startGatewayProcess(redis, env);
    second = await startGatewayProcess(redis, env);
    (globalThis as { hookEnv?: Record<string, string> }).hookEnv = env;
  });
  afterAll(async () => {
    await gateway.proc.kill();
    await second.proc.kill();
    await Promise.all(tickers.map((t) => t.kill()));
    await redis.stop();
    await new Promise((resolve) => receiver.close(resolve));
  });

  it('sends room.created, room.milestone, room.closed, room.opened, room.round, poker.revealed and poker.room_closed, each once and signed, though the sender was killed', async () => {
    const env = (globalThis as { hookEnv?: Record<string, string> }).hookEnv!;
    // room.created by the API, then two viewers: the milestone of 2, read from points that list
    // segments after "connected" and an option called "connected" before it.
    const created = await fetch(`${gateway.http}/api/rooms`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ room: 'hooked', options: ['connected', 'right'], segments: ['red', 'blue'] }),
    });
    expect(created.status).toBe(201);
    const viewers = [await joinRoom(gateway, 'viewer-1', 'hooked'), await joinRoom(second, 'viewer-2', 'hooked')];

    // A poker round revealed, then the room closed by its owner's expiry.
    const owner = await PokerClient.connect(gateway, 'hook-owner');
    const member = await PokerClient.connect(second, 'hook-member');
    const pokerRoom = await createPokerRoom(owner, 'hook-poker');
    await joinPokerRoom(member, pokerRoom, [owner]);
    owner.send({ request: 'estimate', roomId: pokerRoom, value: '5' });
    member.send({ request: 'estimate', roomId: pokerRoom, value: '8' });
    await eventually(
      async () => frames(member).filter((e) => e.event === 'estimateUpdated' && e.estimate !== null).length >= 2 || undefined,
      5_000,
    );
    owner.send({ request: 'reveal', roomId: pokerRoom });
    await eventually(async () => frames(member).find((e) => e.event === 'roomRevealed'), 5_000);

    // Each event's first delivery is refused; its retry is due 1.5 s later. The sender dies now.
    await eventually(async () => (refusedOnce.size >= 3 ? true : undefined), 10_000);
    await tickers[0]!.kill();
    tickers.push(await startTickerProcess(redis, env));
    // Voting in the vote room closed and opened again, then a new round (by one gateway: one event each).
    for (const action of ['close', 'open', 'reset']) {
      const done = await fetch(`${second.http}/api/rooms/hooked/${action}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        body: action === 'reset' ? JSON.stringify({ question: 'Round two?' }) : '{}',
      });
      expect(done.status).toBe(200);
    }
    // A room nobody else is in: once its owner leaves, no gateway holds it, and the ticker that
    // expires the owner tells its close.
    const loner = await PokerClient.connect(gateway, 'hook-loner');
    const lonely = await createPokerRoom(loner, 'hook-lonely');
    loner.close();
    owner.close();
    await eventually(async () => frames(member).find((e) => e.event === 'roomClosed'), 15_000);

    const types = ['room.created', 'room.milestone', 'room.closed', 'room.opened', 'room.round', 'poker.revealed', 'poker.room_closed'];
    const closedRooms = (): unknown[] => accepted.filter((a) => a.type === 'poker.room_closed').map((a) => a.data.room);
    await eventually(
      async () =>
        types.every((t) => accepted.some((a) => a.type === t)) && closedRooms().includes(lonely) && closedRooms().includes(pokerRoom)
          ? true
          : undefined,
      30_000,
    );
    // Each event has one id (one event, though both gateways saw it; one sender), refused once, then accepted.
    for (const type of types) {
      for (const room of new Set(accepted.filter((a) => a.type === type).map((a) => a.data.room))) {
        const ids = new Set(accepted.filter((a) => a.type === type && a.data.room === room).map((a) => a.id));
        expect([type, room, ids.size]).toEqual([type, room, 1]);
        expect(refusedOnce.has([...ids][0]!)).toBe(true);
      }
    }
    expect(new Set(closedRooms())).toEqual(new Set([pokerRoom, lonely]));
    expect(badSignatures).toBe(0);
    expect(accepted.find((a) => a.type === 'room.created')!.data).toMatchObject({
      room: 'hooked',
      options: ['connected', 'right'],
      via: 'api',
    });
    expect(accepted.find((a) => a.type === 'room.milestone')!.data).toMatchObject({ room: 'hooked', viewers: 2 });
    const [closedAt, openedAt] = ['room.closed', 'room.opened'].map((type) => accepted.find((a) => a.type === type)!.data);
    expect(closedAt).toEqual({ room: 'hooked', ts: expect.any(Number) });
    expect(openedAt!.ts).toBeGreaterThanOrEqual(closedAt!.ts as number);
    expect(accepted.find((a) => a.type === 'room.round')!.data).toEqual({
      room: 'hooked',
      round: 1,
      question: 'Round two?',
      ts: expect.any(Number),
    });
    expect(accepted.find((a) => a.type === 'poker.revealed')!.data).toMatchObject({
      room: pokerRoom,
      estimates: { 'hook-owner': { value: '5', comment: '' }, 'hook-member': { value: '8', comment: '' } },
      stats: { count: 2, mean: 6.5 },
    });

    // The delivery log: poker.room_closed came after the kill, so the new sender made both its
    // attempts (a delivery refused just before the kill may have been sent again by the new
    // sender without its first attempt logged: the old one died before settling it).
    const log = (await (await fetch(`${gateway.http}/api/webhooks`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).json()) as {
      pending: number;
      deliveries: { event: string; type: string; result: string; status: number }[];
    };
    const closed = accepted.find((a) => a.type === 'poker.room_closed' && a.data.room === pokerRoom)!.id;
    expect(log.deliveries.filter((d) => d.event === closed).map((d) => [d.result, d.status])).toEqual([
      ['delivered', 204],
      ['retry', 503],
    ]);
    for (const { id } of accepted) expect(log.deliveries.some((d) => d.event === id && d.result === 'delivered')).toBe(true);
    const revealed = accepted.find((a) => a.type === 'poker.revealed')!.id;
    await eventually(async () => {
      const now = (await (await fetch(`${gateway.http}/api/webhooks`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).json()) as {
        pending: number;
      };
      return now.pending === 0 ? true : undefined;
    }, 10_000);

    // A replay delivers the event again, under its id.
    const replay = await fetch(`${gateway.http}/api/webhooks/${revealed}/replay`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    expect(replay.status).toBe(202);
    await eventually(async () => (accepted.filter((a) => a.id === revealed).length >= 2 ? true : undefined), 10_000);
    for (const socket of viewers) socket.close();
    member.close();
  });
});
