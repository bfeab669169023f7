import { fenceReason, type FenceReason } from './gateway-fence';
import { keys, type VoteRoomKeys, type VoterKeys } from './keys';
import { OP_LETTER, type PresenceChange } from './script-ops';
import { codes, integer, list, oneOf, optionalText, text } from './script-replies';
import { ReplyError, defineScript } from './scripts';

/**
 * The vote room scripts (../lua/roomOps-6, reapVoters-4, expireVotes-4, tickRooms-n, upgradeRooms-n,
 * ensureRoom-3, roomVoting-2, resetVoters-2, roomRound-6, addMarker-3).
 */

/**
 * One presence, segment or vote change of a vote room, applied in order by the roomOps script. A
 * segment is `claimed` by the user's token (it replaces any other) or chosen by the user (the
 * first choice holds).
 */
export type RoomOp =
  | { op: PresenceChange; user: string; count: number }
  | { op: 'vote'; user: string; value: string; ts: number }
  | { op: 'segment'; user: string; segment: string; claimed: boolean };

/** What the roomOps script needs to know of the room (RoomMeta's, as the gateway holds it). */
export interface VoterRules {
  /** The room's round as the gateway knows it: votes are for this round (older ones are ignored). */
  round: number;
  /** The room's vote expiry, ms; 0 for none. */
  voteTtlMs: number;
  /** Whether the room has segments. */
  segmented: boolean;
}

export interface RoomOpsArgs {
  /** The room's voter keys, or one voter part's (keys.voterKeys). */
  voters: VoterKeys;
  /** The gateway's own share of those voters' connections: keys.gatewayConns. */
  conns: string;
  /** The gateway's lease expiry as the registry last granted it (LeaseGrant.validUntil). */
  validUntil: number;
  rules: VoterRules;
  ops: readonly RoomOp[];
}

function opArgs(op: RoomOp): (string | number)[] {
  switch (op.op) {
    case 'vote':
      return [OP_LETTER.vote, op.user, op.value, op.ts];
    case 'segment':
      return [OP_LETTER.segment, op.user, op.segment, op.claimed ? 1 : 0];
    default:
      return [OP_LETTER[op.op], op.user, op.count, 0];
  }
}

/** What a gateway's write did: applied (with the number of stored votes it changed), or refused by the fence. */
export type WriteReply = { changed: number } | { fenced: FenceReason };

function writeReply(reply: unknown): WriteReply {
  const code = integer(reply);
  const reason = fenceReason(code);
  if (reason) return { fenced: reason };
  if (code < 0) throw new ReplyError(`unknown code ${code}`);
  return { changed: code };
}

export const roomOps = defineScript(
  'roomOps-6',
  (a: RoomOpsArgs) => ({
    keys: [a.voters.users, a.voters.votes, a.voters.tally, a.conns, a.voters.segments, a.voters.expiring],
    // Groups of four: op, user, a, b (see roomOps-6.lua).
    argv: [a.validUntil, a.rules.round, a.rules.voteTtlMs, a.rules.segmented ? 1 : 0, ...a.ops.flatMap(opArgs)],
  }),
  writeReply,
);

/** Takes votes not re-sent within the room's expiry out of the count, at most `count` a call. */
export const expireVotes = defineScript(
  'expireVotes-4',
  (a: { voters: VoterKeys; count: number }) => ({
    keys: [a.voters.users, a.voters.votes, a.voters.tally, a.voters.expiring],
    argv: [a.count],
  }),
  integer,
);

/** Starts `round` in a room's voters (its own or one part's): counts to zero, earlier votes count nowhere. */
export const resetVoters = defineScript(
  'resetVoters-2',
  (a: { voters: VoterKeys; round: number; roomTtlMs: number }) => ({
    keys: [a.voters.tally, a.voters.expiring],
    argv: [a.round, a.roomTtlMs],
  }),
  (reply) => oneOf(reply, [0, 1]) === 1,
);

/** What roomRound did: started the round, or found the room at another round (or no room). */
export type RoundReply = { result: 'started' | 'conflict'; round: number } | { result: 'no_room' };

