import { revealStats, type EstimateView, type PokerEvent, type PokerRoomView } from '@banterbox/protocol';
import type { PokerChange, PokerRoomState, PokerSnapshot, StoredEstimate } from '@banterbox/store';

/**
 * Turns what Redis stores and publishes about a poker room into the client events of SPEC §6.
 * Every gateway renders a published message the same way, so members on different gateways see
 * the same events.
 */

const nameOrNull = (name: string): string | null => (name === '' ? null : name);

function roomView(roomId: string, room: PokerRoomState): PokerRoomView {
  return { id: roomId, ...room };
}

function revealed(estimate: StoredEstimate): EstimateView {
  return { value: estimate.value, comment: estimate.comment };
}

/** The event only the estimate's owner gets for a hidden estimate: its value (SPEC §6). */
export function renderOwnEstimate(roomId: string, change: PokerChange): { userId: string; event: PokerEvent } | undefined {
  if (change.kind !== 'estimate' || change.own === undefined) return undefined;
  return { userId: change.userId, event: { event: 'estimateUpdated', roomId, userId: change.userId, estimate: revealed(change.own) } };
}

export function renderChange(roomId: string, change: PokerChange): PokerEvent {
  switch (change.kind) {
    case 'room':
      return { event: 'roomUpdated', room: roomView(roomId, change.room) };
    case 'joined':
      return { event: 'userJoined', roomId, user: { id: change.userId, name: nameOrNull(change.name), spectator: change.spectator } };
    case 'left':
      return { event: 'userLeft', roomId, user: { id: change.userId, name: nameOrNull(change.name) }, reason: change.reason };
    case 'estimate': {
      const { estimate } = change;
      const view = estimate === 'none' ? null : estimate === 'hidden' ? {} : revealed(estimate);
      return { event: 'estimateUpdated', roomId, userId: change.userId, estimate: view };
    }
    case 'revealed':
      return {
        event: 'roomRevealed',
        roomId,
        estimates: change.estimates,
        stats: revealStats(Object.values(change.estimates).map((e) => e.value)),
      };
    case 'cleared':
      return { event: 'roomCleared', roomId };
    case 'name':
      return { event: 'userUpdated', user: { id: change.userId, name: nameOrNull(change.name) } };
    case 'closed':
      return { event: 'roomClosed', roomId };
  }
}

/**
 * What a joiner first gets (SPEC §6): `roomUpdated`, a `userJoined` per member and an
 * `estimateUpdated` per member. Hidden estimates show as `{}`, except the viewer's own.
 */
export function snapshotEvents(roomId: string, snapshot: PokerSnapshot, viewerId: string): PokerEvent[] {
  const events: PokerEvent[] = [{ event: 'roomUpdated', room: roomView(roomId, snapshot.room) }];
  for (const member of snapshot.members) {
    events.push({ event: 'userJoined', roomId, user: { id: member.id, name: nameOrNull(member.name), spectator: member.spectator } });
  }
  for (const member of snapshot.members) {
    const estimate = snapshot.estimates[member.id];
    let view: EstimateView = null;
    if (estimate) view = snapshot.room.isRevealed || member.id === viewerId ? revealed(estimate) : {};
    events.push({ event: 'estimateUpdated', roomId, userId: member.id, estimate: view });
  }
  return events;
}
