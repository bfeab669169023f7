import { DEFAULT_OPTIONS, dataFrame } from '@banterbox/protocol';
import { keys, roomOfChannel, type RoomChannels, type RoomOp, type VoteStore } from '@banterbox/store';
import type { Logger } from '@banterbox/logger';
import type { GatewayMetrics } from '../metrics';
import type { Fanout } from '../transport/fanout';
import { LocalVoteRoom, MARKER_PREFIX, type StandingVote } from './local-vote-room';
import { SwingWatch } from './swing-watch';
import type { VoteWriter } from './vote-writer';
import type { WebhookEvents } from '../webhooks/webhook-events';

const STATE_PREFIX = '{"state":';

interface Entry {
  room: LocalVoteRoom;
  ready: Promise<LocalVoteRoom>;
}

export interface VoteRoomsDeps {
  store: VoteStore;
  channels: RoomChannels;
  writer: VoteWriter;
  fanout: Fanout;
  metrics: GatewayMetrics;
  historyLimit: number;
  webhooks: WebhookEvents;
  log: Logger;
}

/**
 * The vote rooms this gateway holds sockets in, and the one entry point for changing them: join,
 * vote and leave each update the local room and queue the matching Redis op together, so what
 * this gateway re-asserts after a resync is exactly what it wrote.
 *
 * A room is loaded on its first local socket (meta created if new, Redis channel subscribed,
 * history read) and unloaded after its last, so each gateway subscribes only to rooms it has
 * viewers in and fans each snapshot out with one uWS publish.
 */
export class VoteRooms {
  private readonly entries = new Map<string, Entry>();
  private readonly swings: SwingWatch;

  constructor(private readonly deps: VoteRoomsDeps) {
    this.swings = new SwingWatch(deps.store, deps.log);
    deps.channels.onMessage((channel, message) => this.onSnapshot(channel, message));
  }

  /** Rooms currently held, loaded or loading. */
  all(): LocalVoteRoom[] {
    return [...this.entries.values()].map((entry) => entry.room);
  }

  /**
   * Holds the room for one socket while it is loaded. The socket then `join`s it, or `release`s
   * it if it closed meanwhile.
   */
  acquire(roomId: string): Promise<LocalVoteRoom> {
    let entry = this.entries.get(roomId);
    if (!entry) {
      const room = new LocalVoteRoom(roomId, { options: [...DEFAULT_OPTIONS], open: false, tickMs: 0 }, this.deps.historyLimit);
      const created: Entry = { room, ready: this.load(room) };
      created.ready.catch(() => {
        if (this.entries.get(roomId) === created) this.entries.delete(roomId);
      });
      this.entries.set(roomId, created);
      entry = created;
    }
    entry.room.sockets += 1;
    return entry.ready;
  }

  /** Queues one of a room's ops for Redis, split by the room's voter parts and under its rules when written. */
  private queue(room: LocalVoteRoom, op: RoomOp): void {
    this.deps.writer.push(room.id, room.plan, op);
  }

  /**
   * A connection of `userId` joins an acquired room; `claimed` is the segment their token names
   * (SPEC §9), counted if the room has it. Returns the segment the user is counted in by claim.
   */
  join(room: LocalVoteRoom, userId: string, claimed?: string): string | undefined {
    room.connect(userId);
    // The batch that carries this op registers the room with the lease (and so ticks it at once).
    this.queue(room, { op: 'join', user: userId, count: 1 });
    if (claimed === undefined || !room.meta.segments?.includes(claimed)) return undefined;
    room.recordSegment(userId, claimed, true);
    this.queue(room, { op: 'segment', user: userId, segment: claimed, claimed: true });
    return claimed;
  }

  /**
   * A voter chooses their segment in a room that asks for it (SPEC §9); the first choice holds,
   * and a segment claimed by the token is never replaced by one.
   */
  chooseSegment(room: LocalVoteRoom, userId: string, segment: string): void {
    if (room.recordSegment(userId, segment, false)) this.queue(room, { op: 'segment', user: userId, segment, claimed: false });
  }

  /** A watch-only connection (the overlay) holds an acquired room: ticked at once, nobody counted. */
  watch(room: LocalVoteRoom): void {
    this.deps.writer.touchRoom(room.id);
  }

