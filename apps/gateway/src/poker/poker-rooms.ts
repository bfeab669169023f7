import type { WebSocket } from 'uWebSockets.js';
import type { Logger } from '@banterbox/logger';
import { CloseCode, pokerFrame, type PokerEvent } from '@banterbox/protocol';
import {
  decodePokerMessage,
  keys,
  pokerRoomOfChannel,
  topics,
  type PokerChange,
  type PokerStore,
  type RoomChannels,
} from '@banterbox/store';
import type { Fanout } from '../transport/fanout';
import type { RateState } from '../transport/rate-limit';
import { renderChange, renderOwnEstimate } from './poker-render';

export interface PokerMembership {
  room: LocalPokerRoom;
  spectator: boolean;
}

export interface PokerSocketData {
  userId: string;
  open: boolean;
  /** Rooms this connection is in. */
  rooms: Map<string, PokerMembership>;
  /** Rooms this connection is joining (a join is in flight). */
  joining: Set<string>;
  /** Requests run one after another per connection, in the order they arrived. */
  queue: Promise<void>;
  rate: RateState;
  slowSince: number | undefined;
}

export type PokerSocket = WebSocket<PokerSocketData>;

/** One message's frames in order: `to` marks a frame for one user's sockets only (their hidden estimate's value). */
type RoomFrames = { text: string; to?: string }[];

/** Published messages kept per room so a joiner can catch up from its snapshot's seq. */
const RECENT_KEPT = 256;

/** A poker room as this gateway holds it: its sockets and where its event stream stands. */
export class LocalPokerRoom {
  readonly topic: string;
  /** The newest message forwarded to the topic; -1 before the first one is known. */
  seq = -1;
  /** Sockets in the room, joins in flight included: the room stays loaded while above 0. */
  refs = 0;
  readonly sockets = new Set<PokerSocket>();
  /** Sockets whose snapshot is newer than `seq`, waiting for the stream to catch up. */
  readonly pending = new Map<PokerSocket, number>();
  readonly recent = new Map<number, RoomFrames>();

  constructor(readonly id: string) {
    this.topic = topics.pokerRoom(id);
  }

  remember(seq: number, frames: RoomFrames): void {
    this.recent.set(seq, frames);
    if (this.recent.size > RECENT_KEPT) this.recent.delete(this.recent.keys().next().value as number);
  }

  /** What `userId` was sent after `seq` (their own frames included), or undefined if some are no longer kept. */
  framesAfter(seq: number, userId: string): string[] | undefined {
    const frames: string[] = [];
    for (let s = seq + 1; s <= this.seq; s += 1) {
      const kept = this.recent.get(s);
      if (!kept) return undefined;
      for (const frame of kept) {
        if (frame.to === undefined || frame.to === userId) frames.push(frame.text);
      }
    }
    return frames;
  }

  /** Local sockets of one user, for resync. */
  usersHere(): Map<string, { count: number; spectator: boolean }> {
    const users = new Map<string, { count: number; spectator: boolean }>();
    for (const ws of this.sockets) {
      const data = ws.getUserData();
      const entry = users.get(data.userId) ?? { count: 0, spectator: data.rooms.get(this.id)?.spectator ?? false };
      entry.count += 1;
      users.set(data.userId, entry);
    }
    return users;
  }
}

/**
 * The poker rooms this gateway has sockets in. A room's Redis channel is subscribed while the
 * room has local sockets; each published message is rendered once and published to the room's
 * uWS topic. Messages carry the room's sequence number: duplicates are dropped, a joiner gets
 * exactly the messages after its snapshot, and a gap (lost messages) makes the room's sockets
 * reconnect with 4010.
 */
export class PokerRooms {
  private readonly rooms = new Map<string, LocalPokerRoom>();
  private readonly subscribing = new Map<string, Promise<void>>();

  constructor(
    private readonly store: PokerStore,
    private readonly channels: RoomChannels,
    private readonly fanout: Fanout,
    private readonly log: Logger,
    /** MAX_BACKPRESSURE_BYTES: uWS drops what is sent to a socket whose send buffer is over it. */
    private readonly maxBackpressureBytes: number,
    /** Told every change of a held room, with the room's message number (webhook events). */
    private readonly onChange: (roomId: string, seq: number, change: PokerChange) => void = () => undefined,
  ) {
    channels.onMessage((channel, message) => this.onMessage(channel, message));
  }

