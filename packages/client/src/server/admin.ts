/** What `createRoom` takes (the admin API's `POST /api/rooms`). */
export interface RoomSettings {
  room?: string;
  options?: string[];
  open?: boolean;
  tick_ms?: number;
  voter_shards?: number;
  /** Points of the series the room keeps (default: the service's HISTORY_LIMIT). */
  history_limit?: number;
  /** Automatic swing markers: one when the net value moves by `threshold` within `window_s`. */
  swing?: { threshold: number; window_s: number } | null;
  /** Up to 8 segments counted apart: each point also carries each segment's tally (a voter's from the token's `seg`). */
  segments?: string[];
  /** Lets voters whose token names no segment choose one, once, by asking this. */
  segment_question?: string;
  /** The first round's question, shown on the page and the overlay. */
  question?: string;
  /** A standing vote not re-sent within this many seconds stops counting. */
  vote_ttl_s?: number;
}

export interface Room {
  room: string;
  options: string[];
  open: boolean;
  tick_ms: number;
  voter_shards: number;
  history_limit: number;
  swing: { threshold: number; window_s: number } | null;
  /** Whether voting is closed. */
  closed: boolean;
  segments: string[] | null;
  segment_question: string | null;
  question: string | null;
  /** The current round: 0 for the first, one more for each reset. */
  round: number;
  vote_ttl_s: number | null;
}

/** What closing or opening voting answers. */
export interface VotingChange {
  room: string;
  closed: boolean;
  /** When it closed (ms), null while open. */
  closed_at: number | null;
  /** False when it was so already. */
  changed: boolean;
}

/** What a reset answers: the round it started and its question. */
export interface RoundStarted {
  room: string;
  round: number;
  question: string;
  /** When the round opened (ms). */
  opened_at: number;
}

export class BanterboxApiError extends Error {
  override readonly name = 'BanterboxApiError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The admin HTTP API from your backend (Node 18+ fetch): rooms, tokens minted by the service, and
 * a room's stored series. The admin key never goes to a browser.
 */
export class BanterboxAdmin {
  constructor(
    private readonly url: string,
    private readonly adminKey: string,
  ) {}

  /** Creates a vote room; a room that exists is an error (409). */
  createRoom(settings: RoomSettings = {}): Promise<Room> {
    return this.call('POST', '/api/rooms', settings) as Promise<Room>;
  }

  /** Closes voting in a room: votes are refused and the series stops, with the tally as it stands. */
  closeVoting(room: string): Promise<VotingChange> {
    return this.call('POST', `/api/rooms/${encodeURIComponent(room)}/close`) as Promise<VotingChange>;
  }

  /** Opens voting again: the series goes on from the close. */
  openVoting(room: string): Promise<VotingChange> {
    return this.call('POST', `/api/rooms/${encodeURIComponent(room)}/open`) as Promise<VotingChange>;
  }

  /**
   * Ends the round and starts the next with `question`: votes start over, the ending round's
   * series stays exportable (`round`), every viewer is told.
   */
  resetRound(room: string, question: string): Promise<RoundStarted> {
    return this.call('POST', `/api/rooms/${encodeURIComponent(room)}/reset`, { question }) as Promise<RoundStarted>;
  }

  /** Drops a labelled marker on the room's timeline at now: viewers see it on the worm, the export carries it. */
  addMarker(room: string, label: string): Promise<{ ts: number; label: string; auto: boolean }> {
    return this.call('POST', `/api/rooms/${encodeURIComponent(room)}/markers`, { label }) as Promise<{
      ts: number;
      label: string;
      auto: boolean;
    }>;
  }

  /** A token minted by the service itself (when you would rather not hold BANTERBOX_SECRET). */
  async mintToken(
    userId: string,
    room: string,
    ttlS = 3600,
    role: 'viewer' | 'moderator' = 'viewer',
  ): Promise<{ token: string; expires_at: number }> {
    return (await this.call('POST', '/api/tokens', { user_id: userId, room, ttl_s: ttlS, role })) as { token: string; expires_at: number };
  }

  /** A room's stored points, oldest first, within `since` and `until` (Unix ms). */
  async series(
    room: string,
    window: { since?: number; until?: number } = {},
  ): Promise<{ ts: number; votes: Record<string, number>; connected: number }[]> {
    const query = new URLSearchParams();
    if (window.since !== undefined) query.set('since', String(window.since));
    if (window.until !== undefined) query.set('until', String(window.until));
    const body = (await this.call('GET', `/api/rooms/${encodeURIComponent(room)}/series?${query.toString()}`)) as {
      points: { ts: number; votes: Record<string, number>; connected: number }[];
    };
    return body.points;
  }

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(new URL(path, this.url), {
      method,
      headers: { authorization: `Bearer ${this.adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) {
      const reason = (() => {
        try {
          return (JSON.parse(text) as { error?: string }).error;
        } catch {
          return undefined;
        }
      })();
      throw new BanterboxApiError(response.status, `${method} ${path}: HTTP ${response.status}${reason ? `: ${reason}` : ''}`);
    }
    return JSON.parse(text) as unknown;
  }
}
