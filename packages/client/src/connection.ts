import { closeCodeEntry } from '@banterbox/protocol';
import { backoffDelay } from './backoff';
import { defaultFactory, isOpen, socketUrl, type SocketFactory, type SocketLike } from './socket';

/**
 * What a UI shows: `connecting` (the first attempt), `live` (joined, frames flowing),
 * `reconnecting` (dropped; trying again with backoff), `closed` (for good, with a reason).
 */
export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'closed';

/** Why a client is closed: a close code's name from the registry (`CLOSE_CODES`), or one of its own. */
export interface CloseReason {
  /**
   * `closed` (`close()` was called), `token_refused` (`getToken` resolved null), a reason a
   * `Refused` carried, or the server's close code name (`unauthorized`, `message_too_big`, …).
   */
  reason: string;
  /** The close code, when the server closed the socket. */
  code?: number;
  message: string;
}

/** Thrown by a `getToken` (or `checkRefusedUpgrade`) that will never succeed: the client closes with `reason`. */
export class Refused extends Error {
  override readonly name = 'Refused';
  constructor(
    readonly reason: string,
    message = reason,
  ) {
    super(message);
  }
}

export interface ConnectionOptions {
  /** The gateway's base URL: `https://live.example.com` or `wss://…`. */
  url: string;
  /** Opens a socket; default the global WebSocket. */
  socket?: SocketFactory;
  /** A socket that receives nothing for this long (ms) is taken as dead and replaced. */
  heartbeatTimeoutMs?: number;
  /** Full-jitter backoff: delays drawn from [0, min(capMs, baseMs × 2^attempt)). Defaults 500 and 15 000. */
  backoff?: { baseMs?: number; capMs?: number };
}

type Listener<A extends unknown[]> = (...args: A) => void;
/** Any listener, as stored. */
type AnyListener = (...args: never) => void;

/** Browser events the clients react to, where there are any (not in Node). */
interface EventHost {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}
const browser = globalThis as { window?: EventHost; document?: EventHost & { visibilityState?: string } };
const host = (): EventHost | undefined => browser.window;
const page = (): (EventHost & { visibilityState?: string }) | undefined => browser.document;

/**
 * A socket that stays connected, shared by both clients: the state machine, full-jitter backoff,
 * a heartbeat timeout (a socket that went silent, e.g. across a laptop's sleep, is replaced), and
 * an attempt at once when the browser comes back online or a hidden tab becomes visible after a
 * silent drop. Subclasses say what to send on open and what a frame or a close code means.
 */
export abstract class Connection<Events extends Record<string, unknown[]>> {
  private ws: SocketLike | undefined;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  private lastFrameAt = 0;
  private stopped = false;
  private current: ConnectionState = 'closed';
  private readonly listeners = new Map<keyof Events | 'state', Set<AnyListener>>();
  private readonly openSocket: SocketFactory;
  private readonly onOnline = (): void => this.comeBack(false);
  private readonly onVisible = (): void => {
    if (page()?.visibilityState === 'visible') this.comeBack(true);
  };

  protected constructor(
    private readonly path: string,
    protected readonly options: ConnectionOptions,
    private readonly heartbeatDefaultMs: number,
  ) {
    this.openSocket = options.socket ?? defaultFactory();
  }

  /** The current state. */
  get state(): ConnectionState {
    return this.current;
  }

