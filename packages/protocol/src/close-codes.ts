/**
 * Every WebSocket close code the server uses. Documented for clients in the README; the registry
 * below says what each means and what a client does about it.
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

/**
 * What a client does when the server closes with a code (or sends an error):
 * - `reconnect`: again after a full-jitter backoff;
 * - `reconnect_now`: again at once (nothing is wrong with the client);
 * - `new_token`: again with a new token (the current one was refused);
 * - `stop`: retrying cannot help; tell the user;
 * - `none`: the socket stays open (error frames that refuse one message).
 */
export type ClientAction = 'reconnect' | 'reconnect_now' | 'new_token' | 'stop' | 'none';

export interface CodeEntry<C> {
  code: C;
  /** The name clients see (the SDK's close reason). */
  name: string;
  meaning: string;
  action: ClientAction;
}

/** The close codes of both socket endpoints, with the client's action (served as JSON by the gateway). */
export const CLOSE_CODES: readonly CodeEntry<number>[] = [
  { code: 1000, name: 'normal', meaning: 'normal closure', action: 'reconnect' },
  {
    code: 1006,
    name: 'abnormal',
    meaning: 'the connection dropped without a close frame (network, or a frame over 1 MiB)',
    action: 'reconnect',
  },
  { code: 1008, name: 'rate_limited', meaning: 'kept exceeding the message rate limit', action: 'stop' },
  { code: 1009, name: 'message_too_big', meaning: 'a frame larger than 1 KiB (4 KiB on /connect)', action: 'stop' },
  { code: 1011, name: 'internal_error', meaning: 'unexpected server error', action: 'reconnect' },
  { code: 1012, name: 'service_restart', meaning: 'the gateway is shutting down; another one takes the connection', action: 'reconnect' },
  { code: 1013, name: 'try_again_later', meaning: 'Redis unavailable while joining a room the gateway does not hold', action: 'reconnect' },
  { code: 4001, name: 'unauthorized', meaning: 'invalid or expired token, or a token for another user or room', action: 'new_token' },
  { code: 4008, name: 'auth_timeout', meaning: 'no valid auth message within 5 s', action: 'reconnect' },
  { code: 4009, name: 'slow_consumer', meaning: "the socket's send buffer stayed over the backpressure limit", action: 'reconnect' },
  {
    code: 4010,
    name: 'resync',
    meaning: '/connect only: events of a poker room were missed; reconnect and re-join for a fresh snapshot',
    action: 'reconnect_now',
  },
];

/** The error codes of `{"error": {"code", "message"}}` on /api/vote_ws/. */
export const VOTE_ERROR_CODES: readonly CodeEntry<string>[] = [
  { code: 'bad_request', name: 'bad_request', meaning: 'a malformed or not allowed message; the socket stays open', action: 'none' },
  { code: 'unauthorized', name: 'unauthorized', meaning: 'missing, invalid or expired token; closed with 4001 next', action: 'new_token' },
  { code: 'rate_limited', name: 'rate_limited', meaning: 'over 20 messages a second: the message was dropped', action: 'none' },
  {
    code: 'closed',
    name: 'closed',
    meaning: 'voting in the room is closed: the vote was not counted; the socket stays open and hears when it opens again',
    action: 'none',
  },
  {
    code: 'round_over',
    name: 'round_over',
    meaning:
      "the vote named a round that is over (a reset started a new one): it was not counted; the room's state frame says which round runs",
    action: 'none',
  },
  {
    code: 'unavailable',
    name: 'unavailable',
    meaning: 'Redis down while joining a room the gateway does not hold; closed with 1013 next',
    action: 'reconnect',
  },
];

/** The registry entry of a close code; an unknown code is treated as a dropped connection. */
export function closeCodeEntry(code: number): CodeEntry<number> {
  return (
    CLOSE_CODES.find((entry) => entry.code === code) ?? { code, name: `close_${code}`, meaning: 'unknown close code', action: 'reconnect' }
  );
}
