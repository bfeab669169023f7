import { decodeVoteServerFrame, type Marker, type TallyPoint, type VotingState } from '@banterbox/protocol';
import { Connection, Refused, type ConnectionOptions } from './connection';

export interface VoteClientOptions extends ConnectionOptions {
  room: string;
  /**
   * A token for this room (SPEC §4): called before the first connection, again before a
   * reconnection when the token it has expires within 30 s, and after the server refused it (4001).
   * Resolve `null` (or throw `Refused`) when there will be none: the client closes with
   * `token_refused` (or the `Refused`'s reason). Any other rejection is retried with backoff.
   */
  getToken(): Promise<string | null>;
  /** Watch only: not counted as a viewer, and `vote` is refused (an overlay). */
  observe?: boolean;
}

export type VoteClientEvents = {
  /** New points, oldest first, each newer than any before (the history on join, then every tick). */
  points: [points: TallyPoint[]];
  /** The room accepted the socket (on every connection and reconnection). */
  joined: [];
  /** An error frame (`bad_request`, `rate_limited`, `closed`, …): the socket stays open. */
  error: [error: { code: string; message: string }];
  /** Voting in the room closed or opened (SPEC §9); while closed no points come and votes are refused. */
  voting: [state: VotingState];
  /** Timeline markers new to this client, oldest first (on join the room's, then each as it is added). */
  markers: [markers: Marker[]];
  /**
   * What the room says of itself (SPEC §9): on join (its question, segments, vote expiry, the
   * user's claimed segment), and whenever voting closes, opens or a new round begins.
   */
  room: [state: VotingState];
  /** A reset began a new round: its series starts empty, and the standing vote is gone (ask again). */
  round: [round: { round: number; question: string | undefined }];
};

/** Seconds of validity below which a token is renewed before it is used again. */
const RENEW_BEFORE_MS = 30_000;

