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

/** A room's options: 2 to MAX_OPTIONS distinct names of OPTION_PATTERN, none of them "cancel". */
export function validateOptions(value: unknown): string[] {
  return validateNames(value, {
    list: `options must be a list of 2 to ${MAX_OPTIONS} values`,
    min: 2,
    max: MAX_OPTIONS,
    noun: 'option',
    valid: (option) => OPTION_PATTERN.test(option) && option !== CANCEL,
    rule: 'must be 1-32 characters of [A-Za-z0-9_-] and not "cancel"',
  });
}

/** What a list of names of one kind must be, and how to say what is wrong. */
interface NameRule {
  /** The message for a value that is not a list of min to max entries. */
  list: string;
  min: number;
  max: number;
  noun: string;
  valid(name: string): boolean;
  /** Follows the name in the message for one that is not valid. */
  rule: string;
}

/** A list of min to max distinct names that each pass the rule; throws bad_request naming the first that does not. */
function validateNames(value: unknown, rule: NameRule): string[] {
  if (!Array.isArray(value) || value.length < rule.min || value.length > rule.max) throw new ProtocolError('bad_request', rule.list);
  const seen = new Set<string>();
  for (const name of value) {
    if (typeof name !== 'string' || !rule.valid(name)) {
      throw new ProtocolError('bad_request', `${rule.noun} ${JSON.stringify(name)} ${rule.rule}`);
    }
    if (seen.has(name)) throw new ProtocolError('bad_request', `${rule.noun} "${name}" is listed twice`);
    seen.add(name);
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
  return validateNames(value, {
    list: `segments must be a list of 1 to ${MAX_SEGMENTS} names`,
    min: 1,
    max: MAX_SEGMENTS,
    noun: 'segment',
    valid: (segment) => ID_PATTERN.test(segment),
    rule: 'must be 1-64 characters of [A-Za-z0-9_-]',
  });
}

/** A question (the round's, or the one asking for a segment): 1 to MAX_QUESTION characters. */
export function validateQuestion(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim().length === 0 || value.length > MAX_QUESTION) {
    throw new ProtocolError('bad_request', `${field} must be 1-${MAX_QUESTION} characters`);
  }
  return value;
}
