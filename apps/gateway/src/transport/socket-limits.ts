import type { WebSocket } from 'uWebSockets.js';
import { CloseCode } from '@banterbox/protocol';
import { countMessage, type RateState } from './rate-limit';

/**
 * uWS's own frame limit, above which it drops the TCP connection without a close frame. Kept far
 * above every endpoint's protocol limit (1 KiB, 4 KiB), so any frame a client could plausibly send
 * by mistake, up to 1 MiB, gets a proper 1009 from the handler. uWS holds at most this much of an
 * incoming frame per socket, only while it arrives.
 */
export const HARD_FRAME_LIMIT_BYTES = 1024 * 1024;

/** The WebSocketBehavior options every endpoint sets the same way, each on purpose. */
export function socketOptions(maxBackpressureBytes: number): {
  compression: number;
  maxPayloadLength: number;
  idleTimeout: number;
  sendPingsAutomatically: boolean;
  maxBackpressure: number;
  closeOnBackpressureLimit: number;
  maxLifetime: number;
} {
  return {
    compression: 0, // uWS.DISABLED: frames are small and CPU goes to fan-out
    maxPayloadLength: HARD_FRAME_LIMIT_BYTES,
    idleTimeout: 60,
    sendPingsAutomatically: true,
    // Over this, uWS drops what is sent to the socket; the slow-consumer sweep closes it later.
    maxBackpressure: maxBackpressureBytes,
    closeOnBackpressureLimit: 0,
    maxLifetime: 0,
  };
}

/**
 * Applies an endpoint's frame-size limit (1009) and the per-socket rate limit to one incoming
 * frame: the first frame over the rate in a second is answered with `rateLimitedFrame`, the rest
 * are dropped, and a socket that keeps it up is closed with 1008. True when the frame may be
 * handled.
 */
export function admitFrame(
  ws: WebSocket<unknown>,
  bytes: number,
  maxFrameBytes: number,
  rate: RateState,
  rateLimitedFrame: string,
): boolean {
  if (bytes > maxFrameBytes) {
    ws.end(CloseCode.MessageTooBig, 'frame too big');
    return false;
  }
  const verdict = countMessage(rate, Date.now());
  if (verdict === 'close') {
    ws.end(CloseCode.PolicyViolation, 'rate limit');
    return false;
  }
  if (verdict === 'drop-and-warn') ws.send(rateLimitedFrame);
  return verdict === 'ok';
}
