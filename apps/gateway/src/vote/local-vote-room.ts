import {
  compactHistoryFrame,
  dataFrame,
  decodeVoteServerFrame,
  pointOfSnapshot,
  pointTs,
  stateFrame,
  type VoteServerFrame,
} from '@banterbox/protocol';
import { MARKERS_KEPT, topics, type RoomMeta } from '@banterbox/store';

export const MARKER_PREFIX = '{"marker":';

/** A frame published on a room's channel, decoded; undefined for anything the codec refuses. */
function decoded(frame: string): VoteServerFrame | undefined {
  try {
    return decodeVoteServerFrame(frame);
  } catch {
    return undefined;
  }
}

export interface StandingVote {
  value: string;
  ts: number;
}

/** A user as this gateway sees them in one room: its connections and their newest vote. */
export interface LocalUser {
  connections: number;
  vote: StandingVote | undefined;
}

/**
 * One vote room as held by one gateway while it has local sockets there: the room's meta, the
 * users connected here (the truth this gateway re-asserts after Redis loses data), and a copy of
 * the room's history, so a join is served without a Redis round trip.
 */
export class LocalVoteRoom {
  readonly topic: string;
  readonly users = new Map<string, LocalUser>();
  /** Sockets authenticated (or authenticating) into this room here. */
  sockets = 0;
  meta: RoomMeta;
  private points: string[] = [];
  private lastTs = 0;
  /** The room's markers as stored (JSON, `ts` first), oldest first. */
  private markers: string[] = [];
  /** When the voting state this gateway knows was set (closed or opened), 0 for never. */
  private stateTs = 0;
  private historyCache: string | undefined;
  private compactCache: string | undefined;

  constructor(
    readonly id: string,
    meta: RoomMeta,
    private readonly historyLimit: number,
  ) {
    this.topic = topics.voteRoom(id);
    this.meta = meta;
  }

  /** Newest tick this gateway has seen for the room. */
  get newestTs(): number {
    return this.lastTs;
  }

  /** Takes the meta read from Redis, keeping a voting state heard on the channel while it was read. */
  loaded(meta: RoomMeta): void {
    this.meta = this.stateTs > 0 ? { ...meta, closedAt: this.meta.closedAt } : meta;
  }

  /** Merges stored history (oldest first) with points that arrived while it was read. */
  seedHistory(stored: readonly string[]): void {
    const live = this.points;
    const merged = [...stored];
    let newest = stored.length > 0 ? pointTs(stored[stored.length - 1] ?? '') : 0;
    for (const point of live) {
      const ts = pointTs(point);
      if (ts > newest) {
        merged.push(point);
        newest = ts;
      }
    }
    this.points = merged.slice(-this.historyLimit);
    this.lastTs = Math.max(this.lastTs, Number.isNaN(newest) ? 0 : newest);
    this.historyCache = undefined;
    this.compactCache = undefined;
  }

  /**
   * Takes a published snapshot `{"data":[point]}`. Returns false (drop it) if it is not newer
   * than what this room already has.
   */
  acceptSnapshot(frame: string): boolean {
    const point = pointOfSnapshot(frame);
    const ts = point === undefined ? NaN : pointTs(point);
    if (point === undefined || Number.isNaN(ts) || ts <= this.lastTs) return false;
    this.lastTs = ts;
    this.points.push(point);
    if (this.points.length > this.historyLimit) this.points.splice(0, this.points.length - this.historyLimit);
    this.historyCache = undefined;
    this.compactCache = undefined;
    return true;
  }

  /**
   * Takes a published voting state `{"state":{"closed","ts"}}` (roomVoting-2). Returns false (drop
   * it) if it is not one or is older than the state the room has.
   */
  acceptState(frame: string): boolean {
    const state = decoded(frame);
    if (state?.kind !== 'state' || state.ts < this.stateTs) return false;
    this.stateTs = state.ts;
    this.meta = { ...this.meta, closedAt: state.closed ? state.ts : undefined };
    return true;
  }

  /** The frame a joining client gets after the history while voting is closed; undefined while open. */
  closedFrame(): string | undefined {
    const closedAt = this.meta.closedAt;
    return closedAt === undefined ? undefined : stateFrame({ closed: true, ts: closedAt });
  }

  /**
   * The join frame: every point kept, or those after `since`; `compact` as columns of differences
   * (a fifth of the bytes). The whole history is built once per tick in either form, however many
   * join in that tick.
   */
  historyFrame(since: number | undefined, compact = false): string {
    if (since !== undefined) {
      const after = this.points.filter((point) => pointTs(point) > since);
      const markers = this.markers.filter((marker) => pointTs(marker) > since);
      return compact ? compactHistoryFrame(after, this.meta.options, markers) : dataFrame(after, markers);
    }
    if (compact) return (this.compactCache ??= compactHistoryFrame(this.points, this.meta.options, this.markers));
    return (this.historyCache ??= dataFrame(this.points, this.markers));
  }

  /** Takes the room's stored markers (oldest first), keeping those heard on the channel while they were read. */
  seedMarkers(stored: readonly string[]): void {
    const newest = stored.length > 0 ? pointTs(stored[stored.length - 1]!) : 0;
    this.markers = [...stored, ...this.markers.filter((marker) => pointTs(marker) > newest)].slice(-MARKERS_KEPT);
    this.historyCache = undefined;
    this.compactCache = undefined;
  }

  /** Takes a published marker `{"marker":{…}}` (addMarker-3); false (drop it) if it is not one. */
  acceptMarker(frame: string): boolean {
    if (decoded(frame)?.kind !== 'marker') return false;
    this.markers.push(frame.slice(MARKER_PREFIX.length, -1));
    if (this.markers.length > MARKERS_KEPT) this.markers.splice(0, this.markers.length - MARKERS_KEPT);
    this.historyCache = undefined;
    this.compactCache = undefined;
    return true;
  }

  /** Adds a connection of `userId`; true if it is the user's first here. */
  connect(userId: string): boolean {
    const user = this.users.get(userId);
    if (user) {
      user.connections += 1;
      return false;
    }
    this.users.set(userId, { connections: 1, vote: undefined });
    return true;
  }

  /** Removes a connection of `userId`; true if it was the user's last here. */
  disconnect(userId: string): boolean {
    const user = this.users.get(userId);
    if (!user) return false;
    user.connections -= 1;
    if (user.connections > 0) return false;
    this.users.delete(userId);
    return true;
  }

  /** Records a vote unless an equal-or-newer one is held (newest ts wins, as in Redis). */
  recordVote(userId: string, vote: StandingVote): void {
    const user = this.users.get(userId);
    if (user && (user.vote === undefined || vote.ts >= user.vote.ts)) user.vote = vote;
  }
}
