import { isRecord, parseJson } from './is-record';
import { ProtocolError } from './errors';
import { isValidId } from './ids';
import { CANCEL } from './room-options';

/** Client → server on /api/vote_ws/ (SPEC §5). */
export interface AuthMessage {
  kind: 'auth';
  userId: string | undefined;
  token: string;
  room: string;
  since: number | undefined;
  /** A watch-only connection (a stream overlay): gets the snapshots, is not counted, cannot vote. */
  observe: boolean;
  /** The join history as a compact frame (see snapshot-codec.ts). */
  compact: boolean;
}

export interface VoteMessage {
  kind: 'vote';
  /** One of the room's options, or "cancel". */
  value: string;
  /** Client time of the vote in ms, if given (not yet normalised). */
  ts: number | undefined;
  /** The round the voter voted in (SPEC §9), if given: a vote for a round that is over is refused. */
  round: number | undefined;
}

/** A voter's choice of segment, in a room that asks for one (SPEC §9); the first choice holds. */
export interface SegmentMessage {
  kind: 'segment';
  segment: string;
}

export type VoteClientMessage = AuthMessage | VoteMessage | SegmentMessage;

const MAX_TOKEN_LENGTH = 900;

function optionalTime(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ProtocolError('bad_request', `${field} must be a non-negative number of milliseconds`);
  }
  return value;
}

function decodeAuth(body: unknown): AuthMessage {
  if (!isRecord(body)) throw new ProtocolError('bad_request', 'auth must be an object');
  const { user_id: userId, token, room, since, observe = false, compact = false } = body;
  if (typeof observe !== 'boolean') throw new ProtocolError('bad_request', 'auth.observe must be true or false');
  if (typeof compact !== 'boolean') throw new ProtocolError('bad_request', 'auth.compact must be true or false');
  if (userId !== undefined && !isValidId(userId)) {
    throw new ProtocolError('bad_request', 'auth.user_id must be 1-64 characters of [A-Za-z0-9_-]');
  }
  // A missing or empty token is a refusal (unauthorized, 4001), not a malformed message.
  if (token !== undefined && (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH)) {
    throw new ProtocolError('bad_request', 'auth.token must be a string (a JWT)');
  }
  if (!isValidId(room)) throw new ProtocolError('bad_request', 'auth.room must be 1-64 characters of [A-Za-z0-9_-]');
  return { kind: 'auth', userId, token: token ?? '', room, since: optionalTime(since, 'auth.since'), observe, compact };
}

function decodeVote(body: unknown): VoteMessage {
  if (!isRecord(body)) throw new ProtocolError('bad_request', 'vote must be an object');
  const { value, ts, round } = body;
  if (typeof value !== 'string' || value.length === 0 || value.length > 32) {
    throw new ProtocolError('bad_request', 'vote.value must be one of the room options or "cancel"');
  }
  if (round !== undefined && (typeof round !== 'number' || !Number.isInteger(round) || round < 0)) {
    throw new ProtocolError('bad_request', 'vote.round must be a round number');
  }
  return { kind: 'vote', value, ts: optionalTime(ts, 'vote.ts'), round };
}

/** Decodes one text frame; throws ProtocolError('bad_request') for anything malformed. */
export function decodeVoteClientMessage(text: string): VoteClientMessage {
  const parsed = parseJson(text, () => new ProtocolError('bad_request', 'message is not valid JSON'));
  if (!isRecord(parsed)) throw new ProtocolError('bad_request', 'message must be a JSON object');
  if ('auth' in parsed) return decodeAuth(parsed.auth);
  if ('vote' in parsed) return decodeVote(parsed.vote);
  if ('segment' in parsed) {
    if (!isValidId(parsed.segment)) throw new ProtocolError('bad_request', 'segment must be one of the room segments');
    return { kind: 'segment', segment: parsed.segment };
  }
  throw new ProtocolError('bad_request', 'message must have an "auth", "vote" or "segment" field');
}

/** Times below this are read as Unix seconds rather than milliseconds (year 5138 in seconds). */
const SECONDS_CUTOFF = 100_000_000_000;
export const MAX_FUTURE_SKEW_MS = 5_000;

/**
 * The server's reading of a vote's time (SPEC §5): seconds are scaled to ms, more than 5 s in the
 * future counts as now, and no time means now.
 */
export function normaliseVoteTs(ts: number | undefined, now: number): number {
  if (ts === undefined) return now;
  const ms = Math.floor(ts < SECONDS_CUTOFF ? ts * 1000 : ts);
  return ms > now + MAX_FUTURE_SKEW_MS ? now : ms;
}

/** Whether `value` is a vote a room with `options` accepts. */
export function isAcceptedVote(value: string, options: readonly string[]): boolean {
  return value === CANCEL || options.includes(value);
}
