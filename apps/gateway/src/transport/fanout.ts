import type { TemplatedApp, WebSocket } from 'uWebSockets.js';
import type { Endpoint, GatewayMetrics } from '../metrics';

/** `ws.send` result: the message was dropped because the socket is over its backpressure limit. */
const DROPPED = 2;

/**
 * Where frames leave the gateway. Room messages go out as one uWS publish per message, serialized
 * once; single frames (a joiner's history or snapshot) go to one socket. Both are counted in the
 * metrics here, so a reader looking for where snapshots are sent finds it in one place.
 */
export class Fanout {
  constructor(
    private readonly app: TemplatedApp,
    private readonly metrics: GatewayMetrics,
  ) {}

  /** Publishes `frame` to every socket subscribed to `topic`. */
  publish(endpoint: Endpoint, topic: string, frame: string): void {
    const subscribers = this.app.numSubscribers(topic);
    const started = process.hrtime.bigint();
    this.app.publish(topic, frame);
    this.metrics.published(endpoint, Number(process.hrtime.bigint() - started) / 1e9);
    this.metrics.sent(endpoint, subscribers, subscribers * Buffer.byteLength(frame));
  }

  /** Counts a frame not sent to a socket that reads too slowly (the socket is closed instead). */
  dropped(): void {
    this.metrics.snapshotDropped('slow_reader');
  }

  /** Sends `frame` to one socket; false when it was dropped (the socket reads too slowly). */
  send(ws: WebSocket<unknown>, endpoint: Endpoint, frame: string): boolean {
    if (ws.send(frame) === DROPPED) {
      this.metrics.snapshotDropped('slow_reader');
      return false;
    }
    this.metrics.sent(endpoint, 1, Buffer.byteLength(frame));
    return true;
  }
}