/** `exp` of a JWT in ms, read without verifying (the server verifies); undefined if there is none. */
function expiresAt(token: string): number | undefined {
  try {
    const payload = token.split('.')[1] ?? '';
    const json = (globalThis as unknown as { atob(data: string): string }).atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const exp = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A vote-room client (`/api/vote_ws/`, SPEC §5) that stays connected: it resumes exactly where it
 * left off (`since` the newest point it has; any point not newer is dropped), re-sends the
 * user's standing vote after every reconnection, asks for the compact history, and renews its
 * token on expiry and on 4001.
 *
 * ```ts
 * const client = new VoteClient({ url: 'https://live.example.com', room: 'finale', getToken })
 *   .on('points', (points) => chart.add(points))
 *   .on('state', (state, why) => badge.show(state, why))
 *   .start();
 * client.vote('yes');
 * ```
 */
export class VoteClient extends Connection<VoteClientEvents> {
  private token: string | undefined;
  /** The token came from getToken for this attempt and the server has not accepted it yet. */
  private fresh = false;
  private renew = false;
  private joined = false;
  private newest = 0;
  private standing: { value: string; ts: number } | undefined;
  private closedAt: number | undefined;
  private roomState: VotingState | undefined;
  /** The room accepted this client once: a round named after that is a new one. */
  private everJoined = false;
  private chosen: string | undefined;
  /** Markers had so far, by "ts label" (a marker comes again in the history after a reconnection). */
  private readonly markersSeen = new Set<string>();
  private newestMarker = 0;

  constructor(private readonly settings: VoteClientOptions) {
    super('/api/vote_ws/', settings, 15_000);
  }

  /** The ts of the newest point received (0 before any). */
  get newestTs(): number {
    return this.newest;
  }

  /** The user's standing vote, if any (none once it expired: SPEC §9's `vote_ttl_s`). */
  get currentVote(): string | undefined {
    const expires = this.voteExpiresAt;
    return expires !== undefined && expires <= Date.now() ? undefined : this.standing?.value;
  }

  /** Whether voting in the room is closed, as last heard. */
  get votingClosed(): boolean {
    return this.closedAt !== undefined;
  }

  /** The room as last heard (question, round, segments, vote expiry): undefined until it said. */
  get room(): VotingState | undefined {
    return this.roomState;
  }

  /** The user's segment: claimed by their token, or chosen with `chooseSegment`. */
  get segment(): string | undefined {
    return this.roomState?.segment ?? this.chosen;
  }

  /**
   * When the standing vote stops counting unless sent again (ms), in a room with a vote expiry
   * (SPEC §9: `vote_ttl_s`); undefined otherwise. `vote` the same value again to re-affirm it.
   */
  get voteExpiresAt(): number | undefined {
    const ttl = this.roomState?.voteTtlS;
    return ttl === undefined || !this.standing ? undefined : this.standing.ts + ttl * 1000;
  }

  /**
   * Votes `value` ("cancel" withdraws the vote): sent now if live, and again after every
   * reconnection (unless it expired meanwhile). While voting is closed it is refused here with a
   * `closed` error and changes nothing.
   */
  vote(value: string): void {
    if (this.closedAt !== undefined) {
      this.emit('error', { code: 'closed', message: 'voting in this room is closed' });
      return;
    }
    const ts = Date.now();
    this.standing = value === 'cancel' ? undefined : { value, ts };
    if (this.joined) this.sendVote(value, ts);
  }

  /** Chooses the user's segment in a room that asks for one (its state's `ask`); the first choice holds. */
  chooseSegment(segment: string): void {
    this.chosen = segment;
    if (this.joined) this.sendJson({ segment });
  }

  private sendVote(value: string, ts: number): void {
    this.sendJson({ vote: { value, ts, round: this.roomState?.round ?? 0 } });
  }

  protected async prepare(): Promise<boolean> {
    this.joined = false;
    const exp = this.token === undefined ? undefined : expiresAt(this.token);
    if (this.token !== undefined && !this.renew && (exp === undefined || exp - Date.now() > RENEW_BEFORE_MS)) return true;
    let token: string | null;
    try {
      token = await this.settings.getToken();
    } catch (error) {
      if (error instanceof Refused) this.finish({ reason: error.reason, message: error.message });
      else this.retry();
      return false;
    }
    if (token === null) {
      this.finish({ reason: 'token_refused', message: 'no token for this room' });
      return false;
    }
    this.token = token;
    this.fresh = true;
    this.renew = false;
    return true;
  }

  protected opened(): void {
    const auth: Record<string, unknown> = { token: this.token, room: this.settings.room, compact: true };
    if (this.newest > 0) auth.since = this.newest;
    if (this.settings.observe) auth.observe = true;
    this.sendJson({ auth });
  }

  protected frame(text: string): void {
    let frame: ReturnType<typeof decodeVoteServerFrame>;
    try {
      frame = decodeVoteServerFrame(text);
    } catch (error) {
      this.emit('error', { code: 'bad_frame', message: error instanceof Error ? error.message : String(error) });
      return;
    }
    if (frame.kind === 'error') {
      this.emit('error', { code: frame.code, message: frame.message });
      return;
    }
    if (frame.kind === 'state') {
      const { kind: _, ...state } = frame;
      // A close or an open names no round: the round stays.
      const round = state.round ?? this.roomState?.round ?? 0;
      if (round > (this.roomState?.round ?? 0) && this.everJoined) this.newRound(round, state.question);
      // A published state (a close, an open, a reset) says nothing of what only joins are told.
      this.roomState = { ...this.roomState, ...state, round };
      this.setVoting(frame.closed, frame.ts);
      this.emit('room', this.roomState);
      return;
    }
    if (frame.kind === 'marker') {
      this.addMarkers([frame.marker]);
      return;
    }
    // A join's history names the round (past the first): a reset while this client was away is
    // taken before the new round's points, and before the standing vote would be re-sent. On the
    // first join it is simply the round the room is in.
    if (frame.round !== undefined && frame.round > (this.roomState?.round ?? 0)) {
      if (this.everJoined) this.newRound(frame.round, undefined);
      else this.roomState = { closed: false, ts: 0, ...this.roomState, round: frame.round };
    }
    if (!this.joined) {
      this.joined = true;
      this.everJoined = true;
      this.fresh = false;
      this.live();
      this.emit('joined');
      if (this.chosen !== undefined) this.sendJson({ segment: this.chosen });
      const expires = this.voteExpiresAt;
      if (expires !== undefined && expires <= Date.now()) this.standing = undefined;
      if (this.standing) this.sendVote(this.standing.value, this.standing.ts);
    }
    this.addMarkers(frame.markers);
    const points = frame.points.filter((point) => point.ts > this.newest);
    if (points.length === 0) return;
    this.newest = points[points.length - 1]!.ts;
    // No point is stored while voting is closed: a new one means it opened (while this client was away).
    if (this.closedAt !== undefined && this.newest > this.closedAt) this.setVoting(false, this.newest);
    this.emit('points', points);
  }

  private addMarkers(markers: readonly Marker[]): void {
    const fresh = markers.filter((marker) => {
      const key = `${marker.ts} ${marker.label}`;
      if (marker.ts < this.newestMarker || this.markersSeen.has(key)) return false;
      this.markersSeen.add(key);
      this.newestMarker = marker.ts;
      return true;
    });
    if (fresh.length > 0) this.emit('markers', fresh);
  }

  /** A new round: its series and markers start empty, the standing vote is gone. */
  private newRound(round: number, question: string | undefined): void {
    this.roomState = { closed: false, ts: 0, ...this.roomState, round };
    this.standing = undefined;
    this.markersSeen.clear();
    this.newestMarker = 0;
    this.emit('round', { round, question });
  }

  private setVoting(closed: boolean, ts: number): void {
    if (closed === this.votingClosed) return;
    this.closedAt = closed ? ts : undefined;
    this.emit('voting', { closed, ts });
  }

  protected closed(code: number, reason: string): void {
    this.joined = false;
    if (code === 4001) {
      // A token just fetched and refused at once will not do better next time.
      if (this.fresh) this.finish({ reason: 'unauthorized', code, message: reason || 'the token was refused' });
      else {
        this.renew = true;
        this.retry(true);
      }
      return;
    }
    this.byRegistry(code, reason);
  }
}
