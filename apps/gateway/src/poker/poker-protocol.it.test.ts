import { setTimeout as sleep } from 'node:timers/promises';
import { signSession } from '@banterbox/auth';
import { DEFAULT_DECK, PokerLimits } from '@banterbox/protocol';
import {
  createPokerRoom,
  joinPokerRoom,
  named,
  PokerClient,
  sessionCookie,
  startGatewayApp,
  TestSocket,
  topologies,
  type PokerEventFrame,
} from '@banterbox/testkit';
import type { LocalTopology, RunningApp } from '@banterbox/testkit';

/** How long a member who leaves keeps their estimate (POKER_REJOIN_GRACE_S) in this suite. */
const GRACE_S = 2;

/** SPEC §6 end to end: the gateway as a process (`node apps/gateway/dist/main.js`, env only), clients over real sockets. */
describe.each(topologies())('/connect poker protocol on %s', (_topology, startRedis) => {
  let redis: LocalTopology;
  let gateway: RunningApp;
  let base: string;
  let n = 0;
  const uniq = (prefix: string): string => `${prefix}-${++n}`;
  const connect = (user: string): Promise<PokerClient> => PokerClient.connect(gateway, user);

  beforeAll(async () => {
    redis = await startRedis();
    gateway = await startGatewayApp(redis, { HEARTBEAT_MS: '300', POKER_REJOIN_GRACE_S: String(GRACE_S) });
    base = `127.0.0.1:${gateway.port}`;
  });
  afterAll(async () => {
    await gateway.stop();
    await redis.stop();
  });

  const createRoom = (owner: PokerClient, extra: Record<string, unknown> = {}): Promise<string> =>
    createPokerRoom(owner, uniq('room'), extra);
  const join = joinPokerRoom;

  describe('identity and upgrade', () => {
    it('refuses /connect without a session cookie, with a forged one, and from a foreign Origin', async () => {
      const url = `ws://${base}/connect`;
      await expect(TestSocket.open(url)).rejects.toThrow('HTTP 401');
      const forged = `bb_session=${signSession('mallory', 'some-other-secret-0123456789')}`;
      await expect(TestSocket.open(url, { headers: { cookie: forged } })).rejects.toThrow('HTTP 401');
      await expect(TestSocket.open(url, { headers: { cookie: 'bb_session=alice.bm90LWEtbWFj' } })).rejects.toThrow('HTTP 401');
      await expect(TestSocket.open(url, { headers: { cookie: sessionCookie('alice'), origin: 'https://evil.example' } })).rejects.toThrow(
        'HTTP 403',
      );
      const ok = await TestSocket.open(url, { headers: { cookie: sessionCookie('alice'), origin: `http://${base}` } });
      ok.close();
    });

    it('gives a browser a signed HttpOnly SameSite=Lax session cookie that /connect accepts', async () => {
      const response = await fetch(`http://${base}/api/session`);
      const setCookie = response.headers.get('set-cookie') ?? '';
      expect(setCookie).toMatch(/^bb_session=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax$/);
      const { user_id: userId } = (await response.json()) as { user_id: string };
      const cookie = setCookie.split(';')[0]!;
      // A request that has the cookie keeps its id and is not given a new one.
      const again = await fetch(`http://${base}/api/session`, { headers: { cookie } });
      expect(again.headers.get('set-cookie')).toBeNull();
      expect(await again.json()).toEqual({ user_id: userId });
      // Any page load sets it too, even a 404.
      expect((await fetch(`http://${base}/no-such-page`)).headers.get('set-cookie')).toMatch(/^bb_session=/);
      const socket = await TestSocket.open(`ws://${base}/connect`, { headers: { cookie } });
      expect(await socket.waitFor(() => true)).toEqual({ event: 'connectionInfo', userId });
      socket.close();
    });

    it('greets every connection with connectionInfo, then the user with their name', async () => {
      const ann = await connect(uniq('ann'));
      ann.send({ request: 'setName', name: '  Ann  ' });
      expect(await ann.next()).toEqual({ event: 'userUpdated', user: { id: ann.userId, name: 'Ann' } });
      const socket = await TestSocket.open(`ws://${base}/connect`, { headers: { cookie: sessionCookie(ann.userId) } });
      await socket.waitUntil(() => socket.frames.length >= 2);
      expect(socket.frames.slice(0, 2)).toEqual([
        { event: 'connectionInfo', userId: ann.userId },
        { event: 'userUpdated', user: { id: ann.userId, name: 'Ann' } },
      ]);
      socket.close();
      ann.close();
    });
  });

  describe('bad input', () => {
    it('answers malformed and unknown requests with "Invalid request" and keeps the socket open', async () => {
      const bob = await connect(uniq('bob'));
      for (const frame of [
        '{nope',
        '[]',
        '{"request":"dance"}',
        '{"command":"revealRoom"}',
        '{"request":"joinRoom","roomId":"no spaces"}',
        '{"roomId":"r"}',
      ]) {
        bob.send(frame);
        expect(await bob.next()).toMatchObject({ event: 'error', message: 'Invalid request', detail: expect.any(String) });
      }
      bob.send({ request: 'setName', name: 'Bob' });
      expect(await bob.next()).toMatchObject({ event: 'userUpdated' });
      expect(bob.socket.closed).toBeUndefined();
      bob.close();
    });

    it('refuses requests that break a limit with a detail, and closes on an oversized frame with 1009', async () => {
      const carl = await connect(uniq('carl'));
      carl.send({ request: 'setName', name: 'x'.repeat(PokerLimits.maxNameLength + 1) });
      expect(await carl.next()).toEqual({
        event: 'error',
        message: 'Invalid request',
        detail: `name must be at most ${PokerLimits.maxNameLength} characters`,
      });
      carl.send({ request: 'setName', name: 'y'.repeat(PokerLimits.maxFrameBytes) });
      expect((await carl.socket.waitForClose()).code).toBe(1009);
    });

    it.each([16 * 1024 + 1, 1024 * 1024])('closes on a %i-byte frame with 1009 too (far over the transport minimum)', async (bytes) => {
      const dora = await connect(uniq('dora'));
      const empty = JSON.stringify({ request: 'setName', name: '' });
      dora.send({ request: 'setName', name: 'z'.repeat(bytes - empty.length) });
      expect((await dora.socket.waitForClose()).code).toBe(1009);
    });

    it('rate limits a flood of requests with an error event', async () => {
      const dan = await connect(uniq('dan'));
      for (let i = 0; i < 25; i += 1) dan.send({ request: 'leaveRoom', roomId: 'nowhere' });
      await dan.until(named('error', (e) => e.message === 'Too many requests'));
      expect(dan.all().filter(named('error', (e) => e.message === 'Not in this room')).length).toBe(20);
      dan.close();
    });

    it('sends heartbeats', async () => {
      const eve = await connect(uniq('eve'));
      await eve.socket.waitFor((f) => (f as PokerEventFrame).event === 'heartbeat', 3_000);
      eve.close();
    });
  });

  describe('a round', () => {
    it('creates a room with the default deck and gives the creator the snapshot', async () => {
      const owner = await connect(uniq('owner'));
      const roomId = uniq('room');
      owner.send({ request: 'CreateRoom', roomId, topic: 'Login page' });
      expect(await owner.take(4)).toEqual([
        { event: 'roomCreated', roomId },
        {
          event: 'roomUpdated',
          room: { id: roomId, ownerId: owner.userId, topic: 'Login page', isRevealed: false, deck: [...DEFAULT_DECK], autoReveal: false },
        },
        { event: 'userJoined', roomId, user: { id: owner.userId, name: null, spectator: false } },
        { event: 'estimateUpdated', roomId, userId: owner.userId, estimate: null },
      ]);
      owner.send({ request: 'createRoom', roomId });
      expect(await owner.next()).toEqual({ event: 'error', message: 'A room with that id already exists', roomId });
      owner.close();
    });

    it('hides estimates until the reveal, then reveals them with stats, hides and clears (seed form)', async () => {
      const owner = await connect(uniq('owner'));
      const amy = await connect(uniq('amy'));
      const roomId = await createRoom(owner);
      await join(amy, roomId, [owner]);

      amy.send({ request: 'estimate', roomId, value: '5', comment: 'some risk' });
      const hidden = { event: 'estimateUpdated', roomId, userId: amy.userId, estimate: {} };
      // Everyone sees that Amy estimated; Amy alone also gets her value back (SPEC §6).
      expect(await amy.take(2)).toEqual([hidden, { ...hidden, estimate: { value: '5', comment: 'some risk' } }]);
      expect(await owner.next()).toEqual(hidden);
      owner.send({ request: 'Estimate', roomId, value: '8' });
      expect(await owner.take(2)).toEqual([
        { ...hidden, userId: owner.userId },
        { ...hidden, userId: owner.userId, estimate: { value: '8', comment: '' } },
      ]);
      expect(await amy.next()).toEqual({ ...hidden, userId: owner.userId });

      // A late joiner sees who estimated, not what.
      const late = await connect(uniq('late'));
      late.send({ request: 'joinRoom', roomId });
      const snapshot = await late.take(7);
      expect(snapshot.filter(named('estimateUpdated'))).toEqual(
        expect.arrayContaining([
          { event: 'estimateUpdated', roomId, userId: amy.userId, estimate: {} },
          { event: 'estimateUpdated', roomId, userId: owner.userId, estimate: {} },
          { event: 'estimateUpdated', roomId, userId: late.userId, estimate: null },
        ]),
      );
      await owner.next();
      await amy.next();

      owner.send({ request: 'reveal', roomId });
      for (const client of [owner, amy, late]) {
        expect(await client.next()).toMatchObject({ event: 'roomUpdated', room: { isRevealed: true } });
        expect(await client.next()).toEqual({
          event: 'roomRevealed',
          roomId,
          estimates: { [amy.userId]: { value: '5', comment: 'some risk' }, [owner.userId]: { value: '8', comment: '' } },
          stats: { count: 2, mean: 6.5, median: 6.5, min: 5, max: 8, distribution: { '5': 1, '8': 1 }, consensus: false },
        });
      }

      // After the reveal a new estimate shows its value.
      amy.send({ request: 'estimate', roomId, value: '8' });
      expect(await late.next()).toEqual({ event: 'estimateUpdated', roomId, userId: amy.userId, estimate: { value: '8', comment: '' } });
      expect(await amy.next()).toEqual({ event: 'estimateUpdated', roomId, userId: amy.userId, estimate: { value: '8', comment: '' } });

      owner.send({ request: 'hide', roomId });
      // Hidden again: Amy sees {} like everyone, then her own value.
      const amyHidden = (await amy.take(4)).filter((e) => e.userId === amy.userId);
      expect(amyHidden).toEqual([
        { ...hidden, estimate: {} },
        { ...hidden, estimate: { value: '8', comment: '' } },
      ]);
      expect(await late.take(3)).toEqual([
        expect.objectContaining({ event: 'roomUpdated', room: expect.objectContaining({ isRevealed: false }) }),
        expect.objectContaining({ event: 'estimateUpdated', estimate: {} }),
        expect.objectContaining({ event: 'estimateUpdated', estimate: {} }),
      ]);

      owner.send({ request: 'reveal', roomId });
      await late.until(named('roomRevealed'));
      owner.send({ request: 'clear', roomId });
      expect(await late.until(named('roomCleared'))).toEqual({ event: 'roomCleared', roomId });
      expect(await late.next()).toMatchObject({ event: 'roomUpdated', room: { isRevealed: false } });
      for (const client of [owner, amy, late]) client.close();
    });

    it('accepts the Pokey command form and records each cleared round for JSON and CSV export', async () => {
      const owner = await connect(uniq('owner'));
      const ben = await connect(uniq('ben'));
      owner.send({ request: 'setName', name: 'Olga' });
      ben.send({ request: 'setName', name: 'Ben, "the" =estimator' });
      await owner.next();
      await ben.next();
      const roomId = await createRoom(owner);
      await join(ben, roomId, [owner]);

      owner.send({ command: 'setTopic', roomId, topic: 'Checkout' });
      expect(await ben.next()).toMatchObject({ event: 'roomUpdated', room: { topic: 'Checkout' } });
      owner.send({ command: 'submitEstimate', roomId, estimate: { value: '3', comment: 'small' } });
      ben.send({ command: 'submitEstimate', roomId, estimate: { value: '3', comment: '=HYPERLINK("x")' } });
      await ben.take(2);
      owner.send({ command: 'revealRoom', roomId });
      expect((await ben.until(named('roomRevealed'))).stats).toMatchObject({ count: 2, mean: 3, consensus: true });
      owner.send({ command: 'clearRoom', roomId });
      await ben.until(named('roomCleared'));
      // A clear without a reveal records nothing.
      owner.send({ command: 'clearRoom', roomId });
      await ben.until(named('roomCleared'));

      const json = (await (await fetch(`http://${base}/api/poker/${roomId}/rounds`)).json()) as { rounds: Record<string, unknown>[] };
      expect(json.rounds).toHaveLength(1);
      expect(json.rounds[0]).toMatchObject({
        round: 1,
        topic: 'Checkout',
        clearedAt: expect.any(Number),
        stats: { count: 2, mean: 3, median: 3, consensus: true },
      });
      expect(json.rounds[0]!.estimates).toEqual(
        expect.arrayContaining([
          { userId: owner.userId, name: 'Olga', value: '3', comment: 'small' },
          { userId: ben.userId, name: 'Ben, "the" =estimator', value: '3', comment: '=HYPERLINK("x")' },
        ]),
      );
      const csv = await fetch(`http://${base}/api/poker/${roomId}/rounds?format=csv`);
      expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      const lines = (await csv.text()).trim().split('\r\n');
      expect(lines[0]).toBe('round,cleared_at,topic,user_id,name,value,comment,mean,median,consensus');
      expect(lines).toContainEqual(
        expect.stringMatching(
          new RegExp(`^1,[0-9T:.-]+Z,Checkout,${ben.userId},"Ben, ""the"" =estimator",3,"'=HYPERLINK\\(""x""\\)",3,3,true$`),
        ),
      );
      expect(lines).toHaveLength(3);
      expect((await fetch(`http://${base}/api/poker/no-such-room/rounds`)).status).toBe(404);
      owner.close();
      ben.close();
    });
  });

  describe('rules', () => {
    it('answers every owner-only request from a member with an error and changes nothing', async () => {
      const owner = await connect(uniq('owner'));
      const mia = await connect(uniq('mia'));
      const roomId = await createRoom(owner);
      await join(mia, roomId, [owner]);
      const attempts: [Record<string, unknown>, string][] = [
        [{ request: 'reveal' }, 'Only the room owner can reveal estimates'],
        [{ request: 'hide' }, 'Only the room owner can hide estimates'],
        [{ command: 'clearRoom' }, 'Only the room owner can clear estimates'],
        [{ command: 'setTopic', topic: 'mine now' }, 'Only the room owner can set the topic'],
        [{ request: 'kick', userId: owner.userId }, 'Only the room owner can kick members'],
        [{ request: 'transferOwnership', userId: mia.userId }, 'Only the room owner can transfer ownership'],
      ];
      for (const [request, message] of attempts) {
        mia.send({ ...request, roomId });
        expect(await mia.next()).toEqual({ event: 'error', message, roomId });
      }
      // The owner saw none of it, and the next thing both see is the owner's own change.
      owner.send({ command: 'setTopic', roomId, topic: 'still mine' });
      expect(await owner.next()).toMatchObject({ event: 'roomUpdated', room: { topic: 'still mine', ownerId: owner.userId } });
      expect(await mia.next()).toMatchObject({ event: 'roomUpdated', room: { topic: 'still mine' } });
      owner.send({ request: 'estimate', roomId: 'no-such-room', value: '1' });
      expect(await owner.next()).toEqual({ event: 'error', message: 'Room not found', roomId: 'no-such-room' });
      owner.close();
      mia.close();
    });

    it('kicks a member, who stops getting the room events', async () => {
      const owner = await connect(uniq('owner'));
      const kim = await connect(uniq('kim'));
      const roomId = await createRoom(owner);
      await join(kim, roomId, [owner]);
      owner.send({ request: 'kick', roomId, userId: owner.userId });
      expect(await owner.next()).toEqual({ event: 'error', message: 'The owner cannot kick themself', roomId });
      owner.send({ request: 'kick', roomId, userId: kim.userId });
      const left = { event: 'userLeft', roomId, user: { id: kim.userId, name: null }, reason: 'kicked' };
      expect(await owner.next()).toEqual(left);
      expect(await kim.next()).toEqual(left);
      owner.send({ command: 'setTopic', roomId, topic: 'after the kick' });
      await owner.next();
      kim.send({ request: 'estimate', roomId, value: '1' });
      expect(await kim.next()).toEqual({ event: 'error', message: 'Join the room before estimating', roomId });
      owner.send({ request: 'kick', roomId, userId: kim.userId });
      expect(await owner.next()).toEqual({ event: 'error', message: 'That user is not a member of this room', roomId });
      owner.close();
      kim.close();
    });

    it('transfers ownership to a member', async () => {
      const owner = await connect(uniq('owner'));
      const tom = await connect(uniq('tom'));
      const roomId = await createRoom(owner);
      await join(tom, roomId, [owner]);
      owner.send({ request: 'transferOwnership', roomId, userId: tom.userId });
      for (const client of [owner, tom]) expect(await client.next()).toMatchObject({ event: 'roomUpdated', room: { ownerId: tom.userId } });
      owner.send({ request: 'reveal', roomId });
      expect(await owner.next()).toEqual({ event: 'error', message: 'Only the room owner can reveal estimates', roomId });
      tom.send({ request: 'reveal', roomId });
      expect(await owner.next()).toMatchObject({ event: 'roomUpdated', room: { isRevealed: true } });
      owner.close();
      tom.close();
    });

    it('auto-reveals once every estimator estimated, not waiting for spectators, and keeps estimates on the deck', async () => {
      const owner = await connect(uniq('owner'));
      const sam = await connect(uniq('sam'));
      const spec = await connect(uniq('spec'));
      const roomId = await createRoom(owner, { deck: ['S', 'M', 'L'], autoReveal: true });
      await join(sam, roomId, [owner]);
      const snapshot = await join(spec, roomId, [owner, sam], true);
      expect(snapshot).toContainEqual({ event: 'userJoined', roomId, user: { id: spec.userId, name: null, spectator: true } });

      spec.send({ request: 'estimate', roomId, value: 'M' });
      expect(await spec.next()).toEqual({ event: 'error', message: 'Spectators cannot estimate', roomId });
      sam.send({ request: 'estimate', roomId, value: '5' });
      expect(await sam.next()).toEqual({ event: 'error', message: "Estimate must be one of the room's cards", roomId });

      owner.send({ request: 'estimate', roomId, value: 'M' });
      expect(await spec.next()).toMatchObject({ event: 'estimateUpdated', estimate: {} });
      sam.send({ request: 'estimate', roomId, value: 'L' });
      expect(await spec.take(3)).toEqual([
        { event: 'estimateUpdated', roomId, userId: sam.userId, estimate: {} },
        expect.objectContaining({
          event: 'roomUpdated',
          room: expect.objectContaining({ isRevealed: true, deck: ['S', 'M', 'L'], autoReveal: true }),
        }),
        expect.objectContaining({
          event: 'roomRevealed',
          stats: expect.objectContaining({ count: 2, mean: null, distribution: { M: 1, L: 1 } }),
        }),
      ]);
      for (const client of [owner, sam, spec]) client.close();
    });

    it('withdraws an estimate with a null value', async () => {
      const owner = await connect(uniq('owner'));
      const roomId = await createRoom(owner);
      owner.send({ request: 'estimate', roomId, value: '2' });
      await owner.take(2);
      owner.send({ command: 'submitEstimate', roomId, estimate: null });
      expect(await owner.next()).toEqual({ event: 'estimateUpdated', roomId, userId: owner.userId, estimate: null });
      owner.close();
    });
  });

  describe('users and tabs', () => {
    it('shares one estimate between tabs and keeps membership until the last tab closes', async () => {
      const owner = await connect(uniq('owner'));
      const userId = uniq('tabs');
      const tab1 = await connect(userId);
      const tab2 = await connect(userId);
      const roomId = await createRoom(owner);
      await join(tab1, roomId, [owner]);
      tab2.send({ request: 'joinRoom', roomId });
      await tab2.take(5);
      // The second tab is no new member: the owner sees nothing for it.
      tab1.send({ request: 'estimate', roomId, value: '3' });
      expect(await owner.next()).toEqual({ event: 'estimateUpdated', roomId, userId, estimate: {} });
      expect(await tab2.next()).toEqual({ event: 'estimateUpdated', roomId, userId, estimate: {} });
      tab2.send({ request: 'estimate', roomId, value: '5' });
      owner.send({ request: 'reveal', roomId });
      const revealed = await owner.until(named('roomRevealed'));
      expect(revealed.estimates).toEqual({ [userId]: { value: '5', comment: '' } });

      tab1.close();
      await tab1.socket.waitForClose();
      owner.send({ command: 'setTopic', roomId, topic: 'one tab left' });
      expect(await owner.next()).toMatchObject({ event: 'roomUpdated', room: { topic: 'one tab left' } });
      tab2.send({ request: 'leaveRoom', roomId });
      expect(await owner.next()).toEqual({ event: 'userLeft', roomId, user: { id: userId, name: null }, reason: 'left' });
      tab2.send({ request: 'leaveRoom', roomId });
      expect(await tab2.until(named('error'))).toEqual({ event: 'error', message: 'Not in this room', roomId });
      owner.close();
      tab2.close();
    });

    it('carries a new name into the rooms the user is in', async () => {
      const owner = await connect(uniq('owner'));
      const zoe = await connect(uniq('zoe'));
      const roomId = await createRoom(owner);
      await join(zoe, roomId, [owner]);
      zoe.send({ request: 'setName', name: 'Zoë' });
      const updated = { event: 'userUpdated', user: { id: zoe.userId, name: 'Zoë' } };
      expect(await owner.next()).toEqual(updated);
      expect(await zoe.until(named('userUpdated'))).toEqual(updated);
      const late = await connect(uniq('late'));
      late.send({ request: 'joinRoom', roomId });
      const snapshot = await late.take(7);
      expect(snapshot).toContainEqual({ event: 'userJoined', roomId, user: { id: zoe.userId, name: 'Zoë', spectator: false } });
      for (const client of [owner, zoe, late]) client.close();
    });

    it('gives a member who reconnects within the grace period their estimate back, and shows it to them', async () => {
      const owner = await connect(uniq('owner'));
      const ana = await connect(uniq('ana'));
      const roomId = await createRoom(owner);
      await join(ana, roomId, [owner]);
      ana.send({ request: 'estimate', roomId, value: '5', comment: 'edge cases' });
      await owner.until(named('estimateUpdated'));
      ana.close(); // a reload, or a gateway drain
      await owner.until(named('userLeft'));

      const again = await PokerClient.connect(gateway, ana.userId);
      const snapshot = await join(again, roomId, [owner]);
      expect(snapshot).toContainEqual({
        event: 'estimateUpdated',
        roomId,
        userId: ana.userId,
        estimate: { value: '5', comment: 'edge cases' },
      });
      expect(await owner.next()).toEqual({ event: 'estimateUpdated', roomId, userId: ana.userId, estimate: {} });
      owner.send({ request: 'reveal', roomId });
      expect((await owner.until(named('roomRevealed'))).estimates).toEqual({ [ana.userId]: { value: '5', comment: 'edge cases' } });
      for (const client of [owner, again]) client.close();
    });

    it("drops a leaver's estimate after the grace period, and at once when the round is cleared", async () => {
      const owner = await connect(uniq('owner'));
      const [bob, cai] = [await connect(uniq('bob')), await connect(uniq('cai'))];
      const roomId = await createRoom(owner);
      await join(bob, roomId, [owner]);
      await join(cai, roomId, [owner, bob]);
      bob.send({ request: 'estimate', roomId, value: '3' });
      cai.send({ request: 'estimate', roomId, value: '8' });
      await owner.until(named('estimateUpdated', (e) => e.userId === cai.userId));
      bob.close();
      cai.close();
      await owner.until(named('userLeft', (e) => (e.user as { id: string }).id === cai.userId));

      owner.send({ request: 'clear', roomId });
      await owner.until(named('roomCleared'));
      await owner.until(named('roomUpdated'));
      const caiAgain = await PokerClient.connect(gateway, cai.userId);
      expect(await join(caiAgain, roomId, [owner])).toContainEqual({
        event: 'estimateUpdated',
        roomId,
        userId: cai.userId,
        estimate: null,
      });

      await sleep(GRACE_S * 1000 + 300);
      const bobAgain = await PokerClient.connect(gateway, bob.userId);
      expect(await join(bobAgain, roomId, [owner, caiAgain])).toContainEqual({
        event: 'estimateUpdated',
        roomId,
        userId: bob.userId,
        estimate: null,
      });
      for (const client of [owner, caiAgain, bobAgain]) client.close();
    });

    it('tells members a user left when their only connection closes', async () => {
      const owner = await connect(uniq('owner'));
      const leo = await connect(uniq('leo'));
      const roomId = await createRoom(owner);
      await join(leo, roomId, [owner]);
      leo.close();
      expect(await owner.next()).toEqual({ event: 'userLeft', roomId, user: { id: leo.userId, name: null }, reason: 'left' });
      owner.close();
    });
  });
});
