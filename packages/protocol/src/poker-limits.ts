/**
 * Limits of poker rooms (SPEC §6), documented for clients in the README. Lengths count Unicode
 * code points after trimming.
 */
export const PokerLimits = {
  /** Frames larger than this close the /connect socket with 1009. */
  maxFrameBytes: 4096,
  maxNameLength: 40,
  maxTopicLength: 200,
  maxCommentLength: 300,
  maxCardLength: 12,
  minDeckSize: 2,
  maxDeckSize: 30,
  /** Members (estimators and spectators) of one room. */
  maxRoomMembers: 100,
  /** Rooms one connection can be in at once. */
  maxRoomsPerConnection: 8,
  /** Rounds kept in a room's history; older rounds are dropped. */
  roundsKept: 500,
} as const;

/** The default deck: Fibonacci-like numbers, "?" (unsure) and "☕" (need a break). */
export const DEFAULT_DECK: readonly string[] = Object.freeze(['0', '1', '2', '3', '5', '8', '13', '21', '?', '☕']);
