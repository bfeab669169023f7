/**
 * Every WebSocket close code the server uses. Documented for clients in the README; keep in sync.
 */
export const CloseCode = {
  /** Normal closure. */
  Normal: 1000,
  /** The socket kept exceeding the message rate limit. */
  PolicyViolation: 1008,
  /** A frame was larger than the limit (1 KiB on /api/vote_ws/, 4 KiB on /connect). */
  MessageTooBig: 1009,
  /** The server hit an unexpected error handling this socket. */
  InternalError: 1011,
  /** The gateway is shutting down (drain); reconnect to another one. */
  ServiceRestart: 1012,
  /** A dependency (Redis) is unavailable; reconnect with backoff. */
  TryAgainLater: 1013,
  /** The token was invalid, expired, or for another user or room. */
  Unauthorized: 4001,
  /** The socket could not keep up: its send buffer stayed over the backpressure limit. */
  SlowConsumer: 4009,
  /** No valid auth message arrived within the auth timeout (5 s). */
  AuthTimeout: 4008,
  /** The gateway missed events of a poker room (Redis reconnected); reconnect and re-join. */
  Resync: 4010,
} as const;

export type CloseCodeValue = (typeof CloseCode)[keyof typeof CloseCode];
