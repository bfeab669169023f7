import { keys, type PokerRoomKeys, type UserKeys, type VoteRoomKeys, type VoterKeys } from './keys';
import { ACTIVITY_BUCKETS, roomBucket } from './partitions';
import { defineScript, type ScriptArg } from './scripts';

/**
 * Every Lua script with its named arguments (see each file's header in ../lua for what it keeps
 * and replies). Keys are built here from keys.ts and always reach the script through KEYS.
 */

/** A vote room's ops, flattened in groups of four: op, user, a, b (see roomOps-4.lua). */
export interface RoomOpsArgs {
  /** The room's voter keys, or one voter part's (keys.voterKeys). */
  voters: VoterKeys;
  /** The gateway's own share of those voters' connections: keys.gatewayConns. */
  conns: string;
  /** The gateway's lease expiry as the registry last granted it (LeaseGrant.validUntil). */
  validUntil: number;
  ops: readonly ScriptArg[];
}

export const roomOps = defineScript('roomOps-4', (a: RoomOpsArgs) => ({
  keys: [a.voters.users, a.voters.votes, a.voters.tally, a.conns],
  argv: [a.validUntil, ...a.ops],
}));

/**
 * Why a gateway's write was refused (include/gatewayFence.lua): the negative replies -1 and -2 of
 * roomOps and userConnections (pokerPresence maps them into the poker table: PokerReply).
 */
export enum FenceReply {
  /** The reaper reaped the gateway id in this slot. */
  Reaped = -1,
  /** The lease the write carried has lapsed. */
  Lapsed = -2,
}

export interface ReapVotersArgs {
  voters: VoterKeys;
  conns: string;
  cursor: string;
  count: number;
  tombstoneMs: number;
}

export const reapVoters = defineScript('reapVoters-4', (a: ReapVotersArgs) => ({
  keys: [a.voters.users, a.voters.votes, a.voters.tally, a.conns],
  argv: [a.cursor, a.count, a.tombstoneMs],
}));

export const holdForGateway = defineScript('holdForGateway-2', (a: { gatewayId: string; held: string; members: readonly string[] }) => ({
  keys: [keys.gateways, a.held],
  argv: [a.gatewayId, ...a.members],
}));

/** A sharded room's counts, summed over its voter parts. */
export interface RoomSums {
  shards: number;
  /** The room's options as stored in meta (its JSON list, verbatim). */
  optionsJson: string;
  connected: number;
  /** Counts in the order of the options. */
  counts: readonly number[];
}

/** One room of a tickRooms call. */
export interface TickedRoom {
  room: VoteRoomKeys;
  /**
   * The room's counts summed by the caller over its voter parts, for the layout the caller knows
   * (voter parts and options as stored in meta; a different layout replies Sharded): then the
   * script does not read the room's own users and tally. Unset for an unsharded room.
   */
  summed?: RoomSums;
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
  /** The point was stored and published. */
  Stored = 1,
  /** Nothing to do: this ts or a later one is stored, or it is not on the room's tick. */
  Unchanged = 0,
  /**
   * The room's voters are in parts (or no longer are) and the call did not bring the parts'
   * sums for that layout: sum them and tick the room again.
   */
  Sharded = -3,
  /** A leader with a newer epoch has ticked this room: the caller must step down. */
  Fenced = -1,
  /** The room has no meta (never created, or lost). */
  NoRoom = -2,
}

export const tickRooms = defineScript('tickRooms-n', (a: TickRoomsArgs) => {
  const summed = a.rooms.some((r) => r.summed !== undefined)
    ? a.rooms.map(({ summed: s }) => (s ? [s.shards, s.optionsJson, s.connected, ...s.counts].join('|') : ''))
    : [];
  return {
    keys: a.rooms.flatMap(({ room }) => [room.meta, room.users, room.tally, room.history]),
    argv: [a.epoch, a.ts, a.historyLimit, a.roomTtlMs, ...a.rooms.map(({ room }) => room.channel), ...summed],
  };
});

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

export const ensureRoom = defineScript('ensureRoom-1', (a: EnsureRoomArgs) => ({
  keys: [keys.voteRoom(a.roomId).meta],
  argv: [a.options, a.open ? '1' : '0', a.tickMs, a.createdAt, a.roomTtlMs, a.shards],
}));

export type LeaseMode = 'register' | 'renew';

