import { nanoid } from 'nanoid';
import type { Logger } from '@banterbox/logger';
import { PokerLimits, pokerErrorFrame, pokerFrame, type PokerRequest } from '@banterbox/protocol';
import { GatewayFenced, PokerRefused, type PokerRefusal, type PokerStore, type UserStore } from '@banterbox/store';
import { LeaseNotLive, liveGrant, type GatewayIdentity } from '../lifecycle/gateway-lease';
import { snapshotEvents } from './poker-render';
import type { PokerRooms, PokerSocket } from './poker-rooms';

/** A request the rules refuse; the client gets `{"event":"error","message",...}` and stays. */
export class PokerRuleError extends Error {
  readonly code = 'poker_rule';
  constructor(
    message: string,
    readonly roomId?: string,
  ) {
    super(message);
    this.name = 'PokerRuleError';
  }
}

type OwnerAction = 'reveal' | 'hide' | 'clear' | 'setTopic' | 'kick' | 'transferOwnership';

const OWNER_ONLY: Readonly<Record<OwnerAction, string>> = {
  reveal: 'Only the room owner can reveal estimates',
  hide: 'Only the room owner can hide estimates',
  clear: 'Only the room owner can clear estimates',
  setTopic: 'Only the room owner can set the topic',
  kick: 'Only the room owner can kick members',
  transferOwnership: 'Only the room owner can transfer ownership',
};

function refusalMessage(refusal: PokerRefusal, request: PokerRequest): string {
  switch (refusal) {
    case 'no_room':
      return 'Room not found';
    case 'full':
      return `Room is full (${PokerLimits.maxRoomMembers} members)`;
    case 'not_owner':
      return OWNER_ONLY[request.kind as OwnerAction] ?? 'Only the room owner can do that';
    case 'not_member':
      return request.kind === 'estimate' ? 'Join the room before estimating' : 'That user is not a member of this room';
    case 'spectator':
      return 'Spectators cannot estimate';
    case 'not_on_deck':
      return "Estimate must be one of the room's cards";
    case 'self':
      return request.kind === 'kick' ? 'The owner cannot kick themself' : 'You already own this room';
  }
}

export interface PokerHandlerDeps {
  rooms: PokerRooms;
  poker: PokerStore;
  users: UserStore;
  identity: GatewayIdentity;
  log: Logger;
  /** Starts timing a request's Redis work; call the result when it is done. */
  redisTimer: (op: string) => () => void;
}

/** Carries out one poker request for one socket (SPEC §6). Rule violations throw PokerRuleError. */
export class PokerHandler {
  constructor(private readonly deps: PokerHandlerDeps) {}

  async handle(ws: PokerSocket, request: PokerRequest): Promise<void> {
    const done = this.deps.redisTimer(`poker_${request.kind}`);
    try {
      await this.dispatch(ws, request);
    } catch (error) {
      this.writeFailed(error);
      if (error instanceof PokerRefused) {
        throw new PokerRuleError(refusalMessage(error.refusal, request), 'roomId' in request ? request.roomId : undefined);
      }
      throw error;
    } finally {
      done();
    }
  }

  private async dispatch(ws: PokerSocket, request: PokerRequest): Promise<void> {
    const { poker } = this.deps;
    const userId = ws.getUserData().userId;
    switch (request.kind) {
      case 'setName':
        return this.setName(ws, request.name);
      case 'createRoom':
        return this.createRoom(ws, request);
      case 'joinRoom':
        return this.join(ws, request.roomId, request.spectator);
      case 'leaveRoom':
        return this.leave(ws, request.roomId);
      case 'estimate':
        await poker.estimate(request.roomId, userId, request.estimate);
        return;
      case 'reveal':
      case 'hide':
      case 'clear':
        await poker.cards(request.roomId, userId, request.kind);
        return;
      case 'setTopic':
        await poker.manage(request.roomId, userId, 'topic', request.topic);
        return;
      case 'kick':
        await poker.manage(request.roomId, userId, 'kick', request.userId);
        return;
      case 'transferOwnership':
        await poker.manage(request.roomId, userId, 'transfer', request.userId);
        return;
    }
  }

  private async setName(ws: PokerSocket, name: string): Promise<void> {
    const userId = ws.getUserData().userId;
    const { version, rooms } = await this.deps.users.setName(userId, name);
    await Promise.all(rooms.map((roomId) => this.deps.poker.rename(roomId, userId, name, version)));
    // A connection in a room hears it from the room, like every other member; else it is told here.
    const data = ws.getUserData();
    if (data.open && data.rooms.size === 0) ws.send(pokerFrame({ event: 'userUpdated', user: { id: userId, name } }));
  }

  private async createRoom(ws: PokerSocket, request: Extract<PokerRequest, { kind: 'createRoom' }>): Promise<void> {
    const roomId = request.roomId ?? nanoid(11);
    this.checkRoomSlots(ws);
    const created = await this.deps.poker.create(roomId, ws.getUserData().userId, request);
    if (!created) throw new PokerRuleError('A room with that id already exists', roomId);
    if (ws.getUserData().open) ws.send(pokerFrame({ event: 'roomCreated', roomId }));
    await this.join(ws, roomId, false);
  }

