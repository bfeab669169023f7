import { signToken } from '@banterbox/auth';
import {
  ADMIN_KEY,
  SECRET,
  TestCluster,
  TestSocket,
  isData,
  joinRoom,
  startGatewayProcess,
  startTickerProcess,
  token,
  waitForPoint,
  type GatewayProcess,
} from '@banterbox/testkit';
import type { AppProcess } from '@banterbox/testkit';
import { decodeVoteServerFrame, type Marker, type TallyPoint, type VotingState } from '@banterbox/protocol';

const isState = (frame: unknown): boolean => typeof frame === 'object' && frame !== null && 'state' in frame;

/** A state frame as the SDK reads it (the wire check has validated the frame itself). */
const stateOf = (frame: unknown): VotingState => {
  const decoded = decodeVoteServerFrame(JSON.stringify(frame));
  if (decoded.kind !== 'state') throw new Error('not a state frame');
  return decoded;
};
const isError =
  (code: string) =>
  (frame: unknown): boolean =>
    typeof frame === 'object' && frame !== null && (frame as { error?: { code?: string } }).error?.code === code;

/**
 * SPEC §9's segments, rounds and vote expiry, with the gateway and the ticker started as processes
 * (env only) on a Redis Cluster, over real sockets: what viewers see and what the export carries.
 */
