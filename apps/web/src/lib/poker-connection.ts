import type { PokerEvent } from '@banterbox/protocol';
import { backoffDelay, socketUrl, type ConnectionState } from './backoff';

export interface PokerConnectionHandlers {
  onEvent(event: PokerEvent): void;
  onState(state: ConnectionState, detail?: string): void;
  /** The socket is (re)connected: the page re-joins its room here. */
  onOpen(): void;
}

/**
 * The /connect socket of the poker page. It needs the session cookie, which the page's own load
 * set. It reconnects with full-jitter backoff; 4010 (the gateway lost room events) and a gateway
 * restart (1012) reconnect at once, as the page re-joins from a fresh snapshot.
 */
export class PokerConnection {
  private ws: WebSocket | undefined;
  private attempt = 0;
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
    this.handlers.onState(this.attempt === 0 ? 'connecting' : 'reconnecting');
    const ws = new WebSocket(socketUrl('/connect'));
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.handlers.onState('open');
      this.handlers.onOpen();
    };
    ws.onmessage = (message: MessageEvent<string>) => this.handlers.onEvent(JSON.parse(message.data) as PokerEvent);
    ws.onclose = (event: CloseEvent) => {
      if (this.ws !== ws) return;
      if (event.code === 1009) {
        this.handlers.onState('failed', 'The server refused a message that was too large.');
        return;
      }
      this.attempt += 1;
      this.handlers.onState('reconnecting');
      const delay = event.code === 4010 ? 0 : backoffDelay(this.attempt);
      this.timer = window.setTimeout(() => this.connect(), delay);
    };
  }

  stop(): void {
    window.clearTimeout(this.timer);
    this.ws?.close(1000);
  }
}
