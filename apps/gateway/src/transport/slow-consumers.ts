import { CloseCode } from '@banterbox/protocol';
import type { GatewaySocket } from '../feature';

const SWEEP_MS = 2_000;

export interface SlowConsumerOptions {
  /** Every open socket, of every endpoint. */
  sockets: () => Iterable<GatewaySocket>;
  /** MAX_BACKPRESSURE_BYTES: over this uWS drops what is sent to a socket. */
  limitBytes: number;
  /** SLOW_CONSUMER_MS: a socket over the limit this long is closed with 4009. */
  slowMs: number;
}

/**
 * Closes sockets whose send buffer stayed over the backpressure limit for too long. uWS already
 * drops what is published to them meanwhile; this frees the connection of a reader that stopped.
 */
export class SlowConsumerSweep {
  /** Sockets over the limit at the last sweep. */
  slow = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: SlowConsumerOptions) {}

  start(): void {
    this.timer ??= setInterval(() => this.sweep(Date.now()), SWEEP_MS);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  sweep(now: number): void {
    let slow = 0;
    for (const ws of this.options.sockets()) {
      const data = ws.getUserData();
      if (ws.getBufferedAmount() < this.options.limitBytes) {
        data.slowSince = undefined;
        continue;
      }
      slow += 1;
      if (data.slowSince === undefined) data.slowSince = now;
      else if (now - data.slowSince >= this.options.slowMs) ws.end(CloseCode.SlowConsumer, 'too slow');
    }
    this.slow = slow;
  }
}
