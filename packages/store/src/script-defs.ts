import { FenceReply, fenceReason, type FenceReason } from './gateway-fence';
import { keys, type PokerRoomKeys, type UserKeys, type VoteRoomKeys, type VoterKeys } from './keys';
import { ACTIVITY_BUCKETS, roomBucket } from './partitions';
import { codes, integer, list, oneOf, optionalText, text, texts } from './script-replies';
import { ReplyError, defineScript, type ScriptArg } from './scripts';

/**
 * Every Lua script with its named arguments and its typed reply (see each file's header in ../lua
 * for what it keeps and replies). Keys are built here from keys.ts and always reach the script
 * through KEYS; op letters exist only here, at the script boundary.
 */

/** A change of one gateway's connections of a user: opened, closed, or re-asserted (absolute). */
export type PresenceChange = 'join' | 'leave' | 'sync';

/** The reaper drops a dead gateway's connections (and fences its id): the fourth change. */
export type ReaperChange = 'drop';

const OP_LETTER: Readonly<Record<PresenceChange | ReaperChange | 'vote', string>> = {
  join: 'J',
  leave: 'L',
  sync: 'S',
  drop: 'X',
  vote: 'V',
};

/** One presence or vote change of a vote room, applied in order by the roomOps script. */
export type RoomOp = { op: PresenceChange; user: string; count: number } | { op: 'vote'; user: string; value: string; ts: number };

