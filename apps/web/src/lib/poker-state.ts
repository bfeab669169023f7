import type { EstimateView, PokerEvent, PokerMember, PokerRoomView, RevealStats, RevealedEstimate } from '@banterbox/protocol';

/** What the poker page knows, kept up to date from the server's events. */
export interface PokerState {
  me: { id: string; name: string | null };
  /** The room this page shows (from the URL), joined or being joined. */
  roomId: string | undefined;
  room: PokerRoomView | undefined;
  members: Map<string, PokerMember>;
  estimates: Map<string, EstimateView>;
  revealed: { estimates: Record<string, RevealedEstimate>; stats: RevealStats } | undefined;
  /** This user's estimate, remembered so it can be re-sent after a reconnect in the same round. */
  mine: { value: string; comment: string; topic: string } | undefined;
}

export function emptyState(): PokerState {
  return {
    me: { id: '', name: null },
    roomId: undefined,
    room: undefined,
    members: new Map(),
    estimates: new Map(),
    revealed: undefined,
    mine: undefined,
  };
}

/** Forgets the room's contents (before a join, whose snapshot rebuilds them). */
export function resetRoom(state: PokerState): void {
  state.room = undefined;
  state.members.clear();
  state.estimates.clear();
  state.revealed = undefined;
}

/** What an event means for the page beyond its state. */
export type Outcome = 'none' | 'created' | 'closed' | 'kicked' | 'error' | 'snapshot-start';

/** Applies one event to the state (only events of the shown room change room state). */
export function applyEvent(state: PokerState, event: PokerEvent): Outcome {
  if ('roomId' in event && event.event !== 'error' && event.event !== 'roomCreated' && event.roomId !== state.roomId) return 'none';
  switch (event.event) {
    case 'connectionInfo':
      state.me.id = event.userId;
      return 'none';
    case 'userUpdated': {
      if (event.user.id === state.me.id) state.me.name = event.user.name;
      const member = state.members.get(event.user.id);
      if (member) member.name = event.user.name;
      return 'none';
    }
    case 'roomCreated':
      return 'created';
    case 'roomUpdated': {
      const first = state.room === undefined;
      if (!event.room.isRevealed) state.revealed = undefined;
      state.room = event.room;
      return first ? 'snapshot-start' : 'none';
    }
    case 'userJoined':
      state.members.set(event.user.id, event.user);
      if (!state.estimates.has(event.user.id)) state.estimates.set(event.user.id, null);
      return 'none';
    case 'userLeft':
      state.members.delete(event.user.id);
      state.estimates.delete(event.user.id);
      return event.user.id === state.me.id && event.reason === 'kicked' ? 'kicked' : 'none';
    case 'estimateUpdated':
      state.estimates.set(event.userId, event.estimate);
      if (event.userId === state.me.id && event.estimate === null) state.mine = undefined;
      if (event.userId === state.me.id && event.estimate && 'value' in event.estimate) {
        state.mine = { value: event.estimate.value, comment: event.estimate.comment, topic: state.room?.topic ?? '' };
      }
      return 'none';
    case 'roomRevealed':
      state.revealed = { estimates: event.estimates, stats: event.stats };
      for (const [userId, estimate] of Object.entries(event.estimates)) state.estimates.set(userId, estimate);
      return 'none';
    case 'roomCleared':
      for (const userId of state.estimates.keys()) state.estimates.set(userId, null);
      state.revealed = undefined;
      state.mine = undefined;
      return 'none';
    case 'roomClosed':
      return 'closed';
    case 'error':
      return 'error';
    case 'heartbeat':
      return 'none';
  }
}

/**
 * The members in a stable order, whatever order they (re)joined in: the owner first, then by
 * name (unnamed guests last), then by id.
 */
export function sortedMembers(state: PokerState): PokerMember[] {
  const owner = state.room?.ownerId;
  return [...state.members.values()].sort((a, b) => {
    if (a.id === owner || b.id === owner) return a.id === owner ? -1 : 1;
    if ((a.name === null) !== (b.name === null)) return a.name === null ? 1 : -1;
    const byName = (a.name ?? '').localeCompare(b.name ?? '', undefined, { sensitivity: 'base' });
    return byName !== 0 ? byName : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
}