/** Ends a room's round and starts `round` with `question` (its voters moved on first by resetVoters). */
export const roomRound = defineScript(
  'roomRound-6',
  (a: { roomId: string; round: number; question: string; now: number; roomTtlMs: number }) => {
    const room = keys.voteRoom(a.roomId);
    const kept = keys.voteRound(a.roomId, a.round - 1);
    return {
      keys: [room.meta, room.tally, room.history, room.markers, kept.history, kept.markers],
      argv: [a.question, a.now, room.channel, a.roomTtlMs, a.round],
    };
  },
  (reply): RoundReply => {
    const [code, round] = list(reply, 2).map(integer);
    if (oneOf(code, [-1, 0, 1]) === -1) return { result: 'no_room' };
    return { result: code === 1 ? 'started' : 'conflict', round: round! };
  },
);

export interface ReapVotersArgs {
  voters: VoterKeys;
  conns: string;
  cursor: string;
  count: number;
  tombstoneMs: number;
}

export const reapVoters = defineScript(
  'reapVoters-4',
  (a: ReapVotersArgs) => ({
    keys: [a.voters.users, a.voters.votes, a.voters.tally, a.conns],
    argv: [a.cursor, a.count, a.tombstoneMs],
  }),
  (reply) => {
    const [cursor, released] = list(reply, 2);
    return { cursor: text(cursor), released: integer(released) };
  },
);

/** One room of a tickRooms call. */
export interface TickedRoom {
  room: VoteRoomKeys;
  /** The room's layout as the caller knows it (the end of the tally's #tick, verbatim), "" if unknown. */
  layout: string;
  /**
   * A sharded room's connected users and counts (in the order of its options), summed by the
   * caller over its voter parts for `layout`; unset for an unsharded room.
   */
  sums?: { connected: number; counts: readonly number[] };
}

export interface TickRoomsArgs {
  /** Every room shares one slot on a Cluster (any rooms on one node). */
  rooms: readonly TickedRoom[];
  epoch: number;
  ts: number;
  /**
   * The tick this caller stored before (0 for none): a room whose state is exactly that tick with
   * `epoch` takes the script's steady path.
   */
  previousTs: number;
  historyLimit: number;
  roomTtlMs: number;
  /** Renew the rooms' expiry (and check their count of present users) in this call. */
  renew: boolean;
}

/** What tickRooms-n replied for one room. */
export enum TickResult {
  /** Stored and published; the caller's layout for the room was missing or stale: learn it. */
  StoredNewLayout = 2,
  /** The point was stored and published. */
  Stored = 1,
  /** Nothing to do: this ts or a later one is stored, or it is not on the room's tick. */
  Unchanged = 0,
  /** A leader with a newer epoch has ticked this room: the caller must step down. */
  Fenced = -1,
  /** The room has no tick state: it does not exist, or was written by an older version (upgradeRooms). */
  NoRoom = -2,
  /**
   * The room's voters are in parts and the call did not bring the parts' sums for its layout:
   * learn the layout, sum the parts and tick the room again.
   */
  Sharded = -3,
}

const TICK_RESULTS = codes<TickResult>(TickResult);

export const tickRooms = defineScript(
  'tickRooms-n',
  (a: TickRoomsArgs) => {
    const sums = a.rooms.some((r) => r.sums !== undefined)
      ? a.rooms.map(({ sums: s }) => (s ? [s.connected, ...s.counts].join('|') : ''))
      : [];
    return {
      keys: a.rooms.flatMap(({ room }) =>
        a.renew ? [room.tally, room.history, room.meta, room.users, room.markers] : [room.tally, room.history],
      ),
      argv: [
        a.epoch,
        a.ts,
        a.previousTs,
        a.historyLimit,
        a.roomTtlMs,
        a.renew ? 1 : 0,
        ...a.rooms.map(({ room }) => room.channel),
        ...a.rooms.map(({ layout }) => layout),
        ...sums,
      ],
    };
  },
  (reply) => list(reply).map((code) => oneOf(code, TICK_RESULTS)),
);

export const upgradeRooms = defineScript(
  'upgradeRooms-n',
  (a: { rooms: readonly VoteRoomKeys[] }) => ({ keys: a.rooms.flatMap((room) => [room.meta, room.tally, room.users]), argv: [] }),
  (reply) => list(reply).map((code) => oneOf(code, [0, 1]) === 1),
);

export interface EnsureRoomArgs {
  roomId: string;
  /** Options as a JSON list. */
  options: string;
  open: boolean;
  tickMs: number;
  createdAt: number;
  roomTtlMs: number;
  /** Voter parts (1: the room's own voter keys). */
  shards: number;
  /** Points of history the room keeps; 0 for the service's HISTORY_LIMIT. */
  historyLimit: number;
  /** Automatic swing markers, "<net change>:<window ms>"; "" for none. */
  swing: string;
  /** Segments as a JSON list; "" for none. */
  segments: string;
  /** The question that lets voters choose their segment; "" for none. */
  ask: string;
  /** The first round's question; "" for none. */
  question: string;
  /** Vote expiry, ms; 0 for none. */
  voteTtlMs: number;
}

