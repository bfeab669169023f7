import { ProtocolError } from './errors';

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
