import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { signToken } from '@banterbox/auth';
import { keys } from '@banterbox/store';
import {
  ADMIN_KEY,
  SECRET,
  TestRedis,
  eventually,
  freePort,
  startGatewayProcess,
  startTickerApp,
  token,
  watchFrames,
  type GatewayProcess,
  type RunningApp,
} from '@banterbox/testkit';
import { Refused, VoteClient, type CloseReason, type ConnectionState, type SocketLike, type TallyPoint, type VotingState } from './index';
import { BanterboxAdmin } from './server';

/**
 * The vote client as an embedder runs it, in Node with the `ws` package, against a gateway and a
 * ticker started as processes (env only, real sockets), through restarts, a new secret, a
 * gateway that stops answering and refusals.
 */
const socket = (url: string): SocketLike => watchFrames(new WebSocket(url)) as unknown as SocketLike;

/** A client and everything it told. */
function watch(client: VoteClient): { states: ConnectionState[]; reasons: CloseReason[]; points: TallyPoint[] } {
  const seen = { states: [] as ConnectionState[], reasons: [] as CloseReason[], points: [] as TallyPoint[] };
  client.on('state', (state, reason) => {
    seen.states.push(state);
    if (reason) seen.reasons.push(reason);
  });
  client.on('points', (points) => seen.points.push(...points));
  return seen;
}

const until = <T>(probe: () => T | undefined, timeoutMs = 10_000): Promise<T> => eventually(async () => probe(), timeoutMs, 20);

