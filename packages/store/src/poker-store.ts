import { GatewayFenced, type LeaseGrant } from './gateway-fence';
import { keys } from './keys';
import { parseEstimate, parseEstimates, parseRoomState, type PokerRoomState, type StoredEstimate } from './poker-messages';
import {
  PokerReply,
  pokerCards,
  pokerCreate,
  pokerEstimate,
  pokerManage,
  pokerPresence,
  pokerUser,
  type PokerPresenceArgs,
  type PokerRoomArgs,
  type PokerSeq,
  type PresenceChange,
} from './script-defs';
import { holdForGateway } from './registry';
import { StoreError, execPipeline, type ScriptedRedis } from './scripts';
import { SlotBatch } from './slot-batch';
import { list, optionalText, texts } from './script-replies';

export interface PokerSettings {
  /** Idle expiry of a room's keys (ROOM_TTL_S), ms. */
  roomTtlMs: number;
  maxMembers: number;
  roundsKept: number;
  /** A member who leaves keeps their estimate of the round this long for a rejoin, ms. */
  rejoinGraceMs: number;
}

export interface PokerSnapshotMember {
  id: string;
  name: string;
  spectator: boolean;
}

/** A room as a joiner first sees it, at sequence `seq`. */
export interface PokerSnapshot {
  seq: number;
  room: PokerRoomState;
  members: PokerSnapshotMember[];
  estimates: Record<string, StoredEstimate>;
}

export interface PokerRound {
  topic: string;
  clearedAt: number;
  estimates: { userId: string; name: string; value: string; comment: string }[];
}

/**
 * Why a poker script refused a change; the gateway turns each into an `error` event.
 * Codes are the scripts' negative replies.
 */
export type PokerRefusal = 'no_room' | 'not_owner' | 'full' | 'not_member' | 'spectator' | 'not_on_deck' | 'self';

export { PokerReply };

const REFUSALS: Readonly<Record<Exclude<PokerReply, PokerReply.Reaped | PokerReply.Lapsed>, PokerRefusal>> = {
  [PokerReply.NoRoom]: 'no_room',
  [PokerReply.NotOwner]: 'not_owner',
  [PokerReply.NotMember]: 'not_member',
  [PokerReply.Spectator]: 'spectator',
  [PokerReply.NotOnDeck]: 'not_on_deck',
  [PokerReply.Self]: 'self',
  [PokerReply.Full]: 'full',
};

export class PokerRefused extends Error {
  readonly code = 'poker_refused';
  constructor(readonly refusal: PokerRefusal) {
    super(`poker change refused: ${refusal}`);
    this.name = 'PokerRefused';
  }
}

/**
 * A script's sequence; for a refusal, GatewayFenced (the fence refused a write under
 * `gatewayId`) or PokerRefused.
 */
function seqOrRefusal(reply: PokerSeq, gatewayId = ''): number {
  if ('seq' in reply) return reply.seq;
  throw refusalOf(reply.refused, gatewayId);
}

function refusalOf(code: PokerReply, gatewayId: string): GatewayFenced | PokerRefused {
  if (code === PokerReply.Reaped) return new GatewayFenced('reaped', gatewayId);
  if (code === PokerReply.Lapsed) return new GatewayFenced('lapsed', gatewayId);
  return new PokerRefused(REFUSALS[code]);
}

export type PresenceOp = Exclude<PresenceChange, 'join'>;
export type CardsAction = 'reveal' | 'hide' | 'clear';
export type ManageAction = 'topic' | 'kick' | 'transfer';

/** Typed access to poker rooms in Redis: every change is one script on the room's slot. */
export class PokerStore {
  constructor(
    readonly redis: ScriptedRedis,
    private readonly settings: PokerSettings,
  ) {}

  private roomArgs(roomId: string): PokerRoomArgs {
    return { room: keys.pokerRoom(roomId), roomTtlMs: this.settings.roomTtlMs };
  }

  private presenceArgs(
    roomId: string,
    op: PokerPresenceArgs['op'],
    gatewayId: string,
    validUntil: number,
    userId: string,
    count: number,
  ): PokerPresenceArgs {
    return {
      ...this.roomArgs(roomId),
      op,
      gatewayId,
      validUntil,
      userId,
      count,
      spectator: false,
      name: '',
      nameVersion: '0',
      maxMembers: 0,
      rejoinGraceMs: this.settings.rejoinGraceMs,
    };
  }

  /** Creates a room; false when the id is taken. */
  async create(roomId: string, ownerId: string, room: Pick<PokerRoomState, 'deck' | 'autoReveal' | 'topic'>): Promise<boolean> {
    // Two slots (the room's and the user's): two commands, never one cross-slot pipeline.
    const created = await pokerCreate.run(this.redis, {
      ...this.roomArgs(roomId),
      ownerId,
      deck: room.deck,
      autoReveal: room.autoReveal,
      topic: room.topic,
      createdAt: Date.now(),
    });
    if (!created) return false;
    await this.redis.sadd(keys.user(ownerId).rooms, roomId);
    return true;
  }

