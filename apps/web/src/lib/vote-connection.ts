import { decodeVoteServerFrame, type TallyPoint } from '@banterbox/protocol';
import { backoffDelay, socketUrl, type ConnectionState } from './backoff';

export interface VoteCredentials {
  token: string;
  /** Guest credentials can be fetched again when they expire; a link's token cannot. */
  renewable: boolean;
}

/** Joining cannot succeed (the room is not open to guests, say); retrying will not help. */
export class JoinRefused extends Error {
  override readonly name = 'JoinRefused';
  readonly code = 'join_refused';
}

export interface VoteConnectionHandlers {
  /** New points, oldest first, each newer than any before. */
  onPoints(points: TallyPoint[]): void;
  /** The room accepted the socket and sent its history (called on every (re)connect). */
  onJoined?(): void;
  onState(state: ConnectionState, detail?: string): void;
  onError?(code: string, message: string): void;
}

/** Close codes after which reconnecting cannot help. */
const FATAL = new Set([1009, 4001]);

/**
 * A vote-room socket that stays connected: it authenticates, asks only for the history it has not
 * seen (`since`), drops any point not newer than the newest it has, reconnects with full-jitter
 * backoff, and re-sends the user's standing vote after every reconnect.
 */
export class VoteConnection {
  private ws: WebSocket | undefined;
  private attempt = 0;
  private newestTs = 0;
  private standing: { value: string; ts: number } | undefined;
  private stopped = false;
  private timer: number | undefined;

  constructor(
    private readonly room: string,
    private readonly credentials: () => Promise<VoteCredentials>,
    private readonly handlers: VoteConnectionHandlers,
  ) {}

  start(): void {
    void this.connect();
  }

  /** Records the user's vote ("cancel" withdraws it) and sends it now if connected. */
  vote(value: string): void {
    this.standing = value === 'cancel' ? undefined : { value, ts: Date.now() };
    this.send({ vote: { value, ts: this.standing?.ts ?? Date.now() } });
  }

  get currentVote(): string | undefined {
    return this.standing?.value;
  }

  stop(): void {
    this.stopped = true;
    window.clearTimeout(this.timer);
    this.ws?.close(1000);
  }

  private send(message: unknown): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  private async connect(): Promise<void> {
    this.handlers.onState(this.attempt === 0 ? 'connecting' : 'reconnecting');
    let credentials: VoteCredentials;
    try {
      credentials = await this.credentials();
    } catch (error) {
      if (error instanceof JoinRefused) {
        this.handlers.onState('failed', error.message);
        return;
      }
      this.retry();
      return;
    }
    const ws = new WebSocket(socketUrl('/api/vote_ws/'));
    this.ws = ws;
    let authenticated = false;
    ws.onopen = () => {
      const auth: Record<string, unknown> = { token: credentials.token, room: this.room };
      if (this.newestTs > 0) auth.since = this.newestTs;
      ws.send(JSON.stringify({ auth }));
    };
    ws.onmessage = (message: MessageEvent<string>) => {
      const frame = decodeVoteServerFrame(message.data);
      if (frame.kind === 'error') {
        this.handlers.onError?.(frame.code, frame.message);
        return;
      }
      if (!authenticated) {
        authenticated = true;
        this.attempt = 0;
        this.handlers.onState('open');
        this.handlers.onJoined?.();
        if (this.standing) this.send({ vote: this.standing });
      }
      const fresh = frame.points.filter((point) => point.ts > this.newestTs);
      if (fresh.length === 0) return;
      this.newestTs = fresh[fresh.length - 1]!.ts;
      this.handlers.onPoints(fresh);
    };
    ws.onclose = (event: CloseEvent) => {
      if (this.ws !== ws || this.stopped) return;
      if (FATAL.has(event.code) && !(event.code === 4001 && credentials.renewable)) {
        this.handlers.onState('failed', event.code === 4001 ? 'Your link has expired or is not valid for this room.' : 'The server refused a message.');
        return;
      }
      this.retry();
    };
  }

  private retry(): void {
    this.attempt += 1;
    this.handlers.onState('reconnecting');
    this.timer = window.setTimeout(() => void this.connect(), backoffDelay(this.attempt));
  }
}