  /** Failed attempts since the connection was last live (a UI may say "unreachable" after a few). */
  get attempts(): number {
    return this.attempt;
  }

  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): this;
  on(event: 'state', listener: (state: ConnectionState, reason?: CloseReason) => void): this;
  on(event: keyof Events | 'state', listener: AnyListener): this {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return this;
  }

  off(event: keyof Events | 'state', listener: AnyListener): this {
    this.listeners.get(event)?.delete(listener);
    return this;
  }

  /** Connects (and keeps connecting until `close()` or a reason to stop). */
  start(): this {
    this.stopped = false;
    host()?.addEventListener('online', this.onOnline);
    page()?.addEventListener('visibilitychange', this.onVisible);
    void this.connect();
    return this;
  }

  /** Closes for good: state `closed` with reason `closed`. */
  close(): void {
    this.finish({ reason: 'closed', message: 'closed by the client' });
  }

  protected emit<K extends keyof Events>(event: K, ...args: Events[K]): void;
  protected emit(event: 'state', state: ConnectionState, reason?: CloseReason): void;
  protected emit(event: keyof Events | 'state', ...args: unknown[]): void {
    for (const listener of this.listeners.get(event) ?? []) (listener as (...all: unknown[]) => void)(...args);
  }

  /** Sends `message` as JSON if the socket is open; false if it is not. */
  protected sendJson(message: unknown): boolean {
    return this.sendText(JSON.stringify(message));
  }

  /** Sends a frame already encoded, if the socket is open; false if it is not. */
  protected sendText(frame: string): boolean {
    if (!isOpen(this.ws)) return false;
    this.ws.send(frame);
    return true;
  }

  /** Marks the connection live (the server accepted it): the backoff starts over. */
  protected live(): void {
    this.attempt = 0;
    this.setState('live');
  }

  /** Stops for good with `reason`. */
  protected finish(reason: CloseReason): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.drop(1000);
    host()?.removeEventListener('online', this.onOnline);
    page()?.removeEventListener('visibilitychange', this.onVisible);
    this.setState('closed', reason);
  }

  /** Tries again after the backoff (`now`: at once). */
  protected retry(now = false): void {
    if (this.stopped) return;
    this.attempt += 1;
    this.setState('reconnecting');
    clearTimeout(this.retryTimer);
    const { baseMs, capMs } = this.options.backoff ?? {};
    this.retryTimer = setTimeout(() => void this.connect(), now ? 0 : backoffDelay(this.attempt, baseMs, capMs));
  }

  /** Before a socket is opened (a token to fetch): false when it stopped or will retry instead. */
  protected abstract prepare(): Promise<boolean>;
  /** The socket is open: say who this is. */
  protected abstract opened(): void;
  /** One frame from the server. */
  protected abstract frame(text: string): void;
  /** The server closed the socket (`opened`: after it had opened): retry, or finish. */
  protected abstract closed(code: number, reason: string, opened: boolean): void;

  /** What the registry says to do about a close code, for subclasses' `closed`. */
  protected byRegistry(code: number, reason: string): void {
    const entry = closeCodeEntry(code);
    if (entry.action === 'stop') this.finish({ reason: entry.name, code, message: reason || entry.meaning });
    else this.retry(entry.action === 'reconnect_now');
  }

  private setState(state: ConnectionState, reason?: CloseReason): void {
    // Every attempt of a reconnection is told, so that a UI can count them.
    if (this.current === state && state !== 'reconnecting') return;
    this.current = state;
    this.emit('state', state, reason);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    if (this.current !== 'reconnecting') this.setState('connecting');
    if (!(await this.prepare()) || this.stopped) return;
    const ws = this.openSocket(socketUrl(this.options.url, this.path));
    this.ws = ws;
    let opened = false;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      opened = true;
      this.heard();
      this.opened();
    };
    ws.onmessage = (event) => {
      if (this.ws !== ws) return;
      this.heard();
      if (typeof event.data === 'string') this.frame(event.data);
    };
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      clearInterval(this.heartbeatTimer);
      if (!this.stopped) this.closed(event.code, event.reason ?? '', opened);
    };
    ws.onerror = () => undefined;
    this.watchHeartbeat();
  }

  private heard(): void {
    this.lastFrameAt = Date.now();
  }

  private silentFor(): number {
    return Date.now() - this.lastFrameAt;
  }

  private get heartbeatMs(): number {
    return this.options.heartbeatTimeoutMs ?? this.heartbeatDefaultMs;
  }

  private watchHeartbeat(): void {
    clearInterval(this.heartbeatTimer);
    this.lastFrameAt = Date.now();
    this.heartbeatTimer = setInterval(
      () => {
        if (this.silentFor() > this.heartbeatMs) this.replace();
      },
      Math.max(250, Math.floor(this.heartbeatMs / 4)),
    );
  }

  /** The socket went silent: drop it without waiting for its close, and try again at once. */
  private replace(): void {
    this.drop(4000);
    this.retry(true);
  }

  private drop(code: number): void {
    clearInterval(this.heartbeatTimer);
    const ws = this.ws;
    this.ws = undefined;
    try {
      ws?.close(code);
    } catch {
      // Closing a socket that never opened may throw in some implementations; it is gone anyway.
    }
  }

  /** Online again, or the tab is visible again (`visible`): try at once instead of waiting. */
  private comeBack(visible: boolean): void {
    if (this.stopped) return;
    if (this.current === 'reconnecting') this.retry(true);
    else if (visible && this.current === 'live' && this.silentFor() > this.heartbeatMs) this.replace();
  }
}
