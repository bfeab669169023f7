import type { PokerRoomKeys } from './keys';
import { OP_LETTER, type PresenceChange, type ReaperChange } from './script-ops';
import { codes, integer, list, oneOf, texts } from './script-replies';
import { defineScript, type ScriptArg } from './scripts';

/** The poker room scripts (../lua/poker*-6.lua, their shared part in include/pokerRoom.lua). */

/** What every poker room script takes first (include/pokerRoom.lua). */
export interface PokerRoomArgs {
  room: PokerRoomKeys;
  roomTtlMs: number;
}

const pokerCall = (a: PokerRoomArgs, argv: readonly ScriptArg[]): { keys: string[]; argv: ScriptArg[] } => ({
  keys: [a.room.room, a.room.members, a.room.conns, a.room.estimates, a.room.names, a.room.rounds],
  argv: [a.room.channel, a.roomTtlMs, ...argv],
});

/**
 * Every negative reply of the poker scripts, one meaning per code (each script's header lists
 * the ones it returns; PokerStore maps each to a refusal). Reaped and Lapsed are the gateway's
 * fence (lua/include/gatewayFence.lua).
 */
export enum PokerReply {
  NoRoom = -1,
  NotOwner = -2,
  NotMember = -3,
  Spectator = -4,
  NotOnDeck = -5,
  Self = -6,
  Full = -7,
  Reaped = -8,
  Lapsed = -9,
}

const POKER_REPLIES = codes<PokerReply>(PokerReply);

/** A poker script's reply: the room's sequence after the change (>= 0), or a refusal. */
export type PokerSeq = { seq: number } | { refused: PokerReply };

function pokerSeq(reply: unknown): PokerSeq {
  const code = integer(reply);
  return code >= 0 ? { seq: code } : { refused: oneOf(code, POKER_REPLIES) };
}

export const pokerCreate = defineScript(
  'pokerCreate-6',
  (a: PokerRoomArgs & { ownerId: string; deck: readonly string[]; autoReveal: boolean; topic: string; createdAt: number }) =>
    pokerCall(a, [a.ownerId, JSON.stringify(a.deck), a.autoReveal ? '1' : '0', a.topic, a.createdAt]),
  (reply) => oneOf(reply, [0, 1]) === 1,
);

export interface PokerPresenceArgs extends PokerRoomArgs {
  /** The gateway's connections of the user opened, closed or re-asserted; or the reaper's drop. */
  op: PresenceChange | ReaperChange;
  /** The gateway's lease expiry as last granted (unused by drop). */
  validUntil: number;
  gatewayId: string;
  userId: string;
  count: number;
  spectator: boolean;
  /** The user's name and its version, carried into the room on a join. */
  name: string;
  nameVersion: string;
  /** Most members the room may have; a join over it is refused. */
  maxMembers: number;
  /** How long a member who leaves keeps their estimate of the round for a rejoin, ms. */
  rejoinGraceMs: number;
}

/** A join's view of the room: its fields, members and estimates as the script lists them. */
export interface PokerJoined {
  seq: number;
  /** owner, topic, revealed, deck, auto. */
  room: unknown[];
  /** Flat: user, spectator ("1"/"0"), name, ... */
  members: string[];
  /** Flat: user, estimate JSON, ... */
  estimates: unknown[];
}

export const pokerPresence = defineScript(
  'pokerPresence-6',
  (a: PokerPresenceArgs) =>
    pokerCall(a, [
      OP_LETTER[a.op],
      a.gatewayId,
      a.userId,
      a.count,
      a.spectator ? '1' : '0',
      a.name,
      a.nameVersion,
      a.maxMembers,
      a.rejoinGraceMs,
      a.validUntil,
    ]),
  (reply): PokerSeq | PokerJoined => {
    const [seq, ...rest] = list(reply, 1);
    if (rest.length === 0) return pokerSeq(seq);
    const [owner, topic, revealed, deck, auto, members, estimates] = list(rest, 7);
    return { seq: integer(seq), room: [owner, topic, revealed, deck, auto], members: texts(members), estimates: list(estimates) };
  },
);

export const pokerEstimate = defineScript(
  'pokerEstimate-6',
  (a: PokerRoomArgs & { userId: string; value: string; comment: string }) => pokerCall(a, [a.userId, a.value, a.comment]),
  pokerSeq,
);

export const pokerCards = defineScript(
  'pokerCards-6',
  (a: PokerRoomArgs & { userId: string; action: 'reveal' | 'hide' | 'clear'; now: number; roundsKept: number }) =>
    pokerCall(a, [a.userId, a.action, a.now, a.roundsKept]),
  pokerSeq,
);

export const pokerManage = defineScript(
  'pokerManage-6',
  (a: PokerRoomArgs & { userId: string; action: 'topic' | 'kick' | 'transfer'; arg: string }) => pokerCall(a, [a.userId, a.action, a.arg]),
  pokerSeq,
);

/** What pokerUser did: the room closed (its owner expired), the user's part changed, or no room. */
export type PokerUserReply = 'closed' | 'changed' | 'no_room';

export const pokerUser = defineScript(
  'pokerUser-6',
  (a: PokerRoomArgs & { userId: string } & ({ action: 'name'; name: string; version: string } | { action: 'expire' })) =>
    pokerCall(a, a.action === 'name' ? [a.userId, 'name', a.name, a.version] : [a.userId, 'expire', '', '0']),
  (reply): PokerUserReply => {
    const code = oneOf(reply, [1, 0, PokerReply.NoRoom]);
    return code === 1 ? 'closed' : code === 0 ? 'changed' : 'no_room';
  },
);
