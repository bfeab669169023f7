import { LocalVoteRoom } from './local-vote-room';

const point = (ts: number, yes = 0): string => `{"ts":${ts},"votes":{"yes":${yes},"no":0},"connected":1}`;
const frame = (ts: number, yes = 0): string => `{"data":[${point(ts, yes)}]}`;

describe('a gateway-local vote room', () => {
  const meta = { options: ['yes', 'no'], open: false, tickMs: 0 };

  it('forwards only ticks newer than the newest it has, published as points or (by an older ticker) as frames', () => {
    const room = new LocalVoteRoom('r', meta, 10);
    expect(room.acceptTick(point(1000))).toBe(point(1000));
    expect(room.acceptTick(point(1000))).toBeUndefined();
    expect(room.acceptTick(frame(900))).toBeUndefined();
    expect(room.acceptTick('garbage')).toBeUndefined();
    expect(room.acceptTick(frame(1100))).toBe(point(1100));
    expect(room.acceptTick(point(1200))).toBe(point(1200));
  });

  it('merges stored history with snapshots that arrived while it was read, capped', () => {
    const room = new LocalVoteRoom('r', meta, 3);
    room.acceptTick(point(3000)); // arrived after subscribing, also in the stored history
    room.acceptTick(point(4000)); // arrived after the history was read
    room.seedHistory([point(1000), point(2000), point(3000)]);
    expect(JSON.parse(room.historyFrame(undefined))).toEqual({ data: [2000, 3000, 4000].map((ts) => JSON.parse(point(ts))) });
    expect(JSON.parse(room.historyFrame(2500)).data.map((p: { ts: number }) => p.ts)).toEqual([3000, 4000]);
    room.acceptTick(point(5000, 7));
    expect(JSON.parse(room.historyFrame(undefined)).data.map((p: { ts: number }) => p.ts)).toEqual([3000, 4000, 5000]);
  });

  it('tracks connections per user and keeps the newest vote', () => {
    const room = new LocalVoteRoom('r', meta, 3);
    expect(room.connect('u')).toBe(true);
    expect(room.connect('u')).toBe(false);
    room.recordVote('u', { value: 'yes', ts: 10, at: 1 });
    room.recordVote('u', { value: 'no', ts: 5, at: 2 });
    expect(room.users.get('u')?.vote).toEqual({ value: 'yes', ts: 10, at: 1 });
    expect(room.disconnect('u')).toBe(false);
    expect(room.disconnect('u')).toBe(true);
    expect(room.users.has('u')).toBe(false);
  });

  it('keeps what it heard while loading: a close, and a round only when newer than the one read', () => {
    const closedWhileLoading = new LocalVoteRoom('r', meta, 3);
    expect(closedWhileLoading.acceptState('{"state":{"closed":true,"ts":50}}')).toBe(true);
    closedWhileLoading.loaded({ ...meta, round: 3, question: 'Third?' });
    expect(closedWhileLoading.meta).toMatchObject({ closedAt: 50, round: 3, question: 'Third?' });
    expect(closedWhileLoading.plan).toEqual({ shards: 1, round: 3, voteTtlMs: 0, segmented: false });

    const resetWhileLoading = new LocalVoteRoom('r', meta, 3);
    expect(resetWhileLoading.acceptState('{"state":{"closed":false,"ts":60,"round":4,"question":"Fourth?"}}')).toBe(true);
    resetWhileLoading.loaded({ ...meta, round: 3, question: 'Third?' });
    expect(resetWhileLoading.meta).toMatchObject({ round: 4, question: 'Fourth?' });
  });

  it('starts a new round empty: no points, no markers, no standing vote; an older round is refused', () => {
    const room = new LocalVoteRoom('r', { ...meta, round: 1 }, 3);
    room.acceptTick(point(1000, 2));
    room.acceptMarker('{"marker":{"ts":900,"label":"m","auto":false}}');
    room.connect('u');
    room.recordVote('u', { value: 'yes', ts: 10, at: 1 });
    expect(room.acceptState('{"state":{"closed":false,"ts":70,"round":0,"question":"Old?"}}')).toBe(false);
    expect(room.acceptState('{"state":{"closed":false,"ts":70,"round":2,"question":"Next?"}}')).toBe(true);
    expect(room.users.get('u')?.vote).toBeUndefined();
    expect(JSON.parse(room.historyFrame(undefined))).toEqual({ data: [], round: 2 });
    expect(JSON.parse(room.joinFrame()!)).toEqual({ state: { closed: false, ts: 70, round: 2, question: 'Next?' } });
  });
});
