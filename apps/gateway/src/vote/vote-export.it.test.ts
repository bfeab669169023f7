import { keys } from '@banterbox/store';
import {
  ADMIN_KEY,
  TestRedis,
  eventually,
  joinRoom,
  startGatewayProcess,
  startTickerApp,
  token,
  waitForPoint,
  type GatewayProcess,
  type RunningApp,
} from '@banterbox/testkit';
import type { Marker, TallyPoint } from '@banterbox/protocol';

/**
 * `GET /api/rooms/<room>/series` (SPEC §8) on a gateway process, env only: who may read it, the
 * points as Redis stored them (JSON and CSV), the since/until window, and a long series streamed.
 */
describe('the series export of a vote room (gateway and ticker processes)', () => {
  let redis: TestRedis;
  let ticker: RunningApp;
  let gateway: GatewayProcess;
  const HISTORY_LIMIT = 30_000;

  beforeAll(async () => {
    redis = await TestRedis.start();
    ticker = await startTickerApp(redis, { HISTORY_LIMIT: String(HISTORY_LIMIT) });
    gateway = await startGatewayProcess(redis, { HISTORY_LIMIT: String(HISTORY_LIMIT) });
  });
  afterAll(async () => {
    await gateway.proc.kill();
    await ticker.stop();
    await redis.stop();
  });

  const series = (room: string, query: string, authorization?: string): Promise<Response> =>
    fetch(`${gateway.http}/api/rooms/${room}/series${query}`, authorization ? { headers: { authorization } } : {});

  async function stored(room: string): Promise<string[]> {
    const client = redis.client();
    try {
      return await client.lrange(keys.voteRoom(room).history, 0, -1);
    } finally {
      client.disconnect();
    }
  }

  const addMarker = async (room: string, label: string): Promise<Marker> => {
    const response = await fetch(`${gateway.http}/api/rooms/${room}/markers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ label }),
    });
    expect(response.status).toBe(201);
    return (await response.json()) as Marker;
  };

  it('gives a room token or the admin key the stored points and markers, oldest first, as JSON and as CSV, within since and until', async () => {
    const socket = await joinRoom(gateway, 'exporter', 'export-room');
    socket.send({ vote: { value: 'yes' } });
    await waitForPoint(socket, (p) => p.votes.yes === 1);
    const first = await addMarker('export-room', 'first');
    await eventually(async () => ((await stored('export-room')).length >= 8 ? true : undefined), 10_000);
    const quoted = await addMarker('export-room', 'He said "no", twice');
    const after = (await stored('export-room')).length;
    await eventually(async () => ((await stored('export-room')).length >= after + 2 ? true : undefined), 10_000);
    expect(quoted).toEqual({ ts: expect.any(Number), label: 'He said "no", twice', auto: false });
    socket.close();

    const json = await series('export-room', '', `Bearer ${await token('exporter', 'export-room')}`);
    expect(json.status).toBe(200);
    expect(json.headers.get('content-type')).toBe('application/json');
    const body = (await json.json()) as { room: string; options: string[]; anchor: number; points: TallyPoint[]; markers: Marker[] };
    // The round's anchor: the room was created (on the first join) before its first point.
    expect(body.anchor).toBeGreaterThan(0);
    expect(body.anchor).toBeLessThanOrEqual(body.points[0]!.ts);
    expect(body.markers).toEqual([first, quoted]);
    const now = (await stored('export-room')).map((p) => JSON.parse(p) as TallyPoint);
    expect(body.room).toBe('export-room');
    expect(body.options).toEqual(['yes', 'no']);
    // What Redis held when it was read: a prefix of what it holds now.
    expect(body.points.length).toBeGreaterThanOrEqual(8);
    expect(body.points).toEqual(now.slice(0, body.points.length));

    const [from, to] = [body.points[2]!.ts, body.points[5]!.ts];
    const window = (await (
      await series('export-room', `?since=${from}&until=${new Date(to).toISOString()}`, `Bearer ${ADMIN_KEY}`)
    ).json()) as {
      points: TallyPoint[];
      markers: Marker[];
    };
    expect(window.points).toEqual(body.points.slice(2, 6));
    expect(window.markers).toEqual([first, quoted].filter((m) => m.ts >= from && m.ts <= to));

    const csv = await series('export-room', `?format=csv&until=${to}`, `Bearer ${ADMIN_KEY}`);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const rows = (await csv.text()).trimEnd().split('\n');
    expect(rows[0]).toBe('ts,time,yes,no,connected,markers');
    const row = (p: TallyPoint, labels: string): string =>
      `${p.ts},${new Date(p.ts).toISOString()},${p.votes.yes},${p.votes.no},${p.connected},${labels}`;
    const firstAt = body.points.find((p) => p.ts >= first.ts);
    expect(rows.slice(1)).toEqual(body.points.slice(0, 6).map((p) => row(p, p === firstAt ? 'first' : '')));
    // A marker's label goes on the first point at or after it, quoted as CSV quotes.
    const whole = (await (await series('export-room', '?format=csv', `Bearer ${ADMIN_KEY}`)).text()).trimEnd().split('\n');
    const at = body.points.find((p) => p.ts >= quoted.ts)!;
    expect(whole).toContain(row(at, '"He said ""no"", twice"'));
    // One after the last point (here the window ends at it) gets a row of its own, counts empty.
    const upTo = (await (await series('export-room', `?format=csv&until=${quoted.ts}`, `Bearer ${ADMIN_KEY}`)).text())
      .trimEnd()
      .split('\n');
    const trailing = `${quoted.ts},${new Date(quoted.ts).toISOString()},,,,"He said ""no"", twice"`;
    expect(upTo[upTo.length - 1]).toBe(at.ts === quoted.ts ? row(at, '"He said ""no"", twice"') : trailing);
  });

  it('refuses without credentials (401), with a token for another room (403), for no such room (404) and bad queries (400)', async () => {
    expect((await series('export-room', '')).status).toBe(401);
    expect((await series('export-room', '', 'Bearer not-a-token')).status).toBe(401);
    expect((await series('export-room', '', `Bearer ${await token('exporter', 'another-room')}`)).status).toBe(403);
    expect((await series('no-such-room', '', `Bearer ${ADMIN_KEY}`)).status).toBe(404);
    expect((await series('export-room', '?format=xml', `Bearer ${ADMIN_KEY}`)).status).toBe(400);
    expect((await series('export-room', '?since=yesterday', `Bearer ${ADMIN_KEY}`)).status).toBe(400);
  });

  it('streams a long series whole: 25,000 points in pieces, as stored', async () => {
    const socket = await joinRoom(gateway, 'long', 'export-long');
    socket.close();
    const client = redis.client();
    const start = 1_700_000_000_000;
    const points = Array.from({ length: 25_000 }, (_, i) =>
      JSON.stringify({ ts: start + i * 1000, votes: { yes: i % 7, no: i % 5 }, connected: i % 11 }),
    );
    // Older than anything the ticker stores, so they come first; the live ticks follow them.
    await client.lpush(keys.voteRoom('export-long').history, ...[...points].reverse());
    client.disconnect();
    const response = await series('export-long', `?until=${start + 24_999 * 1000}`, `Bearer ${ADMIN_KEY}`);
    const text = await response.text();
    expect(text.length).toBeGreaterThan(1_000_000);
    const body = JSON.parse(text) as { points: TallyPoint[] };
    expect(body.points.map((p) => JSON.stringify(p))).toEqual(points);
  });
});