/** A vote room's meta fields as stored (absent ones null). */
export interface StoredMeta {
  options: string;
  open: string | null;
  tickMs: string | null;
  shards: string | null;
  /** When voting closed (ms), null while it is open. */
  closed: string | null;
  /** Points of history the room keeps, null for the service's. */
  history: string | null;
  /** Automatic swing markers, "<net change>:<window ms>"; null for none. */
  swing: string | null;
  /** Segments as a JSON list, null for none. */
  segments: string | null;
  ask: string | null;
  question: string | null;
  /** Vote expiry, ms, null for none. */
  voteTtl: string | null;
  /** The current round, null for the first (0). */
  round: string | null;
}

/** The meta fields StoredMeta reads, in its order (HMGET and ensureRoom-3's reply). */
export const META_FIELDS = [
  'open',
  'tick_ms',
  'shards',
  'closed',
  'history',
  'swing',
  'segments',
  'ask',
  'question',
  'vote_ttl',
  'round',
] as const;

/** StoredMeta from `options` and the META_FIELDS values, in order. */
export function storedMeta(options: string, values: readonly unknown[]): StoredMeta {
  const [open, tickMs, shards, closed, history, swing, segments, ask, question, voteTtl, round] = values.map((v) =>
    optionalText(v ?? null),
  );
  return {
    options,
    open: open ?? null,
    tickMs: tickMs ?? null,
    shards: shards ?? null,
    closed: closed ?? null,
    history: history ?? null,
    swing: swing ?? null,
    segments: segments ?? null,
    ask: ask ?? null,
    question: question ?? null,
    voteTtl: voteTtl ?? null,
    round: round ?? null,
  };
}

export const ensureRoom = defineScript(
  'ensureRoom-3',
  (a: EnsureRoomArgs) => ({
    keys: [keys.voteRoom(a.roomId).meta, keys.voteRoom(a.roomId).tally, keys.voteRoom(a.roomId).users],
    argv: [
      a.options,
      a.open ? '1' : '0',
      a.tickMs,
      a.createdAt,
      a.roomTtlMs,
      a.shards,
      a.historyLimit,
      a.swing,
      a.segments,
      a.ask,
      a.question,
      a.voteTtlMs,
    ],
  }),
  (reply) => {
    const [created, options, ...rest] = list(reply, 2);
    return { created: oneOf(created, [0, 1]) === 1, meta: storedMeta(text(options), rest) };
  },
);

/** What roomVoting did: changed the room, found it so already, or found no such room. */
export type VotingReply = { result: 'changed' | 'unchanged'; closedAt: number | undefined } | { result: 'no_room' };

/** Closes (`close`) or opens voting in a vote room, telling its viewers on its channel. */
export const roomVoting = defineScript(
  'roomVoting-2',
  (a: { roomId: string; close: boolean; now: number }) => {
    const room = keys.voteRoom(a.roomId);
    return { keys: [room.meta, room.tally], argv: [a.close ? 'close' : 'open', a.now, room.channel] };
  },
  (reply): VotingReply => {
    const [code, closedAt] = list(reply, 2).map(integer);
    if (oneOf(code, [-1, 0, 1]) === -1) return { result: 'no_room' };
    return { result: code === 1 ? 'changed' : 'unchanged', closedAt: closedAt! > 0 ? closedAt : undefined };
  },
);

/** Stores a timeline marker at Redis's now and tells the room's viewers; the marker as stored, or null for no such room. */
export const addMarker = defineScript(
  'addMarker-3',
  (a: { roomId: string; label: string; auto: boolean; kept: number; roomTtlMs: number; quietMs: number }) => {
    const room = keys.voteRoom(a.roomId);
    return {
      keys: [room.meta, room.markers, room.swingQuiet],
      argv: [JSON.stringify(a.label), String(a.auto), a.kept, a.roomTtlMs, room.channel, a.quietMs],
    };
  },
  (reply) => {
    if (reply === null) return null;
    const marker = text(reply);
    if (!/^\{"ts":\d+,"label":/.test(marker)) throw new ReplyError(`not a marker: ${marker.slice(0, 40)}`);
    return marker;
  },
);
