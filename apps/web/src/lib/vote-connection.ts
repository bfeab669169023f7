import { decodeVoteServerFrame, type TallyPoint } from '@banterbox/protocol';
import { backoffDelay, socketUrl, type ConnectionState } from './backoff';
import { problem, type Problem, type ProblemKind } from './problems';

export interface VoteCredentials {
  token: string;
  /** Guest credentials can be fetched again when they expire; a link's token cannot. */
  renewable: boolean;
}

/** Joining cannot succeed (no such room, not open to guests); retrying will not help. */
export class JoinRefused extends Error {
  override readonly name = 'JoinRefused';
  readonly code = 'join_refused';
  constructor(readonly kind: ProblemKind) {
    super(kind);
  }
}

export interface VoteConnectionHandlers {
  /** New points, oldest first, each newer than any before. */
  onPoints(points: TallyPoint[]): void;
  /** The room accepted the socket and sent its history (called on every (re)connect). */
  onJoined?(): void;
  /** The connection's state; `why` says what is wrong while it is not open (undefined once it is). */
  onState(state: ConnectionState, why?: Problem): void;
  onError?(code: string, message: string): void;
}

/** Failed attempts in a row before the page says the server is unreachable (the first may be a blip). */
const QUIET_ATTEMPTS = 2;

/**
 * A vote-room socket that stays connected: it authenticates, asks only for the history it has not
 * seen (`since`), drops any point not newer than the newest it has, reconnects with full-jitter
 * backoff, and re-sends the user's standing vote after every reconnect. A refusal that retrying
 * cannot fix (no such room, not open to guests, an expired link) ends it with a `failed` state
 * and the reason; a renewable (guest) token that is refused is fetched anew, once.
 */
export class VoteConnection {
  private ws: WebSocket | undefined;
  private attempt = 0;
  private newestTs = 0;
  private standing: { value: string; ts: number } | undefined;
  private stopped = false;
  private timer: number | undefined;
  private refusedInARow = 0;

  constructor(
    private readonly room: string,
    private readonly credentials: () => Promise<VoteCredentials>,
    private readonly handlers: VoteConnectionHandlers,
    /** Watch-only (the overlay): not counted as a viewer, never votes. */
    private readonly observe = false,
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

  private fail(kind: ProblemKind): void {
    this.handlers.onState('failed', problem(kind, this.room));
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    this.handlers.onState(
      this.attempt === 0 ? 'connecting' : 'reconnecting',
      this.attempt >= QUIET_ATTEMPTS ? problem('unreachable') : undefined,
    );
    let credentials: VoteCredentials;
    try {
      credentials = await this.credentials();
    } catch (error) {
      if (error instanceof JoinRefused) this.fail(error.kind);
      else this.retry();
      return;
    }
    const ws = new WebSocket(socketUrl('/api/vote_ws/'));
    this.ws = ws;
    let authenticated = false;
    ws.onopen = () => {
      // The history as columns of differences: a fifth of the bytes of the plain frame.
      const auth: Record<string, unknown> = { token: credentials.token, room: this.room, compact: true };
      if (this.newestTs > 0) auth.since = this.newestTs;
      if (this.observe) auth.observe = true;
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
        this.refusedInARow = 0;
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
      if (event.code === 4001) {
        // A guest token is minted again (the secret may have changed); a link's token cannot be.
        this.refusedInARow += 1;
        if (!credentials.renewable || this.refusedInARow > 1) this.fail(credentials.renewable ? 'session' : 'expired');
        else void this.connect();
        return;
      }
      if (event.code === 1009 || event.code === 1008) {
        this.fail('refused');
        return;
      }
      this.retry();
    };
  }

  private retry(): void {
    this.attempt += 1;
    this.handlers.onState('reconnecting', this.attempt >= QUIET_ATTEMPTS ? problem('unreachable') : undefined);
    this.timer = window.setTimeout(() => void this.connect(), backoffDelay(this.attempt));
  }
}