export interface RoomOpsArgs {
  /** The room's voter keys, or one voter part's (keys.voterKeys). */
  voters: VoterKeys;
  /** The gateway's own share of those voters' connections: keys.gatewayConns. */
  conns: string;
  /** The gateway's lease expiry as the registry last granted it (LeaseGrant.validUntil). */
  validUntil: number;
  ops: readonly RoomOp[];
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
  'roomOps-4',
  (a: RoomOpsArgs) => ({
    keys: [a.voters.users, a.voters.votes, a.voters.tally, a.conns],
    // Groups of four: op, user, a, b (see roomOps-4.lua).
    argv: [
      a.validUntil,
      ...a.ops.flatMap((op) => (op.op === 'vote' ? ['V', op.user, op.value, op.ts] : [OP_LETTER[op.op], op.user, op.count, 0])),
    ],
  }),
  writeReply,
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

/** A lease expiry (ms of Redis time), or undefined when the lease was gone or expired (reply 0). */
function leaseExpiry(reply: unknown): number | undefined {
  const expiry = integer(reply);
  if (expiry < 0) throw new ReplyError(`unknown code ${expiry}`);
  return expiry > 0 ? expiry : undefined;
}

export const holdForGateway = defineScript(
  'holdForGateway-2',
  (a: { gatewayId: string; held: string; members: readonly string[] }) => ({
    keys: [keys.gateways, a.held],
    argv: [a.gatewayId, ...a.members],
  }),
  leaseExpiry,
);

/** One room of a tickRooms call. */
export interface TickedRoom {
  room: VoteRoomKeys;
  /** The room's layout as the caller knows it (the tally's #layout, verbatim), "" if unknown. */
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
  historyLimit: number;
  roomTtlMs: number;
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
  /** The room has no tick state: it does not exist, or was created before the state moved into its tally (upgradeRooms). */
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
      keys: a.rooms.flatMap(({ room }) => [room.meta, room.users, room.tally, room.history]),
      argv: [
        a.epoch,
        a.ts,
        a.historyLimit,
        a.roomTtlMs,
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
}

/** A vote room's meta fields as stored (absent ones null). */
export interface StoredMeta {
  options: string;
  open: string | null;
  tickMs: string | null;
  shards: string | null;
}

export const ensureRoom = defineScript(
  'ensureRoom-3',
  (a: EnsureRoomArgs) => ({
    keys: [keys.voteRoom(a.roomId).meta, keys.voteRoom(a.roomId).tally, keys.voteRoom(a.roomId).users],
    argv: [a.options, a.open ? '1' : '0', a.tickMs, a.createdAt, a.roomTtlMs, a.shards],
  }),
  (reply) => {
    const [created, options, open, tickMs, shards] = list(reply, 2);
    return {
      created: oneOf(created, [0, 1]) === 1,
      meta: {
        options: text(options),
        open: optionalText(open ?? null),
        tickMs: optionalText(tickMs ?? null),
        shards: optionalText(shards ?? null),
      } satisfies StoredMeta,
    };
  },
);

export type LeaseMode = 'register' | 'renew';

export interface RenewLeaseArgs {
  gatewayId: string;
  ttlMs: number;
  mode: LeaseMode;
  /** Rooms to mark active (ticked) and registered to the gateway (reaped with it). */
  rooms: readonly string[];
}

export const renewLease = defineScript(
  'renewLease-n',
  (a: RenewLeaseArgs) => ({
    // Every activity bucket's key, in bucket order: the script finds bucket b at KEYS[2 + b + 1].
    keys: [
      keys.gateways,
      keys.gatewayRooms(a.gatewayId),
      ...Array.from({ length: ACTIVITY_BUCKETS }, (_, bucket) => keys.activeRooms(bucket)),
    ],
    argv: [a.gatewayId, a.ttlMs, a.mode, ...a.rooms.flatMap((room) => [roomBucket(room), room])],
  }),
  leaseExpiry,
);

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
  /** The gateway's lease expiry as last granted (unused by X). */
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

const userKeys = (user: UserKeys): string[] => [user.profile, user.gateways, user.rooms];

export interface UserConnectionsArgs {
  userId: string;
  gatewayId: string;
  /** drop: the reaper drops a dead gateway's connections and leaves its tombstone. */
  op: PresenceChange | ReaperChange;
  count: number;
  /** The gateway's lease expiry as last granted (unused by X). */
  validUntil: number;
  userTtlMs: number;
  backstopMs: number;
}

/** A user's connections after a change, or the fence's refusal. */
export type UserConnectionsReply =
  { connections: number; expiresAt: number; name: string | null; nameVersion: string } | { fenced: FenceReason };

export const userConnections = defineScript(
  'userConnections-3',
  (a: UserConnectionsArgs) => ({
    keys: userKeys(keys.user(a.userId)),
    argv: [a.gatewayId, OP_LETTER[a.op], a.count, a.userTtlMs, a.backstopMs, a.validUntil],
  }),
  (reply): UserConnectionsReply => {
    const [first, expiresAt, name, nameVersion] = list(reply, 1);
    if (expiresAt === undefined) {
      const reason = fenceReason(oneOf(first, codes<FenceReply>(FenceReply)));
      if (!reason) throw new ReplyError(`unknown code ${String(first)}`);
      return { fenced: reason };
    }
    const connections = integer(first);
    if (connections < 0) throw new ReplyError('negative connections');
    const stored = text(name);
    return { connections, expiresAt: integer(expiresAt), name: stored === '' ? null : stored, nameVersion: text(nameVersion) };
  },
);

export const userName = defineScript(
  'userName-3',
  (a: { userId: string; name: string }) => ({
    keys: userKeys(keys.user(a.userId)),
    argv: [a.name],
  }),
  (reply) => {
    const [version, ...rooms] = texts(list(reply, 1));
    return { version: version!, rooms };
  },
);

/** The first element of userExpire-3's reply. */
enum UserExpireCode {
  Expired = 0,
  Connected = 1,
  Later = 2,
}

/** What the expiry check found for one user. */
export type UserExpiry = { state: 'connected' } | { state: 'later'; expiresAt: number } | { state: 'expired'; rooms: string[] };

export const userExpire = defineScript(
  'userExpire-3',
  (a: { userId: string }) => ({
    keys: userKeys(keys.user(a.userId)),
    argv: [],
  }),
  (reply): UserExpiry => {
    const [state, ...rest] = list(reply, 1);
    switch (oneOf(state, codes<UserExpireCode>(UserExpireCode))) {
      case UserExpireCode.Connected:
        return { state: 'connected' };
      case UserExpireCode.Later:
        return { state: 'later', expiresAt: integer(rest[0]) };
      case UserExpireCode.Expired:
        return { state: 'expired', rooms: texts(rest) };
    }
  },
);

export const unscheduleUser = defineScript(
  'unscheduleUser-1',
  (a: { userId: string; score: string }) => ({
    keys: [keys.expiringUsers],
    argv: [a.userId, a.score],
  }),
  (reply) => oneOf(reply, [0, 1]) === 1,
);