  all(): LocalPokerRoom[] {
    return [...this.rooms.values()];
  }

  /** Holds the room (subscribed) for one socket; the caller must `release` it exactly once. */
  async acquire(roomId: string): Promise<LocalPokerRoom> {
    let room = this.rooms.get(roomId);
    if (!room) {
      room = new LocalPokerRoom(roomId);
      this.rooms.set(roomId, room);
    }
    room.refs += 1;
    let subscribed = this.subscribing.get(roomId);
    if (!subscribed) {
      subscribed = this.channels.subscribe(keys.pokerRoom(roomId).channel);
      this.subscribing.set(roomId, subscribed);
    }
    try {
      await subscribed;
    } catch (error) {
      if (this.subscribing.get(roomId) === subscribed) this.subscribing.delete(roomId);
      this.release(room);
      throw error;
    }
    return room;
  }

  release(room: LocalPokerRoom): void {
    room.refs -= 1;
    if (room.refs > 0 || this.rooms.get(room.id) !== room) return;
    this.rooms.delete(room.id);
    this.subscribing.delete(room.id);
    this.channels.unsubscribe(keys.pokerRoom(room.id).channel).catch((err: unknown) => {
      this.log.warn({ err, room: room.id }, 'unsubscribe failed');
    });
  }

  /**
   * Sends a joiner its snapshot (taken at `snapshotSeq`) and then every event after it, exactly
   * once: at once if the stream has passed the snapshot, otherwise when it gets there.
   */
  admit(ws: PokerSocket, room: LocalPokerRoom, snapshotSeq: number, snapshot: PokerEvent[]): void {
    room.sockets.add(ws);
    let sent = true;
    ws.cork(() => {
      for (const event of snapshot) if (sent) sent = this.sendOne(ws, pokerFrame(event));
    });
    if (!sent) return;
    if (room.seq < 0) room.seq = snapshotSeq;
    if (room.seq >= snapshotSeq) this.catchUp(ws, room, snapshotSeq);
    else room.pending.set(ws, snapshotSeq);
  }

  private catchUp(ws: PokerSocket, room: LocalPokerRoom, fromSeq: number): void {
    const frames = room.framesAfter(fromSeq, ws.getUserData().userId);
    if (!frames) {
      ws.end(CloseCode.Resync, 'room events lost; rejoin');
      return;
    }
    ws.cork(() => {
      for (const frame of frames) if (!this.sendOne(ws, frame)) return;
      ws.subscribe(room.topic);
    });
  }

  /** Sends one frame; a socket that cannot take it is closed with 4010 instead (its page rejoins). */
  private sendOne(ws: PokerSocket, frame: string): boolean {
    if (this.wouldOverflow(ws, frame)) {
      this.fanout.dropped();
      this.fellBehind(ws);
      return false;
    }
    if (this.fanout.send(ws, 'poker', frame)) return true;
    this.fellBehind(ws);
    return false;
  }

  /** A socket that missed (or would miss) an event rejoins from a fresh snapshot. */
  private fellBehind(ws: PokerSocket): void {
    ws.end(CloseCode.Resync, 'fell behind; rejoin');
  }

  /**
   * Whether `frame` would take the socket's send buffer past the backpressure limit: past it, uWS
   * drops what is sent, the close frame too. Closing before that leaves room for the 4010.
   */
  private wouldOverflow(ws: PokerSocket, frame: string): boolean {
    return ws.getBufferedAmount() + Buffer.byteLength(frame) > this.maxBackpressureBytes;
  }

  /**
   * Poker events are changes, not full states: a socket that misses one is wrong from then on.
   * Before a frame is published, the room's sockets that could not take it within the
   * backpressure limit are closed with 4010, so their page rejoins from a fresh snapshot instead
   * of missing, say, the reveal.
   */
  private closeLaggards(room: LocalPokerRoom, frame: string): void {
    for (const ws of [...room.sockets]) {
      if (!room.pending.has(ws) && this.wouldOverflow(ws, frame)) {
        this.fanout.dropped();
        this.fellBehind(ws);
      }
    }
  }