describe('VoteClient against a gateway and a ticker (processes)', () => {
  let redis: TestRedis;
  let ticker: RunningApp;
  const clients: VoteClient[] = [];
  const gateways: GatewayProcess[] = [];

  const gatewayOn = async (port: number, extra: Record<string, string> = {}): Promise<GatewayProcess> => {
    const gateway = await startGatewayProcess(redis, { PORT: String(port), ...extra });
    gateways.push(gateway);
    return gateway;
  };
  const client = (options: Omit<ConstructorParameters<typeof VoteClient>[0], 'socket'>): VoteClient => {
    const made = new VoteClient({ socket, ...options });
    clients.push(made);
    return made;
  };

  beforeAll(async () => {
    redis = await TestRedis.start();
    ticker = await startTickerApp(redis);
  });
  afterEach(async () => {
    for (const made of clients.splice(0)) made.close();
    await Promise.all(gateways.splice(0).map((g) => g.proc.kill()));
  });
  afterAll(async () => {
    await ticker.stop();
    await redis.stop();
  });

  it('tells when voting closes and opens, refuses a vote while closed, and learns an opening it missed from the next point', async () => {
    const port = await freePort();
    const gateway = await gatewayOn(port);
    const admin = new BanterboxAdmin(gateway.http, ADMIN_KEY);
    const voter = client({ url: `http://127.0.0.1:${port}`, room: 'sdk-rounds', getToken: () => token('sdk-r', 'sdk-rounds') });
    const seen = watch(voter);
    const voting: VotingState[] = [];
    const errors: string[] = [];
    voter.on('voting', (state) => voting.push(state));
    voter.on('error', (error) => errors.push(error.code));
    voter.start();
    await until(() => (voter.state === 'live' ? true : undefined));
    voter.vote('yes');
    await until(() => seen.points.find((p) => p.votes.yes === 1));

    await admin.closeVoting('sdk-rounds');
    await until(() => (voter.votingClosed ? true : undefined));
    expect(voting).toEqual([{ closed: true, ts: expect.any(Number) }]);
    voter.vote('no');
    expect(errors).toEqual(['closed']);
    expect(voter.currentVote).toBe('yes');

    // Reopened while the client is away: the point after the close tells it.
    await gateway.proc.kill();
    const elsewhere = await gatewayOn(await freePort());
    await new BanterboxAdmin(elsewhere.http, ADMIN_KEY).openVoting('sdk-rounds');
    await gatewayOn(port);
    await until(() => (voter.votingClosed ? undefined : true), 15_000);
    expect(voting.map((v) => v.closed)).toEqual([true, false]);
    voter.vote('no');
    await until(() => seen.points.find((p) => p.votes.no === 1 && p.votes.yes === 0), 15_000);
  });

  it('follows a reset to a new round: its vote is gone, a vote of the old round is refused, its vote of the new one counts', async () => {
    const port = await freePort();
    const gateway = await gatewayOn(port);
    const admin = new BanterboxAdmin(gateway.http, ADMIN_KEY);
    await admin.createRoom({ room: 'sdk-reset', question: 'First?', segments: ['a', 'b'], segment_question: 'Which?', vote_ttl_s: 60 });
    const voter = client({ url: `http://127.0.0.1:${port}`, room: 'sdk-reset', getToken: () => token('sdk-v', 'sdk-reset') });
    const seen = watch(voter);
    const rounds: { round: number; question: string | undefined }[] = [];
    voter.on('round', (round) => rounds.push(round));
    voter.start();
    await until(() => (voter.room?.question === 'First?' ? true : undefined));
    expect(voter.room).toMatchObject({ round: 0, segments: ['a', 'b'], ask: 'Which?', voteTtlS: 60 });
    voter.chooseSegment('b');
    voter.vote('yes');
    expect(voter.segment).toBe('b');
    expect(voter.voteExpiresAt).toBeGreaterThan(Date.now() + 50_000);
    await until(() => seen.points.find((p) => p.segments?.b?.yes === 1));

    await admin.resetRound('sdk-reset', 'Second?');
    await until(() => (rounds.length === 1 ? true : undefined));
    expect(rounds).toEqual([{ round: 1, question: 'Second?' }]);
    // A client joining a room already in round 1 is simply in round 1: no new round is told.
    const latecomer = client({ url: `http://127.0.0.1:${port}`, room: 'sdk-reset', getToken: () => token('sdk-late2', 'sdk-reset') });
    const lateRounds: unknown[] = [];
    latecomer.on('round', (round) => lateRounds.push(round));
    latecomer.start();
    await until(() => (latecomer.room?.question === 'Second?' ? true : undefined));
    expect({ round: latecomer.room?.round, told: lateRounds }).toEqual({ round: 1, told: [] });
    latecomer.close();
    expect(voter.currentVote).toBeUndefined();
    expect(voter.voteExpiresAt).toBeUndefined();
    await until(() => seen.points.find((p) => p.votes.yes === 0 && p.connected === 1));

    // A vote of the round that is over (sent by a client that has not heard of the reset) is refused.
    const raw = await new Promise<WebSocket>((resolve) => {
      const ws = new WebSocket(`${gateway.ws}/api/vote_ws/`);
      ws.on('open', () => resolve(ws));
    });
    const errors: string[] = [];
    raw.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as { error?: { code: string } };
      if (frame.error) errors.push(frame.error.code);
    });
    raw.send(JSON.stringify({ auth: { token: await token('sdk-late', 'sdk-reset'), room: 'sdk-reset' } }));
    await sleep(300);
    raw.send(JSON.stringify({ vote: { value: 'no', round: 0 } }));
    await until(() => (errors.includes('round_over') ? true : undefined));
    raw.close();

    voter.vote('no');
    await until(() => seen.points.find((p) => p.votes.no === 1 && p.segments?.b?.no === 1));

    // A reset while the client is away: its join history names the new round, so the round is
    // taken before its points and the old round's vote is not re-sent (no round_over).
    const voterErrors: string[] = [];
    voter.on('error', (error) => voterErrors.push(error.code));
    await gateway.proc.kill();
    const elsewhere = await gatewayOn(await freePort());
    await new BanterboxAdmin(elsewhere.http, ADMIN_KEY).resetRound('sdk-reset', 'Third?');
    await sleep(1000);
    const before = seen.points.length;
    await gatewayOn(port);
    await until(() => (voter.room?.question === 'Third?' ? true : undefined), 15_000);
    expect(rounds.map((r) => r.round)).toEqual([1, 2]);
    expect(voter.currentVote).toBeUndefined();
    await until(() => seen.points.slice(before).find((p) => p.connected === 1));
    expect(seen.points.slice(before).every((p) => p.votes.no === 0 && p.votes.yes === 0)).toBe(true);
    expect(voterErrors).not.toContain('round_over');

    // Closing and opening voting in round 2 keeps the client in round 2: its vote counts.
    const again = new BanterboxAdmin(elsewhere.http, ADMIN_KEY);
    await again.closeVoting('sdk-reset');
    await until(() => (voter.votingClosed ? true : undefined));
    await again.openVoting('sdk-reset');
    await until(() => (voter.votingClosed ? undefined : true));
    expect(voter.room?.round).toBe(2);
    voter.vote('yes');
    await until(() => seen.points.slice(before).find((p) => p.votes.yes === 1));
    expect(voterErrors).not.toContain('round_over');
  });

  it('goes live, gets the history and then every tick, and its vote counts', async () => {
    const port = await freePort();
    await gatewayOn(port);
    const voter = client({ url: `http://127.0.0.1:${port}`, room: 'sdk-live', getToken: () => token('sdk-a', 'sdk-live') });
    const seen = watch(voter);
    voter.start();
    await until(() => (voter.state === 'live' ? true : undefined));
    expect(seen.states.slice(0, 2)).toEqual(['connecting', 'live']);
    voter.vote('yes');
    await until(() => seen.points.find((p) => p.votes.yes === 1));
    expect(voter.currentVote).toBe('yes');
    const ts = seen.points.map((p) => p.ts);
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
    expect(new Set(ts).size).toBe(ts.length);
  });

  it('resumes exactly across a gateway restart: every stored tick once and in order, and the standing vote re-sent', async () => {
    const port = await freePort();
    const room = 'sdk-resume';
    const first = await gatewayOn(port);
    const voter = client({ url: `http://127.0.0.1:${port}`, room, getToken: () => token('sdk-b', room) });
    const seen = watch(voter);
    voter.start();
    await until(() => (voter.state === 'live' ? true : undefined));
    voter.vote('no');
    await until(() => seen.points.find((p) => p.votes.no === 1));

    await first.proc.kill();
    await until(() => (voter.state === 'reconnecting' ? true : undefined));
    // The dead gateway's user stops counting once its lease is reaped: the vote is gone from the
    // tally, so only the client re-sending it can bring it back.
    const reader = redis.client();
    await eventually(async () => (((await reader.hget(keys.voteRoom(room).tally, 'no')) ?? '0') === '0' ? true : undefined), 10_000, 50);
    await gatewayOn(port);
    await until(() => (voter.state === 'live' ? true : undefined), 20_000);
    const rejoinedAt = seen.points.length;
    const counted = await until(() => seen.points.slice(rejoinedAt).find((p) => p.votes.no === 1));
    expect(counted.connected).toBe(1);

    // Exact: from its first point on, the client has what Redis stored, each once, in order.
    const stored = (await reader.lrange(keys.voteRoom(room).history, 0, -1)).map((p) => (JSON.parse(p) as TallyPoint).ts);
    reader.disconnect();
    const got = seen.points.map((p) => p.ts);
    const inRange = stored.filter((ts) => ts >= got[0]! && ts <= got[got.length - 1]!);
    expect(got).toEqual(inRange);
  });

  it('gets a new token before reconnecting when its own expires within 30 s, and after a 4001 (the server got a new secret)', async () => {
    const port = await freePort();
    const room = 'sdk-token';
    const secrets = [SECRET, 'another-secret-for-the-second-gateway-0123'];
    let calls = 0;
    const getToken = async (): Promise<string> => {
      calls += 1;
      // The first token is valid for 20 s only: renewed before the first reconnection.
      const ttl = calls === 1 ? 20 : 600;
      const secret = calls <= 2 ? secrets[0]! : secrets[1]!;
      return signToken({ sub: 'sdk-c', room, exp: Math.floor(Date.now() / 1000) + ttl }, secret);
    };
    const first = await gatewayOn(port);
    const voter = client({ url: `http://127.0.0.1:${port}`, room, getToken });
    const seen = watch(voter);
    voter.start();
    await until(() => (voter.state === 'live' ? true : undefined));
    expect(calls).toBe(1);

    await first.proc.kill();
    const second = await gatewayOn(port);
    await until(() => (calls === 2 && voter.state === 'live' ? true : undefined), 20_000);

    // A gateway with another secret refuses the (still valid) second token with 4001: a third is fetched.
    await second.proc.kill();
    await gatewayOn(port, { BANTERBOX_SECRET: secrets[1]! });
    await until(() => (calls === 3 && voter.state === 'live' ? true : undefined), 20_000);
    expect(seen.states).not.toContain('closed');
  });

  it('closes for good, with the reason, when getToken has none, refuses, or its fresh token is refused', async () => {
    const port = await freePort();
    await gatewayOn(port);
    const url = `http://127.0.0.1:${port}`;
    const none = client({ url, room: 'sdk-none', getToken: async () => null });
    const refused = client({
      url,
      room: 'sdk-none',
      getToken: async () => {
        throw new Refused('not_open', 'this room is not open to guests');
      },
    });
    const bad = client({
      url,
      room: 'sdk-none',
      getToken: () => signToken({ sub: 'x', room: 'sdk-none', exp: 4_000_000_000 }, 'a-secret-the-server-does-not-have-0123'),
    });
    const reasons = [none, refused, bad].map((c) => {
      const seen = watch(c);
      c.start();
      return seen;
    });
    await until(() => ([none, refused, bad].every((c) => c.state === 'closed') ? true : undefined));
    expect(reasons.map((r) => r.reasons[0])).toEqual([
      { reason: 'token_refused', message: 'no token for this room' },
      { reason: 'not_open', message: 'this room is not open to guests' },
      expect.objectContaining({ reason: 'unauthorized', code: 4001 }),
    ]);
  });

  it('replaces a socket that went silent (the gateway stopped) and is live again when the gateway answers', async () => {
    const port = await freePort();
    const gateway = await gatewayOn(port);
    const viewer = client({
      url: `http://127.0.0.1:${port}`,
      room: 'sdk-silent',
      getToken: () => token('sdk-d', 'sdk-silent'),
      heartbeatTimeoutMs: 1_000,
    });
    const seen = watch(viewer);
    viewer.start();
    await until(() => (viewer.state === 'live' ? true : undefined));
    gateway.proc.signal('SIGSTOP');
    try {
      // No close frame, no FIN: only the silence tells.
      await until(() => (viewer.state === 'reconnecting' ? true : undefined), 5_000);
    } finally {
      gateway.proc.signal('SIGCONT');
    }
    const before = seen.points.length;
    await until(() => (viewer.state === 'live' && seen.points.length > before ? true : undefined), 20_000);
  });

  it('stops with message_too_big when the server closes it for a frame over 1 KiB', async () => {
    const port = await freePort();
    await gatewayOn(port);
    const voter = client({ url: `http://127.0.0.1:${port}`, room: 'sdk-big', getToken: () => token('sdk-e', 'sdk-big') });
    const seen = watch(voter);
    voter.start();
    await until(() => (voter.state === 'live' ? true : undefined));
    voter.vote('x'.repeat(2_000));
    await until(() => (voter.state === 'closed' ? true : undefined));
    expect(seen.reasons).toEqual([expect.objectContaining({ reason: 'message_too_big', code: 1009 })]);
  });
});