  /** Refuses a join into a room the connection is in, or past the rooms-per-connection limit. */
  private checkRoomSlots(ws: PokerSocket, roomId?: string): void {
    const data = ws.getUserData();
    if (roomId !== undefined && (data.rooms.has(roomId) || data.joining.has(roomId)))
      throw new PokerRuleError('Already in this room', roomId);
    if (data.rooms.size + data.joining.size >= PokerLimits.maxRoomsPerConnection) {
      throw new PokerRuleError(`A connection can be in at most ${PokerLimits.maxRoomsPerConnection} rooms`, roomId);
    }
  }

  /** Adds this connection to a room and sends it the snapshot, then the room's live events. */
  async join(ws: PokerSocket, roomId: string, spectator: boolean): Promise<void> {
    this.checkRoomSlots(ws, roomId);
    const data = ws.getUserData();
    data.joining.add(roomId);
    try {
      const room = await this.deps.rooms.acquire(roomId);
      let snapshot;
      try {
        snapshot = await this.deps.poker.join(roomId, liveGrant(this.deps.identity), data.userId, spectator);
      } catch (error) {
        this.deps.rooms.release(room);
        throw error;
      }
      if (!data.open) {
        this.deps.rooms.release(room);
        await this.deps.poker.presence(roomId, liveGrant(this.deps.identity), data.userId, 'leave', 1);
        return;
      }
      data.rooms.set(roomId, { room, spectator });
      this.deps.rooms.admit(ws, room, snapshot.seq, snapshotEvents(roomId, snapshot, data.userId));
    } finally {
      data.joining.delete(roomId);
    }
  }

  private async leave(ws: PokerSocket, roomId: string): Promise<void> {
    const membership = ws.getUserData().rooms.get(roomId);
    if (!membership) throw new PokerRuleError('Not in this room', roomId);
    this.deps.rooms.detach(ws, membership.room);
    await this.deps.poker.presence(roomId, liveGrant(this.deps.identity), ws.getUserData().userId, 'leave', 1);
  }

  /**
   * Re-asserts this gateway's poker connections (users and room memberships) under its current
   * grant (a new id: see GatewayLease). Rooms Redis no longer has are closed for their local
   * sockets.
   */
  async reassert(sockets: Iterable<PokerSocket>): Promise<void> {
    const { poker, users, rooms } = this.deps;
    const grant = liveGrant(this.deps.identity);
    const perUser = new Map<string, number>();
    for (const ws of sockets) perUser.set(ws.getUserData().userId, (perUser.get(ws.getUserData().userId) ?? 0) + 1);
    await Promise.all([...perUser].map(([userId, count]) => users.connections(userId, grant, 'sync', count)));
    const work: Promise<unknown>[] = [];
    for (const room of rooms.all()) {
      for (const [userId, { count, spectator }] of room.usersHere()) {
        work.push(
          poker.presence(room.id, grant, userId, 'sync', count, spectator).catch((error: unknown) => {
            if (!(error instanceof PokerRefused)) throw error;
            rooms.closeLocally(room);
            return 0;
          }),
        );
      }
    }
    await Promise.all(work);
  }

  /**
   * The socket closed: it leaves its rooms and the user loses one connection. When that cannot
   * be written (the lease is not live, or the fence refused it), the lease's resync moves to a
   * new id without this socket and the reaper takes the old id's share out.
   */
  async closed(userId: string, roomIds: string[]): Promise<void> {
    try {
      const grant = liveGrant(this.deps.identity);
      await Promise.all(roomIds.map((roomId) => this.deps.poker.presence(roomId, grant, userId, 'leave', 1).catch(ignoreGoneRoom)));
      await this.deps.users.connections(userId, grant, 'leave', 1);
    } catch (error) {
      this.writeFailed(error);
      if (!(error instanceof GatewayFenced || error instanceof LeaseNotLive)) throw error;
    }
  }

  /**
   * A write of this gateway's did not land: refused by the fence (re-assert now, under a new id)
   * or not made at all (re-assert at the next renewal, under a new id without what changed since,
   * so a leave that was lost is taken out by the reaper). A refusal by the room's rules needs nothing.
   */
  private writeFailed(error: unknown): void {
    if (error instanceof GatewayFenced) this.deps.identity.fenced(error);
    else if (!(error instanceof PokerRefused || error instanceof PokerRuleError)) this.deps.identity.repair('a poker write did not land');
  }
}

function ignoreGoneRoom(error: unknown): number {
  if (error instanceof PokerRefused) return 0;
  throw error;
}

/** For the socket layer: an error frame for a PokerRuleError. */
export function ruleErrorFrame(error: PokerRuleError): string {
  return pokerErrorFrame(error.message, error.roomId === undefined ? {} : { roomId: error.roomId });
}
