import { setTimeout as sleep } from 'node:timers/promises';
import { createHmac } from 'node:crypto';
import { signToken } from '@banterbox/auth';
import { dataFrame, decodeVoteServerFrame } from '@banterbox/protocol';
import { connectRedis, keys } from '@banterbox/store';
import {
  ADMIN_KEY,
  isData,
  joinRoom,
  SECRET,
  startGatewayApp,
  startTickerApp,
  TestSocket,
  token,
  waitForPoint,
  topologies,
  type DataFrame,
} from '@banterbox/testkit';
import type { LocalTopology, RunningApp } from '@banterbox/testkit';

const HISTORY_LIMIT = 5;
const env = { HISTORY_LIMIT: String(HISTORY_LIMIT) };

interface ErrorFrame {
  error: { code: string; message: string };
}
const isError = (code: string) => (frame: unknown) => (frame as ErrorFrame).error?.code === code;

/** SPEC §5 end to end: the gateway and ticker as processes (`node apps/<app>/dist/main.js`, env only), clients over real sockets. */
describe.each(topologies())('/api/vote_ws/ protocol on %s', (_topology, startRedis) => {
  let redis: LocalTopology;
  let gateway: RunningApp;
  let ticker: RunningApp;
  let url: string;
  let room = 0;
  const newRoom = (): string => `room-${++room}`;

  beforeAll(async () => {
    redis = await startRedis();
    gateway = await startGatewayApp(redis, env);
    ticker = await startTickerApp(redis, env);
    url = `ws://127.0.0.1:${gateway.port}/api/vote_ws/`;
  });
  afterAll(async () => {
    await gateway.stop();
    await ticker.stop();
    await redis.stop();
  });

  async function expectUnauthorized(auth: Record<string, unknown>): Promise<void> {
    const socket = await TestSocket.open(url);
    socket.send({ auth });
    await socket.waitFor(isError('unauthorized'));
    expect((await socket.waitForClose()).code).toBe(4001);
  }

  describe('auth', () => {
    it('accepts a valid token and answers with the (empty) history of a new yes/no room', async () => {
      const id = newRoom();
      const socket = await TestSocket.open(url);
      socket.send({ auth: { user_id: 'alice', token: await token('alice', id), room: id } });
      expect(await socket.waitFor(isData)).toEqual({ data: [] });
      const point = await waitForPoint(socket, () => true);
      expect(Object.keys(point.data[0]!.votes)).toEqual(['yes', 'no']);
      socket.close();
    });

    it('takes the user from the token when user_id is left out, and accepts a * room token', async () => {
      const id = newRoom();
      const socket = await TestSocket.open(url);
      socket.send({ auth: { token: await token('bob', '*'), room: id } });
      await socket.waitFor(isData);
      socket.send({ vote: { value: 'no' } });
      await waitForPoint(socket, (p) => p.votes.no === 1);
      socket.close();
    });

    it('rejects a bad signature', async () => {
      const id = newRoom();
      const forged = await signToken({ sub: 'eve', room: id, exp: Date.now() / 1000 + 60 }, 'another-secret-entirely');
      await expectUnauthorized({ user_id: 'eve', token: forged, room: id });
    });

    it('rejects an expired token', async () => {
      const id = newRoom();
      const expired = await signToken({ sub: 'eve', room: id, exp: Math.floor(Date.now() / 1000) - 60 }, SECRET);
      await expectUnauthorized({ user_id: 'eve', token: expired, room: id });
    });

    it('rejects a token for another room', async () => {
      await expectUnauthorized({ user_id: 'eve', token: await token('eve', 'other-room'), room: newRoom() });
    });

    it('rejects a user_id that is not the token subject', async () => {
      const id = newRoom();
      await expectUnauthorized({ user_id: 'mallory', token: await token('eve', id), room: id });
    });

    it('rejects alg none', async () => {
      const id = newRoom();
      const enc = (v: object): string => Buffer.from(JSON.stringify(v)).toString('base64url');
      const none = `${enc({ alg: 'none', typ: 'JWT' })}.${enc({ sub: 'eve', room: id, exp: Date.now() / 1000 + 60, aud: 'banterbox' })}.`;
      await expectUnauthorized({ user_id: 'eve', token: none, room: id });
      const hs512 = `${enc({ alg: 'HS512' })}.${enc({ sub: 'eve', room: id, exp: Date.now() / 1000 + 60, aud: 'banterbox' })}`;
      const signed = `${hs512}.${createHmac('sha512', SECRET).update(hs512).digest('base64url')}`;
      await expectUnauthorized({ user_id: 'eve', token: signed, room: id });
    });

    it('refuses a missing or empty token with 4001 (unauthorized), not 4008 after the auth timeout', async () => {
      await expectUnauthorized({ token: '', room: newRoom() });
      await expectUnauthorized({ room: newRoom() });
    });

    it('closes a socket that does not authenticate within 5 s with 4008', async () => {
      const socket = await TestSocket.open(url);
      const closed = await socket.waitForClose(8_000);
      expect(closed.code).toBe(4008);
    });
  });

  describe('history', () => {
    it('sends at most HISTORY_LIMIT points, oldest first, and only those after `since`', async () => {
      const id = newRoom();
      const watcher = await joinRoom(gateway, 'watcher', id);
      await waitForPoint(watcher, () => true);
      const seen = watcher.frames.length;
      await watcher.waitFor(() => watcher.frames.filter(isData).length >= HISTORY_LIMIT + 4, 5_000, seen);

      const late = await joinRoom(gateway, 'late', id);
      const history = (late.frames.find(isData) as DataFrame).data;
      expect(history).toHaveLength(HISTORY_LIMIT);
      const stamps = history.map((p) => p.ts);
      expect([...stamps].sort((a, b) => a - b)).toEqual(stamps);
      expect(new Set(stamps).size).toBe(stamps.length);

      const since = stamps[2]!;
      const partial = await joinRoom(gateway, 'partial', id, { since });
      const after = (partial.frames.find(isData) as DataFrame).data;
      expect(after.length).toBeGreaterThanOrEqual(2);
      expect(after.every((p) => p.ts > since)).toBe(true);
      expect(after[0]!.ts).toBe(stamps[3]);

      // The same history as a compact frame: the same points, decoded by the client codec.
      const compact = await TestSocket.open(url);
      compact.send({ auth: { token: await token('compact', id), room: id, compact: true } });
      const frame = await compact.waitFor((f) => typeof f === 'object' && f !== null && 'history' in f);
      const decoded = decodeVoteServerFrame(JSON.stringify(frame));
      expect(decoded.kind).toBe('data');
      const points = decoded.kind === 'data' ? decoded.points : [];
      expect(points).toHaveLength(HISTORY_LIMIT);
      const full = new Map(history.map((p) => [p.ts, p]));
      const shared = points.filter((p) => full.has(p.ts));
      expect(shared.length).toBeGreaterThan(HISTORY_LIMIT / 2);
      for (const p of shared) expect(p).toEqual(full.get(p.ts));
      for (const s of [watcher, late, partial, compact]) s.close();
    });
  });

  describe('votes', () => {
    it('counts a vote on the next tick, changes it, and withdraws it with cancel', async () => {
      const id = newRoom();
      const socket = await joinRoom(gateway, 'v1', id);
      socket.send({ vote: { value: 'yes', ts: Date.now() } });
      await waitForPoint(socket, (p) => p.votes.yes === 1 && p.votes.no === 0 && p.connected === 1);
      socket.send({ vote: { value: 'no', ts: Date.now() + 1 } });
      await waitForPoint(socket, (p) => p.votes.yes === 0 && p.votes.no === 1);
      socket.send({ vote: { value: 'cancel', ts: Date.now() + 2 } });
      await waitForPoint(socket, (p) => p.votes.yes === 0 && p.votes.no === 0 && p.connected === 1);
      socket.close();
    });

    it('ignores a vote older than the standing one, and reads a ts in seconds as seconds', async () => {
      const id = newRoom();
      const socket = await joinRoom(gateway, 'v2', id);
      const now = Date.now();
      socket.send({ vote: { value: 'yes', ts: now } });
      socket.send({ vote: { value: 'no', ts: now - 10_000 } });
      const first = await waitForPoint(socket, (p) => p.votes.yes === 1);
      const from = socket.frames.indexOf(first) + 1;
      await waitForPoint(socket, () => true, 5_000, from);
      await waitForPoint(socket, () => true, 5_000, socket.frames.length);
      expect(
        socket.frames
          .slice(from)
          .filter(isData)
          .every((f) => f.data[0]!.votes.yes === 1),
      ).toBe(true);

      // 2 s later, written in seconds: newer than the ms vote, so it wins
      socket.send({ vote: { value: 'no', ts: Math.floor(now / 1000) + 2 } });
      await waitForPoint(socket, (p) => p.votes.no === 1 && p.votes.yes === 0);
      socket.close();
    });

    it('gives one user with two connections one vote, kept until the last connection closes', async () => {
      const id = newRoom();
      const watcher = await joinRoom(gateway, 'watch', id);
      const tabA = await joinRoom(gateway, 'multi', id);
      const tabB = await joinRoom(gateway, 'multi', id);
      tabA.send({ vote: { value: 'yes', ts: Date.now() } });
      tabB.send({ vote: { value: 'yes', ts: Date.now() + 1 } });
      await waitForPoint(watcher, (p) => p.votes.yes === 1 && p.connected === 2);
      tabA.close();
      await tabA.waitForClose();
      const mark = watcher.frames.length;
      await waitForPoint(watcher, () => true, 5_000, mark);
      await waitForPoint(watcher, (p) => p.votes.yes === 1 && p.connected === 2, 5_000, watcher.frames.length);
      tabB.close();
      await waitForPoint(watcher, (p) => p.votes.yes === 0 && p.connected === 1);
      watcher.close();
    });

    it('gives a watch-only connection (observe, the overlay) every snapshot without counting it or letting it vote', async () => {
      const id = newRoom();
      const viewer = await joinRoom(gateway, 'viewer', id);
      viewer.send({ vote: { value: 'yes' } });
      await waitForPoint(viewer, (p) => p.votes.yes === 1 && p.connected === 1);
      const overlay = await joinRoom(gateway, 'streamer', id, { observe: true });
      const mark = overlay.frames.length;
      // A few ticks later the overlay has its snapshots, and nobody new is counted.
      await waitForPoint(overlay, () => true, 5_000, mark);
      await waitForPoint(overlay, (p) => p.votes.yes === 1 && p.connected === 1, 5_000, overlay.frames.length);
      overlay.send({ vote: { value: 'no' } });
      expect((await overlay.waitFor(isError('bad_request'))) as { error: { message: string } }).toMatchObject({
        error: { message: expect.stringContaining('watch-only') },
      });
      overlay.close();
      await overlay.waitForClose();
      await waitForPoint(viewer, (p) => p.votes.yes === 1 && p.connected === 1, 5_000, viewer.frames.length);
      viewer.close();
    });

    it('sends viewers a tick published as a bare point, and one an older ticker published as a one-point frame', async () => {
      const id = newRoom();
      const viewer = await joinRoom(gateway, 'viewer', id);
      await waitForPoint(viewer, () => true);
      // An hour ahead, so the real ticker's points in the meantime are older and dropped.
      const ts = Date.now() + 3_600_000;
      const point = (at: number): string => JSON.stringify({ ts: at, votes: { yes: 7, no: 0 }, connected: 1 });
      const older = connectRedis(redis.topology, { name: 'older-ticker', queueWhileDisconnected: true });
      await older.spublish(keys.voteRoom(id).channel, dataFrame([point(ts)]));
      await waitForPoint(viewer, (p) => p.ts === ts && p.votes.yes === 7);
      await older.spublish(keys.voteRoom(id).channel, point(ts + 1000));
      await waitForPoint(viewer, (p) => p.ts === ts + 1000 && p.votes.yes === 7);
      older.disconnect();
      viewer.close();
    });

    it('answers malformed messages with bad_request and keeps the socket open', async () => {
      const id = newRoom();
      const socket = await TestSocket.open(url);
      socket.send({ vote: { value: 'yes' } });
      await socket.waitFor(isError('bad_request'));
      socket.send({ auth: { user_id: 'm1', token: await token('m1', id), room: id } });
      await socket.waitFor(isData);
      const bad = [
        '{not json',
        '[]',
        '{"vote": {"value": 3}}',
        '{"vote": {"value": "maybe"}}',
        '{"vote": {"value": "yes", "ts": "soon"}}',
        '{"hello": 1}',
      ];
      for (const message of bad) {
        const from = socket.frames.length;
        socket.send(message);
        await socket.waitFor(isError('bad_request'), 5_000, from);
      }
      expect(socket.closed).toBeUndefined();
      socket.send({ vote: { value: 'no' } });
      await waitForPoint(socket, (p) => p.votes.no === 1);
      socket.close();
    });

    it.each([2000, 16 * 1024 + 1, 256 * 1024, 1024 * 1024])(
      'closes a socket that sends a %i-byte frame (over 1 KiB) with 1009',
      async (bytes) => {
        const socket = await joinRoom(gateway, 'big', newRoom());
        const empty = JSON.stringify({ vote: { value: 'yes', pad: '' } });
        socket.send(JSON.stringify({ vote: { value: 'yes', pad: 'x'.repeat(bytes - empty.length) } }));
        expect((await socket.waitForClose()).code).toBe(1009);
      },
    );

    it('fails a connection that sends invalid UTF-8 in a text frame without handling the frame', async () => {
      // uWS (v20.30) drops the connection without a close frame (RFC 6455 §8.1 "fail the connection";
      // a 1007 close frame would be the SHOULD of §7.1.7): the client sees 1006.
      const id = newRoom();
      const socket = await joinRoom(gateway, 'utf8', id);
      socket.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
      expect((await socket.waitForClose()).code).toBe(1006);
      const other = await joinRoom(gateway, 'utf8-next', id);
      other.send({ vote: { value: 'yes' } });
      await waitForPoint(other, (p) => p.votes.yes === 1);
      other.close();
    });

    it('drops messages over 20 a second with rate_limited, and closes a socket that keeps it up with 1008', async () => {
      const socket = await joinRoom(gateway, 'flood', newRoom());
      for (let i = 0; i < 30; i += 1) socket.send({ vote: { value: 'yes', ts: Date.now() + i } });
      await socket.waitFor(isError('rate_limited'));
      expect(socket.frames.filter(isError('rate_limited'))).toHaveLength(1);
      const deadline = Date.now() + 6_000;
      while (!socket.closed && Date.now() < deadline) {
        for (let i = 0; i < 30 && !socket.closed; i += 1) socket.send({ vote: { value: 'no' } });
        await sleep(100);
      }
      expect((await socket.waitForClose()).code).toBe(1008);
    });
  });

  describe('across two gateways (one user, one vote)', () => {
    let second: RunningApp;
    beforeAll(async () => {
      second = await startGatewayApp(redis, env);
    });
    afterAll(async () => {
      await second.stop();
    });

    it('counts a user with a tab on each gateway once, newest vote wins, until the last tab on either closes', async () => {
      const id = newRoom();
      const watcher = await joinRoom(second, 'watcher', id);
      const onA = await joinRoom(gateway, 'two-gw', id);
      const onB = await joinRoom(second, 'two-gw', id);
      const now = Date.now();
      onA.send({ vote: { value: 'yes', ts: now } });
      onB.send({ vote: { value: 'no', ts: now + 1 } });
      // Older, through the other gateway, after the newer: ignored.
      onA.send({ vote: { value: 'yes', ts: now - 1 } });
      await waitForPoint(watcher, (p) => p.votes.yes === 0 && p.votes.no === 1 && p.connected === 2);
      // The tab on gateway B closes: the vote stays, held by the tab on gateway A.
      onB.close();
      await onB.waitForClose();
      const mark = watcher.frames.length;
      await waitForPoint(watcher, () => true, 5_000, mark);
      await waitForPoint(watcher, (p) => p.votes.no === 1 && p.connected === 2, 5_000, watcher.frames.length);
      // The last tab closes (on the other gateway than the vote came through): gone from the next tick.
      onA.close();
      await waitForPoint(watcher, (p) => p.votes.no === 0 && p.votes.yes === 0 && p.connected === 1);
      watcher.close();
    });

    it('closes voting (votes refused, the series stopped, everyone told on both gateways) and opens it again where it stopped', async () => {
      const id = newRoom();
      const http = (port: number, path: string, authorization?: string): Promise<Response> =>
        fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers: authorization ? { authorization } : {} });
      const mint = async (role: string, room = id): Promise<string> => {
        const res = await http(gateway.port, '/api/tokens', `Bearer ${ADMIN_KEY}`);
        expect(res.status).toBe(400); // no body: user_id missing
        const minted = await fetch(`http://127.0.0.1:${gateway.port}/api/tokens`, {
          method: 'POST',
          headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify({ user_id: 'streamer', room, role }),
        });
        return `Bearer ${((await minted.json()) as { token: string }).token}`;
      };
      const isState = (closed: boolean) => (frame: unknown) => (frame as { state?: { closed: boolean } }).state?.closed === closed;
      const watcher = await joinRoom(gateway, 'watcher', id);
      const voter = await joinRoom(second, 'voter', id);
      voter.send({ vote: { value: 'yes' } });
      await waitForPoint(watcher, (p) => p.votes.yes === 1 && p.connected === 2);

      // Only the admin or a moderator token for this room may close it.
      expect((await http(gateway.port, `/api/rooms/${id}/close`)).status).toBe(401);
      expect((await http(gateway.port, `/api/rooms/${id}/close`, await mint('viewer'))).status).toBe(403);
      expect((await http(gateway.port, `/api/rooms/${id}/close`, await mint('moderator', 'another-room'))).status).toBe(403);
      expect((await http(gateway.port, '/api/rooms/no-such-room/close', `Bearer ${ADMIN_KEY}`)).status).toBe(404);
      const moderator = await mint('moderator');
      const closed = await http(second.port, `/api/rooms/${id}/close`, moderator);
      expect(closed.status).toBe(200);
      expect(await closed.json()).toMatchObject({ room: id, closed: true, changed: true });
      expect(await (await http(gateway.port, `/api/rooms/${id}/close`, moderator)).json()).toMatchObject({ closed: true, changed: false });
      for (const socket of [watcher, voter]) await socket.waitFor(isState(true));
      const afterClose = watcher.frames.length;

      // A vote is refused and the socket stays; no point is stored or sent while closed.
      voter.send({ vote: { value: 'no' } });
      await voter.waitFor(isError('closed'));
      const late = await joinRoom(second, 'late', id);
      await late.waitFor(isState(true));
      expect(((await (await fetch(`http://127.0.0.1:${gateway.port}/api/rooms/${id}`)).json()) as { closed: boolean }).closed).toBe(true);
      await sleep(600); // six ticks
      expect(watcher.frames.slice(afterClose).filter(isData)).toEqual([]);

      // Opened again: the series goes on from the tally as it stood (the refused vote not in it).
      const opened = await http(gateway.port, `/api/rooms/${id}/open`, `Bearer ${ADMIN_KEY}`);
      expect(await opened.json()).toMatchObject({ room: id, closed: false, closed_at: null, changed: true });
      for (const socket of [watcher, voter, late]) await socket.waitFor(isState(false));
      const resumed = await waitForPoint(watcher, () => true, 5_000, afterClose);
      expect(resumed.data[0]).toMatchObject({ votes: { yes: 1, no: 0 }, connected: 3 });
      voter.send({ vote: { value: 'no' } });
      await waitForPoint(watcher, (p) => p.votes.yes === 0 && p.votes.no === 1);
      const ticks = watcher.frames.filter(isData).flatMap((frame) => (frame as DataFrame).data.map((p) => p.ts));
      expect(ticks).toEqual([...new Set(ticks)].sort((a, b) => a - b));
      for (const socket of [watcher, voter, late]) socket.close();
    });

    it('drops one automatic marker when the net value swings past the room threshold, though both gateways see it', async () => {
      const id = newRoom();
      const admin = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' };
      const create = (swing: unknown): Promise<Response> =>
        fetch(`http://127.0.0.1:${gateway.port}/api/rooms`, { method: 'POST', headers: admin, body: JSON.stringify({ room: id, swing }) });
      for (const bad of [{ threshold: 0, window_s: 5 }, { threshold: 3, window_s: 3601 }, { threshold: 3 }, 'big'])
        expect((await create(bad)).status).toBe(400);
      expect(await (await create({ threshold: 3, window_s: 5 })).json()).toMatchObject({ swing: { threshold: 3, window_s: 5 } });
      const watchers = [await joinRoom(gateway, 'swing-a', id), await joinRoom(second, 'swing-b', id)];
      const voters = await Promise.all([1, 2, 3].map((i) => joinRoom(second, `swinger-${i}`, id)));
      for (const voter of voters) voter.send({ vote: { value: 'yes' } });
      const isMarker = (frame: unknown): boolean => (frame as { marker?: unknown }).marker !== undefined;
      for (const watcher of watchers) {
        expect(await watcher.waitFor(isMarker)).toEqual({
          marker: { ts: expect.any(Number), label: 'Swing to yes: +3 in 5 s', auto: true },
        });
      }
      await waitForPoint(watchers[0]!, (p) => p.votes.yes === 3);
      await sleep(500);
      const series = (await (await fetch(`http://127.0.0.1:${gateway.port}/api/rooms/${id}/series`, { headers: admin })).json()) as {
        markers: unknown[];
      };
      expect(series.markers).toHaveLength(1);
      for (const socket of [...watchers, ...voters]) socket.close();
    });

    it('takes the drop to 0 of a new round for no swing', async () => {
      const id = newRoom();
      const admin = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' };
      const created = await fetch(`http://127.0.0.1:${gateway.port}/api/rooms`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({ room: id, swing: { threshold: 3, window_s: 1 } }),
      });
      expect(created.status).toBe(201);
      const watcher = await joinRoom(gateway, 'reset-watch', id);
      const voters = await Promise.all([1, 2, 3].map((i) => joinRoom(second, `reset-swinger-${i}`, id)));
      for (const voter of voters) voter.send({ vote: { value: 'yes' } });
      const isMarker = (frame: unknown): boolean => (frame as { marker?: unknown }).marker !== undefined;
      await watcher.waitFor(isMarker);
      // Past the swing's window (and its quiet time), a reset takes the net from +3 to 0 at once.
      await sleep(1_500);
      const from = watcher.frames.length;
      const reset = await fetch(`http://127.0.0.1:${gateway.port}/api/rooms/${id}/reset`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({ question: 'Again?' }),
      });
      expect(reset.status).toBe(200);
      await waitForPoint(watcher, (p) => p.votes.yes === 0, 5_000, from);
      await sleep(1_200);
      expect(watcher.frames.slice(from).filter(isMarker)).toEqual([]);
      for (const socket of [watcher, ...voters]) socket.close();
    });

    it('reads a ts more than 5 s in the future as now', async () => {
      const id = newRoom();
      const socket = await joinRoom(gateway, 'future', id);
      socket.send({ vote: { value: 'yes', ts: Date.now() + 3_600_000 } });
      await waitForPoint(socket, (p) => p.votes.yes === 1);
      // Had the future ts been kept, this vote (newer than now, older than an hour ahead) would be ignored.
      await sleep(20);
      socket.send({ vote: { value: 'no', ts: Date.now() + 1_000 } });
      await waitForPoint(socket, (p) => p.votes.no === 1 && p.votes.yes === 0);
      socket.close();
    });
  });

  describe('HTTP API', () => {
    const http = (path: string, init: RequestInit = {}): Promise<Response> => fetch(`http://127.0.0.1:${gateway.port}${path}`, init);
    const admin = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' };

    it('mints tokens for the admin only, and they open sockets', async () => {
      const id = newRoom();
      expect((await http('/api/tokens', { method: 'POST', body: '{}' })).status).toBe(401);
      const res = await http('/api/tokens', {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({ user_id: 'minted', room: id, ttl_s: 60 }),
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { token: string; expires_at: number };
      expect(body.expires_at).toBeGreaterThan(Date.now());
      const socket = await TestSocket.open(url);
      socket.send({ auth: { user_id: 'minted', token: body.token, room: id } });
      await socket.waitFor(isData);
      socket.close();
      const bad = await http('/api/tokens', { method: 'POST', headers: admin, body: JSON.stringify({ user_id: 'a b', room: id }) });
      expect(bad.status).toBe(400);
    });

    it('creates rooms with their own options and reports the live tally', async () => {
      const id = newRoom();
      const body = JSON.stringify({ room: id, options: ['left', 'right', 'up'], open: true });
      const created = await http('/api/rooms', { method: 'POST', headers: admin, body });
      expect(created.status).toBe(201);
      expect(await created.json()).toEqual({
        room: id,
        options: ['left', 'right', 'up'],
        open: true,
        tick_ms: 0,
        voter_shards: 1,
        history_limit: HISTORY_LIMIT,
        swing: null,
        closed: false,
        segments: null,
        segment_question: null,
        question: null,
        round: 0,
        vote_ttl_s: null,
      });
      expect((await http('/api/rooms', { method: 'POST', headers: admin, body })).status).toBe(409);
      const invalid = await http('/api/rooms', { method: 'POST', headers: admin, body: JSON.stringify({ options: ['only'] }) });
      expect(invalid.status).toBe(400);

      const socket = await joinRoom(gateway, 'pilot', id);
      socket.send({ vote: { value: 'yes' } });
      await socket.waitFor(isError('bad_request'));
      socket.send({ vote: { value: 'up' } });
      await waitForPoint(socket, (p) => p.votes.up === 1 && p.votes.left === 0 && p.votes.right === 0);
      const state = (await (await http(`/api/rooms/${id}`)).json()) as { votes: Record<string, number>; connected: number };
      expect(state.votes).toEqual({ left: 0, right: 0, up: 1 });
      expect(state.connected).toBe(1);
      expect((await http('/api/rooms/no-such-room')).status).toBe(404);
      socket.close();
    });

    it('keeps the series of a room created with its own history_limit, for the export; a join still gets HISTORY_LIMIT', async () => {
      const id = newRoom();
      const create = (kept: unknown): Promise<Response> =>
        http('/api/rooms', { method: 'POST', headers: admin, body: JSON.stringify({ room: id, history_limit: kept }) });
      for (const bad of [0, 604_801, 2.5, '12']) expect((await create(bad)).status).toBe(400);
      const created = await create(12);
      expect(await created.json()).toMatchObject({ room: id, history_limit: 12 });
      const watcher = await joinRoom(gateway, 'keeper', id);
      // Twenty ticks: the room keeps its twelve newest, more than the service's five.
      const seen = await watcher.waitFor<DataFrame>(() => watcher.frames.filter(isData).length > 20, 10_000);
      expect(seen).toBeDefined();
      const series = (await (await http(`/api/rooms/${id}/series`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).json()) as {
        points: { ts: number }[];
      };
      expect(series.points).toHaveLength(12);
      const late = await joinRoom(gateway, 'late-keeper', id);
      expect((late.frames.find(isData) as DataFrame).data).toHaveLength(HISTORY_LIMIT);
      for (const socket of [watcher, late]) socket.close();
    });

    it('spreads a room created with voter_shards over parts and still ticks one tally', async () => {
      const id = newRoom();
      const body = (shards: unknown): string => JSON.stringify({ room: id, voter_shards: shards });
      for (const bad of [0, 65, 2.5, '4'])
        expect((await http('/api/rooms', { method: 'POST', headers: admin, body: body(bad) })).status).toBe(400);
      const created = await http('/api/rooms', { method: 'POST', headers: admin, body: body(4) });
      expect(await created.json()).toMatchObject({ room: id, voter_shards: 4 });

      const voters = await Promise.all(Array.from({ length: 12 }, (_, i) => joinRoom(gateway, `crowd-${i}`, id)));
      const secondTab = await joinRoom(gateway, 'crowd-0', id);
      voters.forEach((socket, i) => socket.send({ vote: { value: i < 8 ? 'yes' : 'no' } }));
      secondTab.send({ vote: { value: 'no', ts: Date.now() + 1000 } }); // the same user, a newer vote
      const frame = await waitForPoint(secondTab, (p) => p.votes.yes === 7 && p.votes.no === 5 && p.connected === 12, 10_000);
      expect(frame.data[0]).toMatchObject({ votes: { yes: 7, no: 5 }, connected: 12 });
      const state = (await (await http(`/api/rooms/${id}`)).json()) as {
        votes: Record<string, number>;
        connected: number;
        voter_shards: number;
      };
      expect(state).toMatchObject({ votes: { yes: 7, no: 5 }, connected: 12, voter_shards: 4 });
      for (const socket of [...voters, secondTab]) socket.close();
    });

    it('serves health and readiness', async () => {
      expect((await http('/healthz')).status).toBe(200);
      const ready = await http('/readyz');
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ ready: true, redis: 'ready', draining: false });
    });

    it('refuses a browser upgrade from a foreign origin with 403', async () => {
      await expect(TestSocket.open(url, { headers: { origin: 'https://evil.example' } })).rejects.toThrow('HTTP 403');
      const same = await TestSocket.open(url, { headers: { origin: `http://127.0.0.1:${gateway.port}` } });
      same.close();
    });
  });
});
