import type { PokerEvent } from '@banterbox/protocol';
import { backoffDelay, socketUrl, type ConnectionState } from './backoff';
import { problem, type Problem } from './problems';

export interface PokerConnectionHandlers {
  onEvent(event: PokerEvent): void;
  /** The connection's state; `why` says what is wrong while it is not open. */
  onState(state: ConnectionState, why?: Problem): void;
  /** The socket is (re)connected: the page re-joins its room here. */
  onOpen(): void;
}

/** Failed attempts in a row before the page says the server is unreachable. */
const QUIET_ATTEMPTS = 2;
/** Upgrades refused in a row although /api/session answered: the page gives up and says so. */
const MAX_SESSION_REFUSALS = 3;

/**
 * The /connect socket of the poker page. It needs the session cookie. It reconnects with
 * full-jitter backoff (a drained gateway's 1012 too, so a crowd spreads out); 4010 (the gateway
 * lost room events) reconnects at once, as the page re-joins from a fresh snapshot. A socket that closes before it opened was
 * refused (its cookie no longer verifies, e.g. after the server got a new secret) or never reached
 * the server: `GET /api/session` tells which, and gives the browser a fresh session cookie if its
 * own was refused, so the next attempt gets in.
 */
export class PokerConnection {
  private ws: WebSocket | undefined;
  private attempt = 0;
  private refusals = 0;
  private timer: number | undefined;

  constructor(private readonly handlers: PokerConnectionHandlers) {}

  start(): void {
    this.connect();
  }

  send(request: Record<string, unknown>): boolean {
    if (this.ws?.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(request));
    return true;
  }

  private connect(): void {
    this.handlers.onState(
      this.attempt === 0 ? 'connecting' : 'reconnecting',
      this.attempt >= QUIET_ATTEMPTS ? problem('unreachable') : undefined,
    );
    const ws = new WebSocket(socketUrl('/connect'));
    this.ws = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      this.attempt = 0;
      this.refusals = 0;
      this.handlers.onState('open');
      this.handlers.onOpen();
    };
    ws.onmessage = (message: MessageEvent<string>) => this.handlers.onEvent(JSON.parse(message.data) as PokerEvent);
    ws.onclose = (event: CloseEvent) => {
      if (this.ws !== ws) return;
      if (event.code === 1009) {
        this.handlers.onState('failed', problem('refused'));
        return;
      }
      if (!opened) {
        void this.recover();
        return;
      }
      this.attempt += 1;
      this.handlers.onState('reconnecting');
      this.later(event.code === 4010 ? 0 : backoffDelay(this.attempt));
    };
  }

  /** The upgrade failed: is the server there, and does it still take this browser's session? */
  private async recover(): Promise<void> {
    this.attempt += 1;
    const session = await fetch('/api/session', { cache: 'no-store', credentials: 'same-origin' }).catch(() => undefined);
    if (!session?.ok) {
      this.handlers.onState('reconnecting', this.attempt >= QUIET_ATTEMPTS ? problem('unreachable') : undefined);
      this.later(backoffDelay(this.attempt));
      return;
    }
    // The server answered (and set a new session cookie if the old one no longer verified).
    this.refusals += 1;
    if (this.refusals >= MAX_SESSION_REFUSALS) {
      this.handlers.onState('failed', problem('session'));
      return;
    }
    this.handlers.onState('reconnecting');
    this.later(backoffDelay(1));
  }

  private later(delay: number): void {
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => this.connect(), delay);
  }

  stop(): void {
    window.clearTimeout(this.timer);
    this.ws?.close(1000);
  }
}
