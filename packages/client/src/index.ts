/**
 * @banterbox/client: the vote-room and poker clients every banterbox page uses (SPEC §8), for
 * browsers and Node (pass a WebSocket factory where there is no global one). No runtime
 * dependencies; the frames are decoded by the same code the server uses (@banterbox/protocol,
 * bundled in).
 */
export { VoteClient } from './vote-client';
export type { VoteClientOptions, VoteClientEvents } from './vote-client';
export { PokerClient } from './poker-client';
export type { PokerClientOptions, PokerClientEvents } from './poker-client';
export { Refused } from './connection';
export type { ConnectionState, CloseReason, ConnectionOptions } from './connection';
export type { SocketLike, SocketFactory } from './socket';
export { backoffDelay } from './backoff';
export { CLOSE_CODES, VOTE_ERROR_CODES } from '@banterbox/protocol';
export type {
  TallyPoint,
  VotingState,
  Marker,
  PokerEvent,
  PokerRequest,
  PokerRoomView,
  PokerUser,
  PokerMember,
  RevealStats,
  CodeEntry,
  ClientAction,
} from '@banterbox/protocol';