export interface RenewLeaseArgs {
  gatewayId: string;
  ttlMs: number;
  mode: LeaseMode;
  /** Rooms to mark active (ticked) and registered to the gateway (reaped with it). */
  rooms: readonly string[];
}

export const renewLease = defineScript('renewLease-18', (a: RenewLeaseArgs) => ({
  keys: [keys.gateways, keys.gatewayRooms(a.gatewayId), ...Array.from({ length: ACTIVITY_BUCKETS }, (_, bucket) => keys.activeRooms(bucket))],
  argv: [a.gatewayId, a.ttlMs, a.mode, ...a.rooms.flatMap((room) => [roomBucket(room), room])],
}));

/** What every poker room script takes first (include/pokerRoom.lua). */
export interface PokerRoomArgs {
  room: PokerRoomKeys;
  roomTtlMs: number;
}

const pokerCall = (a: PokerRoomArgs, argv: readonly ScriptArg[]): { keys: string[]; argv: ScriptArg[] } => ({
  keys: [a.room.room, a.room.members, a.room.conns, a.room.estimates, a.room.names, a.room.rounds],
  argv: [a.room.channel, a.roomTtlMs, ...argv],
});

export const pokerCreate = defineScript('pokerCreate-6', (a: PokerRoomArgs & { ownerId: string; deck: readonly string[]; autoReveal: boolean; topic: string; createdAt: number }) =>
  pokerCall(a, [a.ownerId, JSON.stringify(a.deck), a.autoReveal ? '1' : '0', a.topic, a.createdAt]),
);

export interface PokerPresenceArgs extends PokerRoomArgs {
  /** J join, L leave, S sync (absolute), X the reaper drops a dead gateway's connections. */
  op: 'J' | 'L' | 'S' | 'X';
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

export const pokerPresence = defineScript('pokerPresence-6', (a: PokerPresenceArgs) =>
  pokerCall(a, [a.op, a.gatewayId, a.userId, a.count, a.spectator ? '1' : '0', a.name, a.nameVersion, a.maxMembers, a.rejoinGraceMs, a.validUntil]),
);

export const pokerEstimate = defineScript('pokerEstimate-6', (a: PokerRoomArgs & { userId: string; value: string; comment: string }) =>
  pokerCall(a, [a.userId, a.value, a.comment]),
);

export const pokerCards = defineScript('pokerCards-6', (a: PokerRoomArgs & { userId: string; action: 'reveal' | 'hide' | 'clear'; now: number; roundsKept: number }) =>
  pokerCall(a, [a.userId, a.action, a.now, a.roundsKept]),
);

export const pokerManage = defineScript('pokerManage-6', (a: PokerRoomArgs & { userId: string; action: 'topic' | 'kick' | 'transfer'; arg: string }) =>
  pokerCall(a, [a.userId, a.action, a.arg]),
);

export const pokerUser = defineScript('pokerUser-6', (a: PokerRoomArgs & { userId: string } & ({ action: 'name'; name: string; version: string } | { action: 'expire' })) =>
  pokerCall(a, a.action === 'name' ? [a.userId, 'name', a.name, a.version] : [a.userId, 'expire', '', '0']),
);

const userKeys = (user: UserKeys): string[] => [user.profile, user.gateways, user.rooms];

export interface UserConnectionsArgs {
  userId: string;
  gatewayId: string;
  /** X: the reaper drops a dead gateway's connections and leaves its tombstone. */
  op: 'J' | 'L' | 'S' | 'X';
  count: number;
  /** The gateway's lease expiry as last granted (unused by X). */
  validUntil: number;
  userTtlMs: number;
  backstopMs: number;
}

export const userConnections = defineScript('userConnections-3', (a: UserConnectionsArgs) => ({
  keys: userKeys(keys.user(a.userId)),
  argv: [a.gatewayId, a.op, a.count, a.userTtlMs, a.backstopMs, a.validUntil],
}));

export const userName = defineScript('userName-3', (a: { userId: string; name: string }) => ({
  keys: userKeys(keys.user(a.userId)),
  argv: [a.name],
}));

/** The first element of userExpire-3's reply. */
export enum UserExpireCode {
  Expired = 0,
  Connected = 1,
  Later = 2,
}

export const userExpire = defineScript('userExpire-3', (a: { userId: string }) => ({
  keys: userKeys(keys.user(a.userId)),
  argv: [],
}));

export const unscheduleUser = defineScript('unscheduleUser-1', (a: { userId: string; score: string }) => ({
  keys: [keys.expiringUsers],
  argv: [a.userId, a.score],
}));