  /**
   * Adds one connection of `userId` on the gateway of `grant` to a room and returns the room as
   * the connection first sees it. Registers the room with the gateway's live lease first, so a
   * reaper finds it; throws GatewayFenced when the lease is gone or the fence refused the join.
   */
  async join(roomId: string, grant: LeaseGrant, userId: string, spectator: boolean): Promise<PokerSnapshot> {
    const user = keys.user(userId);
    // The registry first (its own slot), then the user's keys (one slot, one pipeline).
    const held = await this.holdRoom(roomId, grant);
    const [, profile] = await execPipeline(this.redis.pipeline().sadd(user.rooms, roomId).hmget(user.profile, 'name', 'name_v'));
    const [name, version] = list(profile, 2).map(optionalText);
    const reply = await pokerPresence.run(this.redis, {
      ...this.presenceArgs(roomId, 'join', grant.id, held.validUntil, userId, 1),
      spectator,
      name: name ?? '',
      nameVersion: version ?? '0',
      maxMembers: this.settings.maxMembers,
    });
    if (!('room' in reply))
      throw 'refused' in reply ? refusalOf(reply.refused, grant.id) : new StoreError('pokerPresence replied to a join without the room');
    const flat = reply.members;
    const members: PokerSnapshotMember[] = [];
    for (let i = 0; i + 2 < flat.length; i += 3) members.push({ id: flat[i]!, spectator: flat[i + 1] === '1', name: flat[i + 2]! });
    return { seq: reply.seq, room: parseRoomState(reply.room), members, estimates: parseEstimates(reply.estimates) };
  }

  /**
   * Closes (`L`) or re-asserts (`S`, absolute; the room is registered with the lease first) one
   * gateway's connections of a user to a room, under the gateway's lease `grant`; throws
   * GatewayFenced when the fence refused it.
   */
  async presence(roomId: string, grant: LeaseGrant, userId: string, op: PresenceOp, count: number, spectator = false): Promise<number> {
    const validUntil = op === 'sync' ? (await this.holdRoom(roomId, grant)).validUntil : grant.validUntil;
    const reply = await pokerPresence.run(this.redis, { ...this.presenceArgs(roomId, op, grant.id, validUntil, userId, count), spectator });
    if ('room' in reply) throw new StoreError('pokerPresence replied with a snapshot to a change that is not a join');
    return seqOrRefusal(reply, grant.id);
  }

  /** Registers the room with the gateway's live lease (so its reaper finds it); GatewayFenced when the lease is gone. */
  private holdRoom(roomId: string, grant: LeaseGrant): Promise<LeaseGrant> {
    return holdForGateway(this.redis, grant.id, keys.gatewayPokerRooms(grant.id), [roomId]);
  }

  /** The reaper: drops every connection a dead gateway held in a room (its users leave unless connected elsewhere) and fences its id there. */
  async dropGateway(roomId: string, gatewayId: string): Promise<void> {
    await pokerPresence.run(this.redis, this.presenceArgs(roomId, 'drop', gatewayId, 0, '', 0));
  }

  /** Sets (or with null withdraws) a member's estimate. */
  async estimate(roomId: string, userId: string, estimate: StoredEstimate | null): Promise<number> {
    return seqOrRefusal(
      await pokerEstimate.run(this.redis, {
        ...this.roomArgs(roomId),
        userId,
        value: estimate?.value ?? '',
        comment: estimate?.comment ?? '',
      }),
    );
  }

  /** The owner reveals, hides or clears. */
  async cards(roomId: string, userId: string, action: CardsAction): Promise<number> {
    return seqOrRefusal(
      await pokerCards.run(this.redis, { ...this.roomArgs(roomId), userId, action, now: Date.now(), roundsKept: this.settings.roundsKept }),
    );
  }

  /** The owner sets the topic, kicks or transfers (`arg` is the topic or the member's id). */
  async manage(roomId: string, userId: string, action: ManageAction, arg: string): Promise<number> {
    return seqOrRefusal(await pokerManage.run(this.redis, { ...this.roomArgs(roomId), userId, action, arg }));
  }

  /** Carries a user's new name into a room (newest version wins). */
  async rename(roomId: string, userId: string, name: string, version: string): Promise<void> {
    await pokerUser.run(this.redis, { ...this.roomArgs(roomId), userId, action: 'name', name, version });
  }

  /** An expired user leaves the room, or closes it if they own it; true when it closed. */
  async expireUser(roomId: string, userId: string): Promise<boolean> {
    return (await pokerUser.run(this.redis, { ...this.roomArgs(roomId), userId, action: 'expire' })) === 'closed';
  }

  /** The room's current sequence, or null when it does not exist. */
  async seq(roomIds: readonly string[]): Promise<(number | null)[]> {
    const batch = new SlotBatch(this.redis);
    const replies = roomIds.map((roomId) =>
      batch.add(keys.pokerRoom(roomId).room, (pipeline) => pipeline.hget(keys.pokerRoom(roomId).room, 'seq')),
    );
    await batch.exec();
    return (await Promise.all(replies)).map(([value]) => (value === null || value === undefined ? null : Number(value)));
  }

  /** Recorded rounds, oldest first, or null when the room does not exist. */
  async rounds(roomId: string): Promise<PokerRound[] | null> {
    const k = keys.pokerRoom(roomId);
    const [exists, list] = await execPipeline(this.redis.pipeline().exists(k.room).lrange(k.rounds, 0, -1));
    if (exists === 0) return null;
    return texts(list).map(parseRound);
  }
}

function parseRound(json: string): PokerRound {
  const raw = JSON.parse(json) as { topic?: unknown; clearedAt?: unknown; estimates?: unknown };
  if (typeof raw.clearedAt !== 'number') throw new StoreError('stored round lacks clearedAt');
  // cjson writes an empty list as {}; a recorded round always has estimates, but read defensively.
  const items: unknown[] = Array.isArray(raw.estimates) ? raw.estimates : [];
  return {
    topic: typeof raw.topic === 'string' ? raw.topic : '',
    clearedAt: raw.clearedAt,
    estimates: items.map((item) => {
      const e = item as Record<string, unknown>;
      const { value, comment } = parseEstimate(JSON.stringify(e));
      return { userId: String(e.userId), name: typeof e.name === 'string' ? e.name : '', value, comment };
    }),
  };
}