  /** A user's vote (already checked against the room's options); the newest ts wins. */
  vote(room: LocalVoteRoom, userId: string, vote: StandingVote): void {
    room.recordVote(userId, vote);
    this.queue(room, { op: 'vote', user: userId, value: vote.value, ts: vote.ts });
  }

  /** A joined connection of `userId` closed; the room is released for it. */
  leave(room: LocalVoteRoom, userId: string): void {
    room.disconnect(userId);
    this.queue(room, { op: 'leave', user: userId, count: 1 });
    this.release(room);
  }

  /** Gives back a room acquired for a socket that did not join it. */
  release(room: LocalVoteRoom): void {
    room.sockets -= 1;
    const entry = this.entries.get(room.id);
    if (room.sockets > 0 || entry?.room !== room) return;
    this.entries.delete(room.id);
    this.deps.writer.forgetRoom(room.id);
    this.deps.webhooks.forget(room.id);
    this.swings.forget(room.id);
    this.deps.channels.unsubscribe(keys.voteRoom(room.id).channel).catch((err: unknown) => {
      this.deps.log.warn({ err, room: room.id }, 'unsubscribe failed');
    });
  }

  /**
   * Writes every held room's meta, its users' connection counts on this gateway (absolute) and
   * their standing votes into Redis again, and waits until they are written.
   */
  async reassert(): Promise<void> {
    const { store, writer } = this.deps;
    const held = this.all();
    const ensure = store.batch();
    const ensured = held.map((room) => store.addEnsureRoom(ensure, room.id, room.meta));
    await ensure.exec();
    await Promise.all(ensured);
    const now = Date.now();
    for (const room of held) {
      writer.touchRoom(room.id);
      for (const [userId, user] of room.users) {
        this.queue(room, { op: 'sync', user: userId, count: user.connections });
        if (user.segment) this.queue(room, { op: 'segment', user: userId, segment: user.segment.name, claimed: user.segment.claimed });
        const vote = room.liveVote(user, now);
        if (vote) this.queue(room, { op: 'vote', user: userId, value: vote.value, ts: vote.ts });
      }
    }
    await writer.drain();
  }

  private async load(room: LocalVoteRoom): Promise<LocalVoteRoom> {
    const { store } = this.deps;
    const { created, meta } = await store.ensureRoom(room.id, room.meta);
    if (created) this.deps.webhooks.roomCreated(room.id, meta, 'join');
    room.loaded(meta);
    // Subscribe before reading history, markers and the voting state (again), so that no tick,
    // marker, close or open falls between what is read and what is heard.
    await this.deps.channels.subscribe(keys.voteRoom(room.id).channel);
    const [history, markers, now] = await Promise.all([store.history(room.id), store.markers(room.id), store.getRoom(room.id)]);
    if (now) room.loaded(now);
    room.seedHistory(history);
    room.seedMarkers(markers);
    this.swings.load(room, history);
    return room;
  }

  private onSnapshot(channel: string, message: string): void {
    const roomId = roomOfChannel(channel);
    const room = roomId === undefined ? undefined : this.entries.get(roomId)?.room;
    if (!room) return;
    if (message.startsWith(MARKER_PREFIX)) {
      if (room.acceptMarker(message)) this.deps.fanout.publish('vote', room.topic, message);
      return;
    }
    if (message.startsWith(STATE_PREFIX)) {
      // Voting closed or opened (roomVoting-2), or a new round began (roomRound-6): this gateway
      // refuses or takes votes from now on, forgets the old round's votes, and its viewers are told.
      const round = room.meta.round;
      if (!room.acceptState(message)) return;
      // A new round's worm starts at 0: that drop is no swing.
      if (room.meta.round !== round) this.swings.load(room, []);
      this.deps.fanout.publish('vote', room.topic, message);
      return;
    }
    const point = room.acceptTick(message);
    if (point === undefined) {
      this.deps.metrics.snapshotDropped('stale');
      return;
    }
    this.deps.metrics.snapshot(room.newestTs);
    this.deps.webhooks.snapshot(room.id, room.newestTs, point);
    this.swings.point(room, point);
    this.deps.fanout.publish('vote', room.topic, dataFrame([point]));
  }
}
