import type { PokerEvent } from '@banterbox/protocol';
import { applyEvent, emptyState, resetRoom, sortedMembers } from '../src/lib/poker-state';
import { chosenLines, linesParam } from '../src/lib/lines';

describe('poker page state', () => {
  const room = { id: 'r1', ownerId: 'ann', topic: 'Login', isRevealed: false, deck: ['1', '2', '3'], autoReveal: false };
  const fresh = () => {
    const state = emptyState();
    state.roomId = 'r1';
    for (const event of [
      { event: 'connectionInfo', userId: 'ben' },
      { event: 'roomUpdated', room },
      { event: 'userJoined', roomId: 'r1', user: { id: 'ann', name: 'Ann', spectator: false } },
      { event: 'userJoined', roomId: 'r1', user: { id: 'ben', name: null, spectator: false } },
      { event: 'estimateUpdated', roomId: 'r1', userId: 'ann', estimate: {} },
      { event: 'estimateUpdated', roomId: 'r1', userId: 'ben', estimate: { value: '2', comment: '' } },
    ] as PokerEvent[]) {
      applyEvent(state, event);
    }
    return state;
  };

  it('builds the room from the join snapshot, with the own estimate remembered', () => {
    const state = fresh();
    expect(state.me.id).toBe('ben');
    expect([...state.members.keys()]).toEqual(['ann', 'ben']);
    expect(state.estimates.get('ann')).toEqual({});
    expect(state.mine).toEqual({ value: '2', comment: '', topic: 'Login' });
  });

  it('shows revealed estimates and stats, then clears them', () => {
    const state = fresh();
    const stats = { count: 2, mean: 2.5, median: 2.5, min: 2, max: 3, distribution: { '2': 1, '3': 1 }, consensus: false };
    applyEvent(state, { event: 'roomUpdated', room: { ...room, isRevealed: true } });
    applyEvent(state, {
      event: 'roomRevealed',
      roomId: 'r1',
      estimates: { ann: { value: '3', comment: 'x' }, ben: { value: '2', comment: '' } },
      stats,
    });
    expect(state.estimates.get('ann')).toEqual({ value: '3', comment: 'x' });
    expect(state.revealed?.stats).toEqual(stats);
    applyEvent(state, { event: 'roomCleared', roomId: 'r1' });
    expect([...state.estimates.values()]).toEqual([null, null]);
    expect(state.revealed).toBeUndefined();
    expect(state.mine).toBeUndefined();
  });

  it('ignores other rooms and reports closing, kicks and errors to the page', () => {
    const state = fresh();
    expect(applyEvent(state, { event: 'userLeft', roomId: 'other', user: { id: 'ann', name: 'Ann' }, reason: 'left' })).toBe('none');
    expect(state.members.has('ann')).toBe(true);
    expect(applyEvent(state, { event: 'userLeft', roomId: 'r1', user: { id: 'ann', name: 'Ann' }, reason: 'left' })).toBe('none');
    expect(state.members.has('ann')).toBe(false);
    expect(applyEvent(state, { event: 'userLeft', roomId: 'r1', user: { id: 'ben', name: null }, reason: 'kicked' })).toBe('kicked');
    expect(applyEvent(state, { event: 'roomClosed', roomId: 'r1' })).toBe('closed');
    expect(applyEvent(state, { event: 'error', message: 'Room not found' })).toBe('error');
    expect(applyEvent(state, { event: 'roomCreated', roomId: 'r2' })).toBe('created');
  });

  it('forgets the room before a re-join, so the snapshot rebuilds it', () => {
    const state = fresh();
    resetRoom(state);
    expect(state.room).toBeUndefined();
    expect(state.members.size).toBe(0);
    expect(applyEvent(state, { event: 'roomUpdated', room })).toBe('snapshot-start');
  });

  it('lists members in the same order whatever order they (re)joined in: owner, then by name, guests last', () => {
    const state = fresh();
    for (const user of [
      { id: 'zed', name: null },
      { id: 'cat', name: 'cat' },
      { id: 'bob', name: 'Bob' },
      { id: 'ada', name: null },
    ]) {
      applyEvent(state, { event: 'userJoined', roomId: 'r1', user: { ...user, spectator: false } });
    }
    const order = sortedMembers(state).map((m) => m.id);
    expect(order).toEqual(['ann', 'bob', 'cat', 'ada', 'ben', 'zed']);
    // Ben reloads: he leaves and comes back last in the map, but not in the list.
    applyEvent(state, { event: 'userLeft', roomId: 'r1', user: { id: 'bob', name: 'Bob' }, reason: 'left' });
    applyEvent(state, { event: 'userJoined', roomId: 'r1', user: { id: 'bob', name: 'Bob', spectator: false } });
    expect(sortedMembers(state).map((m) => m.id)).toEqual(order);
  });
});

describe('worm lines of a room with segments', () => {
  const segments = ['red', 'blue', 'green'];

  it('reads lines= as the total and the segments named, the total alone when nothing known is named', () => {
    expect(chosenLines(null, segments)).toEqual({ total: true, segments: [] });
    expect(chosenLines('segments', segments)).toEqual({ total: false, segments });
    expect(chosenLines('total,blue', segments)).toEqual({ total: true, segments: ['blue'] });
    expect(chosenLines('blue, red', segments)).toEqual({ total: false, segments: ['red', 'blue'] });
    expect(chosenLines('purple', segments)).toEqual({ total: true, segments: [] });
    expect(chosenLines('segments', [])).toEqual({ total: true, segments: [] });
  });

  it('writes lines= that reads back to the same choice', () => {
    for (const [total, picked] of [
      [true, []],
      [false, segments],
      [true, ['green']],
      [false, ['red', 'green']],
    ] as const) {
      expect(chosenLines(linesParam(total, picked, segments), segments)).toEqual({ total, segments: [...picked] });
    }
  });
});
