import { ProtocolError } from './errors';
import { ID_PATTERN } from './ids';

/** Options of a vote room: what viewers can vote for. `cancel` is reserved for withdrawing. */
export const DEFAULT_OPTIONS: readonly string[] = Object.freeze(['yes', 'no']);
export const OPTION_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
export const MAX_OPTIONS = 10;
export const CANCEL = 'cancel';
/** Most voter shards a vote room may spread its voters over (see the store's keys.voterKeys). */
export const MAX_VOTER_SHARDS = 64;
/** Most points a vote room may keep of its own (`history_limit`): a week of 1 s ticks, about 45 MB in Redis. */
export const MAX_ROOM_HISTORY = 604_800;

export function validateOptions(value: unknown): string[] {
  if (!Array.isArray(value) || value.length < 2 || value.length > MAX_OPTIONS) {
    throw new ProtocolError('bad_request', `options must be a list of 2 to ${MAX_OPTIONS} values`);
  }
  const seen = new Set<string>();
  for (const option of value) {
    if (typeof option !== 'string' || !OPTION_PATTERN.test(option) || option === CANCEL) {
      throw new ProtocolError('bad_request', `option ${JSON.stringify(option)} must be 1-32 characters of [A-Za-z0-9_-] and not "cancel"`);
    }
    if (seen.has(option)) throw new ProtocolError('bad_request', `option "${option}" is listed twice`);
    seen.add(option);
  }
  return [...seen];
}

/** Most segments a vote room may count apart (SPEC §9). */
export const MAX_SEGMENTS = 8;
/** Most characters of a room's question, or the one that asks voters for their segment. */
export const MAX_QUESTION = 200;
/** Longest vote expiry a room may set (`vote_ttl_s`): a day. */
export const MAX_VOTE_TTL_S = 86_400;

/** A room's segments: 1 to MAX_SEGMENTS distinct ids (SPEC §4's rule). */
export function validateSegments(value: unknown): string[] {
  if (!Array.isArray(value) || value.length < 1 || value.length > MAX_SEGMENTS) {
    throw new ProtocolError('bad_request', `segments must be a list of 1 to ${MAX_SEGMENTS} names`);
  }
  const seen = new Set<string>();
  for (const segment of value) {
    if (typeof segment !== 'string' || !ID_PATTERN.test(segment)) {
      throw new ProtocolError('bad_request', `segment ${JSON.stringify(segment)} must be 1-64 characters of [A-Za-z0-9_-]`);
    }
    if (seen.has(segment)) throw new ProtocolError('bad_request', `segment "${segment}" is listed twice`);
    seen.add(segment);
  }
  return [...seen];
}

/** A question (the round's, or the one asking for a segment): 1 to MAX_QUESTION characters. */
export function validateQuestion(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim().length === 0 || value.length > MAX_QUESTION) {
    throw new ProtocolError('bad_request', `${field} must be 1-${MAX_QUESTION} characters`);
  }
  return value;
}