  /** Takes a socket out of a room (it left, was kicked, or the room closed). */
  detach(ws: PokerSocket, room: LocalPokerRoom): void {
    const data = ws.getUserData();
    if (data.rooms.get(room.id)?.room !== room) return;
    data.rooms.delete(room.id);
    room.sockets.delete(ws);
    room.pending.delete(ws);
    if (data.open) ws.unsubscribe(room.topic);
    this.release(room);
  }

  private onMessage(channel: string, text: string): void {
    const roomId = pokerRoomOfChannel(channel);
    const room = roomId === undefined ? undefined : this.rooms.get(roomId);
    if (!room || roomId === undefined) return;
    let message;
    try {
      message = decodePokerMessage(text);
    } catch (err) {
      this.log.error({ err, room: roomId }, 'unreadable poker message');
      return;
    }
    if (room.seq >= 0 && message.seq <= room.seq) return; // a duplicate
    if (room.seq >= 0 && message.seq !== room.seq + 1) {
      this.log.warn({ room: roomId, had: room.seq, got: message.seq }, 'poker room events lost; sockets will rejoin');
      this.resync(room);
      return;
    }
    const frames: RoomFrames = [];
    for (const change of message.changes) {
      frames.push({ text: pokerFrame(renderChange(roomId, change)) });
      const own = renderOwnEstimate(roomId, change);
      if (own) frames.push({ text: pokerFrame(own.event), to: own.userId });
    }
    room.seq = message.seq;
    room.remember(message.seq, frames);
    this.deliver(room, frames);
    for (const change of message.changes) this.onChange(roomId, message.seq, change);
    for (const change of message.changes) {
      if (change.kind === 'closed') this.dropRoom(room);
      else if (change.kind === 'left' && change.reason === 'kicked') {
        for (const ws of [...room.sockets]) if (ws.getUserData().userId === change.userId) this.detach(ws, room);
      }
    }
    for (const [ws, seq] of room.pending) {
      if (seq > room.seq) continue;
      room.pending.delete(ws);
      this.catchUp(ws, room, seq);
    }
  }

  /** Publishes a message's frames to the room's topic; a frame for one user goes to that user's sockets after it. */
  private deliver(room: LocalPokerRoom, frames: RoomFrames): void {
    for (const frame of frames) {
      if (frame.to === undefined) {
        this.closeLaggards(room, frame.text);
        this.fanout.publish('poker', room.topic, frame.text);
        continue;
      }
      for (const ws of room.sockets) {
        if (ws.getUserData().userId === frame.to && !room.pending.has(ws)) this.sendOne(ws, frame.text);
      }
    }
  }

  /** The room is gone: its sockets leave it (they were sent roomClosed). */
  private dropRoom(room: LocalPokerRoom): void {
    for (const ws of [...room.sockets]) this.detach(ws, room);
  }

  /** Events were lost: the room's sockets reconnect and re-join from a fresh snapshot. */
  private resync(room: LocalPokerRoom): void {
    for (const ws of [...room.sockets]) ws.end(CloseCode.Resync, 'room events lost; rejoin');
  }

  /**
   * After the subscriber reconnected or Redis failed over: rooms whose stored sequence moved past
   * what this gateway forwarded lost events, and rooms whose stored sequence went back lost
   * writes in a failover (later events would look like duplicates): their sockets rejoin from a
   * fresh snapshot. Rooms that no longer exist are closed.
   */
  async verify(): Promise<void> {
    const rooms = this.all().filter((room) => room.seq >= 0);
    const stored = await this.store.seq(rooms.map((room) => room.id));
    rooms.forEach((room, i) => {
      const seq = stored[i];
      if (seq === null || seq === undefined) this.closeLocally(room);
      else if (seq !== room.seq) this.resync(room);
    });
  }

  /** Tells the room's local sockets it closed (Redis lost it) and drops it. */
  closeLocally(room: LocalPokerRoom): void {
    const frame = pokerFrame({ event: 'roomClosed', roomId: room.id });
    this.fanout.publish('poker', room.topic, frame);
    for (const ws of [...room.pending.keys()]) this.sendOne(ws, frame);
    this.dropRoom(room);
  }
}
