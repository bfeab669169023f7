import {
  compactHistoryFrame,
  dataFrame,
  decodeVoteServerFrame,
  pointTs,
  publishedPoint,
  stateFrame,
  type VoteServerFrame,
} from '@banterbox/protocol';
import { MARKERS_KEPT, plainPlan, topics, voterRules, type RoomMeta, type VoterPlan } from '@banterbox/store';

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
  /** When this gateway took it (its clock, ms): a vote older than the room's vote expiry is not re-asserted. */
  at: number;
}

/** A user as this gateway sees them in one room: its connections, their newest vote of the round and their segment. */
export interface LocalUser {
  connections: number;
  vote: StandingVote | undefined;
  /** Their segment as claimed by their token or chosen here (re-asserted with the vote). */
  segment: { name: string; claimed: boolean } | undefined;
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
  private planOf: RoomMeta | undefined;
  private planCache: VoterPlan = plainPlan();

  constructor(
    readonly id: string,
    meta: RoomMeta,
    private readonly historyLimit: number,
  ) {
    this.topic = topics.voteRoom(id);
    this.meta = meta;
  }

  /**
   * How this room's ops are written (its voter parts, round, vote expiry and segments), as its
   * meta says: made again only when the meta changes (it is replaced, never changed in place).
   */
  get plan(): VoterPlan {
    if (this.planOf !== this.meta) {
      this.planOf = this.meta;
      this.planCache = { shards: this.meta.shards ?? 1, ...voterRules(this.meta) };
    }
    return this.planCache;
  }

  /** Newest tick this gateway has seen for the room. */
  get newestTs(): number {
    return this.lastTs;
  }

  /**
   * Takes the meta read from Redis, keeping a voting state heard on the channel while it was read
   * (and a round, if the one heard is newer than the one read).
   */
  loaded(meta: RoomMeta): void {
    if (this.stateTs === 0) {
      this.meta = meta;
      return;
    }
    const heard = this.meta;
    const newer = (heard.round ?? 0) > (meta.round ?? 0);
    this.meta = { ...meta, closedAt: heard.closedAt, ...(newer ? { round: heard.round, question: heard.question } : {}) };
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
   * Takes a tick as published on the room's channel (publishedPoint). Returns its point, or
   * undefined (drop it) if it is none or not newer than what this room already has.
   */
  acceptTick(message: string): string | undefined {
    const point = publishedPoint(message);
    const ts = point === undefined ? NaN : pointTs(point);
    if (point === undefined || Number.isNaN(ts) || ts <= this.lastTs) return undefined;
    this.lastTs = ts;
    this.points.push(point);
    if (this.points.length > this.historyLimit) this.points.splice(0, this.points.length - this.historyLimit);
    this.historyCache = undefined;
    this.compactCache = undefined;
    return point;
  }

  /**
   * Takes a published voting state `{"state":{"closed","ts"}}` (roomVoting-2). Returns false (drop
   * it) if it is not one or is older than the state the room has.
   */
  acceptState(frame: string): boolean {
    const state = decoded(frame);
    if (state?.kind !== 'state' || state.ts < this.stateTs) return false;
    if (state.round !== undefined && state.round < (this.meta.round ?? 0)) return false;
    this.stateTs = state.ts;
    this.meta = { ...this.meta, closedAt: state.closed ? state.ts : undefined };
    if (state.round !== undefined && state.round > (this.meta.round ?? 0)) this.newRound(state.round, state.question);
    return true;
  }

  /**
   * A reset started round `round` (roomRound-6): its series starts empty, without markers, and
   * every standing vote here is gone (Redis counts none of them in the new round).
   */
  private newRound(round: number, question: string | undefined): void {
    this.meta = { ...this.meta, round, question };
    for (const user of this.users.values()) user.vote = undefined;
    this.points = [];
    this.markers = [];
    this.historyCache = undefined;
    this.compactCache = undefined;
  }

  /**
   * The frame a joining client gets after the history: the voting state, the round's question and
   * what voters need to know (segments, the vote expiry, their own segment `claimed` by their
   * token); undefined for a room that has none of these to tell (an open room of round 0).
   */
  joinFrame(claimed?: string): string | undefined {
    const { closedAt, round = 0, question, segments, ask, voteTtlMs } = this.meta;
    if (closedAt === undefined && round === 0 && question === undefined && segments === undefined && voteTtlMs === undefined)
      return undefined;
    return stateFrame({
      closed: closedAt !== undefined,
      ts: closedAt ?? this.stateTs,
      ...(round > 0 ? { round } : {}),
      question,
      segments,
      ask,
      voteTtlS: voteTtlMs === undefined ? undefined : voteTtlMs / 1000,
      segment: claimed,
    });
  }

  /**
   * The join frame: every point kept, or those after `since`; `compact` as columns of differences
   * (a fifth of the bytes); with the room's markers, and its round once past the first. The whole
   * history is built once per tick in either form, however many join in that tick.
   */
  historyFrame(since: number | undefined, compact = false): string {
    const { options, segments, round = 0 } = this.meta;
    if (since !== undefined) {
      const after = this.points.filter((point) => pointTs(point) > since);
      const markers = this.markers.filter((marker) => pointTs(marker) > since);
      return compact ? compactHistoryFrame(after, options, markers, segments, round) : dataFrame(after, markers, round);
    }
    if (compact) return (this.compactCache ??= compactHistoryFrame(this.points, options, this.markers, segments, round));
    return (this.historyCache ??= dataFrame(this.points, this.markers, round));
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
    this.users.set(userId, { connections: 1, vote: undefined, segment: undefined });
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

  /**
   * Records a user's segment: one their token claims replaces any; a choice is kept only if they
   * have none yet (Redis keeps the first choice across gateways too). False when it is ignored.
   */
  recordSegment(userId: string, name: string, claimed: boolean): boolean {
    const user = this.users.get(userId);
    if (!user || (!claimed && user.segment !== undefined)) return false;
    user.segment = { name, claimed };
    return true;
  }

  /**
   * The standing vote of `user` to re-assert: none once it is older than the room's vote expiry
   * (Redis has taken it out of the count; sending it again would count it again).
   */
  liveVote(user: LocalUser, now: number): StandingVote | undefined {
    const ttl = this.meta.voteTtlMs;
    if (!user.vote || (ttl !== undefined && now - user.vote.at >= ttl)) return undefined;
    return user.vote;
  }
}
