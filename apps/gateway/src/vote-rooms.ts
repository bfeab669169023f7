import type { TemplatedApp } from 'uWebSockets.js';
import { DEFAULT_OPTIONS } from '@banterbox/protocol';
import { keys, roomOfChannel, type Redis, type VoteStore } from '@banterbox/store';
import type { Logger } from '@banterbox/logger';
import { LocalVoteRoom } from './local-vote-room';
import type { GatewayMetrics } from './metrics';

interface Entry {
  room: LocalVoteRoom;
  ready: Promise<LocalVoteRoom>;
}

/**
 * The vote rooms this gateway holds sockets in. A room is loaded on its first local socket
 * (meta created if new, Redis channel subscribed, history read) and unloaded after its last, so
 * each gateway subscribes only to rooms it has viewers in and fans each snapshot out with one
 * uWS publish.
 */
export class VoteRooms {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly app: TemplatedApp,
    private readonly store: VoteStore,
    private readonly subscriber: Redis,
    private readonly historyLimit: number,
    private readonly log: Logger,
    private readonly metrics: GatewayMetrics,
  ) {
    subscriber.on('message', (channel: string, message: string) => this.onSnapshot(channel, message));
  }

  /** Rooms currently held, loaded or loading. */
  all(): LocalVoteRoom[] {
    return [...this.entries.values()].map((entry) => entry.room);
  }

  get(roomId: string): LocalVoteRoom | undefined {
    return this.entries.get(roomId)?.room;
  }

  /** Holds the room for one socket; the caller must `release` it exactly once. */
  acquire(roomId: string): Promise<LocalVoteRoom> {
    let entry = this.entries.get(roomId);
    if (!entry) {
      const room = new LocalVoteRoom(roomId, { options: [...DEFAULT_OPTIONS], open: false, tickMs: 0 }, this.historyLimit);
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

  release(room: LocalVoteRoom): void {
    room.sockets -= 1;
    const entry = this.entries.get(room.id);
    if (room.sockets > 0 || entry?.room !== room) return;
    this.entries.delete(room.id);
    this.subscriber.unsubscribe(keys.voteRoom(room.id).channel).catch((error: unknown) => {
      this.log.warn({ err: error, room: room.id }, 'unsubscribe failed');
    });
  }

  private async load(room: LocalVoteRoom): Promise<LocalVoteRoom> {
    const { meta } = await this.store.ensureRoom(room.id, room.meta);
    room.meta = meta;
    // Subscribe before reading history, so no tick falls between the two.
    await this.subscriber.subscribe(keys.voteRoom(room.id).channel);
    room.seedHistory(await this.store.history(room.id));
    return room;
  }

  private onSnapshot(channel: string, message: string): void {
    const roomId = roomOfChannel(channel);
    const room = roomId === undefined ? undefined : this.entries.get(roomId)?.room;
    if (!room) return;
    if (!room.acceptSnapshot(message)) {
      this.metrics.snapshotDropped('stale');
      return;
    }
    this.metrics.snapshot(room.newestTs);
    this.metrics.publish(this.app, 'vote', room.topic, message);
  }
}