describe('segments, rounds and vote expiry (gateway and ticker processes, Redis Cluster)', () => {
  let cluster: TestCluster;
  let ticker: AppProcess;
  let gateway: GatewayProcess;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    cluster = await TestCluster.start();
    ticker = await startTickerProcess(cluster);
    gateway = await startGatewayProcess(cluster);
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await gateway.proc.kill();
    await ticker.kill();
    await cluster.stop();
  });

  const admin = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' };
  const post = (path: string, body: unknown, headers: Record<string, string> = admin): Promise<Response> =>
    fetch(`${gateway.http}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });

  /** Joins as `user` with a token claiming `seg` (if given); resolves with the socket and the state frame after the history. */
  async function join(user: string, room: string, seg?: string): Promise<{ socket: TestSocket; state: VotingState }> {
    const socket = await TestSocket.open(`${gateway.ws}/api/vote_ws/`);
    sockets.push(socket);
    const exp = Math.floor(Date.now() / 1000) + 600;
    const jwt = await signToken(seg === undefined ? { sub: user, room, exp } : { sub: user, room, exp, seg }, SECRET);
    socket.send({ auth: { token: jwt, room } });
    await socket.waitFor(isData, 10_000);
    return { socket, state: stateOf(await socket.waitFor(isState, 5_000)) };
  }

  it("draws one line per segment: a token's claim, or the voter's first choice, counted per tick beside the total", async () => {
    const room = 'debate';
    const created = await post('/api/rooms', {
      room,
      options: ['agree', 'disagree'],
      segments: ['red', 'blue'],
      segment_question: 'Which team are you on?',
      voter_shards: 2,
    });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ segments: ['red', 'blue'], segment_question: 'Which team are you on?', voter_shards: 2 });
    for (const bad of [
      { segments: [] },
      { segments: ['a', 'a'] },
      { segments: Array.from({ length: 9 }, (_, i) => `s${i}`) },
      { segment_question: 'no segments?' },
    ]) {
      expect((await post('/api/rooms', { room: 'bad-segments', ...bad })).status).toBe(400);
    }

    const claimed = await join('ann', room, 'red');
    expect(claimed.state).toMatchObject({ closed: false, segments: ['red', 'blue'], ask: 'Which team are you on?', segment: 'red' });
    claimed.socket.send({ segment: 'blue' });
    await claimed.socket.waitFor(isError('bad_request'));

    const chooser = await join('bob', room);
    expect(chooser.state.segment).toBeUndefined();
    chooser.socket.send({ segment: 'purple' });
    await chooser.socket.waitFor(isError('bad_request'));
    chooser.socket.send({ segment: 'blue' });
    chooser.socket.send({ segment: 'red' });
    const undecided = await join('cy', room);

    claimed.socket.send({ vote: { value: 'agree' } });
    chooser.socket.send({ vote: { value: 'disagree' } });
    undecided.socket.send({ vote: { value: 'agree' } });
    const { data } = await waitForPoint(
      claimed.socket,
      (p) => p.votes.agree === 2 && p.votes.disagree === 1 && p.segments?.blue?.disagree === 1,
      10_000,
    );
    expect(data[0]!.segments).toEqual({ red: { agree: 1, disagree: 0 }, blue: { agree: 0, disagree: 1 } });

    // The export carries each segment: JSON as stored, CSV with a column per segment and option.
    const csv = await (await fetch(`${gateway.http}/api/rooms/${room}/series?format=csv`, { headers: admin })).text();
    const [header, ...rows] = csv.trim().split('\n');
    expect(header).toBe('ts,time,agree,disagree,connected,red:agree,red:disagree,blue:agree,blue:disagree,markers');
    expect(rows.at(-1)).toMatch(/,2,1,3,1,0,0,1,$/);
    const json = (await (await fetch(`${gateway.http}/api/rooms/${room}/series`, { headers: admin })).json()) as {
      segments: string[];
      points: TallyPoint[];
    };
    expect(json.segments).toEqual(['red', 'blue']);
    expect(json.points.at(-1)!.segments).toEqual({ red: { agree: 1, disagree: 0 }, blue: { agree: 0, disagree: 1 } });

    // The compact join history carries the segments' columns.
    const compact = await joinRoom(gateway, 'dee', room, { compact: true, observe: true });
    sockets.push(compact);
    const history = compact.frames.find((f) => typeof f === 'object' && f !== null && 'history' in f) as {
      history: { segments: Record<string, number[][]> };
    };
    expect(Object.keys(history.history.segments)).toEqual(['red', 'blue']);
  });

  it('resets to a new round with its own question: votes start over, viewers are told, the earlier round stays exportable', async () => {
    const room = 'rounds';
    expect((await post('/api/rooms', { room, question: 'Is the first act good?' })).status).toBe(201);
    const viewer = await join('eve', room);
    expect(viewer.state).toMatchObject({ closed: false, question: 'Is the first act good?' });
    viewer.socket.send({ vote: { value: 'yes' } });
    await waitForPoint(viewer.socket, (p) => p.votes.yes === 1, 10_000);
    const marker = (await (await post(`/api/rooms/${room}/markers`, { label: 'act one' })).json()) as Marker;

    const moderator = await signToken({ sub: 'mod', room, exp: Math.floor(Date.now() / 1000) + 600, role: 'moderator' }, SECRET);
    const asViewer = { authorization: `Bearer ${await token('eve', room)}`, 'content-type': 'application/json' };
    expect((await post(`/api/rooms/${room}/reset`, { question: 'And the second?' }, asViewer)).status).toBe(403);
    expect((await post(`/api/rooms/${room}/reset`, { question: '' }, admin)).status).toBe(400);
    const from = viewer.socket.frames.length;
    const reset = await post(
      `/api/rooms/${room}/reset`,
      { question: 'And the second?' },
      { ...admin, authorization: `Bearer ${moderator}` },
    );
    expect(reset.status).toBe(200);
    expect(await reset.json()).toEqual({ room, round: 1, question: 'And the second?', opened_at: expect.any(Number) });
    const told = stateOf(await viewer.socket.waitFor(isState, 5_000, from));
    expect(told).toMatchObject({ closed: false, round: 1, question: 'And the second?' });

    // The standing vote of round 0 counts nowhere now; a vote in round 1 does.
    await waitForPoint(viewer.socket, (p) => p.votes.yes === 0 && p.connected === 1, 10_000, from);
    viewer.socket.send({ vote: { value: 'no' } });
    await waitForPoint(viewer.socket, (p) => p.votes.no === 1 && p.votes.yes === 0, 10_000, from);
    const late = await join('fay', room);
    expect(late.state).toMatchObject({ round: 1, question: 'And the second?' });

    const rounds = (await (await fetch(`${gateway.http}/api/rooms/${room}/rounds`)).json()) as {
      rounds: { round: number; question: string }[];
    };
    expect(rounds.rounds.map(({ round, question }) => ({ round, question }))).toEqual([
      { round: 0, question: 'Is the first act good?' },
      { round: 1, question: 'And the second?' },
    ]);
    const first = (await (await fetch(`${gateway.http}/api/rooms/${room}/series?round=0`, { headers: admin })).json()) as {
      round: number;
      question: string;
      points: TallyPoint[];
      markers: Marker[];
    };
    expect(first).toMatchObject({ round: 0, question: 'Is the first act good?', markers: [marker] });
    expect(first.points.some((p) => p.votes.yes === 1)).toBe(true);
    const current = (await (await fetch(`${gateway.http}/api/rooms/${room}/series`, { headers: admin })).json()) as {
      round: number;
      points: TallyPoint[];
      markers: Marker[];
    };
    expect(current.round).toBe(1);
    expect(current.markers).toEqual([]);
    expect(current.points.every((p) => p.votes.yes === 0)).toBe(true);
    expect((await fetch(`${gateway.http}/api/rooms/${room}/series?round=2`, { headers: admin })).status).toBe(400);
  });

  it('stops counting a standing vote not re-sent within vote_ttl_s, and counts it again when re-affirmed', async () => {
    const room = 'expiring';
    expect((await post('/api/rooms', { room, vote_ttl_s: 2 })).status).toBe(201);
    const viewer = await join('gil', room);
    expect(viewer.state.voteTtlS).toBe(2);
    viewer.socket.send({ vote: { value: 'yes' } });
    await waitForPoint(viewer.socket, (p) => p.votes.yes === 1, 10_000);
    const from = viewer.socket.frames.length;
    await waitForPoint(viewer.socket, (p) => p.votes.yes === 0 && p.connected === 1, 10_000, from);
    viewer.socket.send({ vote: { value: 'yes' } });
    await waitForPoint(viewer.socket, (p) => p.votes.yes === 1, 10_000, viewer.socket.frames.length);
  });
});
