import { isRecord, parseJson } from './is-record';
import { isValidId } from './ids';
import { DEFAULT_DECK, PokerLimits } from './poker-limits';

/** What a poker client may ask for on /connect (SPEC §6), in one normalised shape. */
export type PokerRequest =
  | { kind: 'setName'; name: string }
  | { kind: 'createRoom'; roomId: string | undefined; deck: string[]; autoReveal: boolean; topic: string }
  | { kind: 'joinRoom'; roomId: string; spectator: boolean }
  | { kind: 'leaveRoom'; roomId: string }
  | { kind: 'estimate'; roomId: string; estimate: { value: string; comment: string } | null }
  | { kind: 'reveal' | 'hide' | 'clear'; roomId: string }
  | { kind: 'setTopic'; roomId: string; topic: string }
  | { kind: 'kick' | 'transferOwnership'; roomId: string; userId: string };

export type PokerRequestKind = PokerRequest['kind'];

/**
 * A request that is unknown or malformed. Clients get `{"event":"error","message":"Invalid
 * request","detail":...}`: the message is fixed by the protocol, the detail says what was wrong.
 */
export class InvalidPokerRequest extends Error {
  readonly code = 'invalid_request';
  constructor(readonly detail: string) {
    super(detail);
    this.name = 'InvalidPokerRequest';
  }
}

/**
 * Request names by kind: the seed's form (`"request"`) and the later Pokey form (`"command"`).
 * Both fields accept every name, matched case-insensitively.
 */
export const POKER_REQUEST_NAMES: Readonly<Record<PokerRequestKind, readonly string[]>> = {
  setName: ['setName'],
  createRoom: ['createRoom'],
  joinRoom: ['joinRoom'],
  leaveRoom: ['leaveRoom'],
  estimate: ['estimate', 'submitEstimate'],
  reveal: ['reveal', 'revealRoom'],
  hide: ['hide', 'hideRoom'],
  clear: ['clear', 'clearRoom'],
  setTopic: ['setTopic'],
  kick: ['kick', 'kickUser'],
  transferOwnership: ['transferOwnership'],
};

/** Lower-cased request name → kind (a Map: "constructor" is no request). */
const KINDS: ReadonlyMap<string, PokerRequestKind> = new Map(
  Object.entries(POKER_REQUEST_NAMES).flatMap(([kind, names]) => names.map((name) => [name.toLowerCase(), kind as PokerRequestKind])),
);

// Control characters are refused in every text field; comments may hold line breaks and tabs.
const CONTROL = /\p{Cc}/u;
const CONTROL_BUT_LINES = /(?![\t\n])\p{Cc}/u;

function text(value: unknown, field: string, max: number, options: { multiline?: boolean; required?: boolean } = {}): string {
  if (value === undefined || value === null) {
    if (options.required) throw new InvalidPokerRequest(`${field} is required`);
    return '';
  }
  if (typeof value !== 'string') throw new InvalidPokerRequest(`${field} must be a string`);
  const trimmed = value.trim();
  if ([...trimmed].length > max) throw new InvalidPokerRequest(`${field} must be at most ${max} characters`);
  if ((options.multiline ? CONTROL_BUT_LINES : CONTROL).test(trimmed)) {
    throw new InvalidPokerRequest(`${field} must not contain control characters`);
  }
  if (options.required && trimmed === '') throw new InvalidPokerRequest(`${field} must not be empty`);
  return trimmed;
}

function id(value: unknown, field: string): string {
  if (!isValidId(value)) throw new InvalidPokerRequest(`${field} must be 1-64 characters of [A-Za-z0-9_-]`);
  return value;
}

function flag(value: unknown, field: string): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw new InvalidPokerRequest(`${field} must be true or false`);
  return value;
}

/** Validates a deck: 2 to 30 distinct cards of 1 to 12 characters. */
export function validateDeck(value: unknown): string[] {
  if (value === undefined || value === null) return [...DEFAULT_DECK];
  const { minDeckSize, maxDeckSize, maxCardLength } = PokerLimits;
  if (!Array.isArray(value) || value.length < minDeckSize || value.length > maxDeckSize) {
    throw new InvalidPokerRequest(`deck must be a list of ${minDeckSize} to ${maxDeckSize} cards`);
  }
  const cards = value.map((card) => text(typeof card === 'number' ? String(card) : card, 'each card', maxCardLength, { required: true }));
  if (new Set(cards).size !== cards.length) throw new InvalidPokerRequest('deck cards must be distinct');
  return cards;
}

/** The estimate of `estimate`/`submitEstimate`: `{value, comment}` nested or flat; null withdraws. */
function estimateOf(body: Record<string, unknown>): { value: string; comment: string } | null {
  const source = 'estimate' in body ? body.estimate : body;
  if (source === null) return null;
  if (!isRecord(source)) throw new InvalidPokerRequest('estimate must be an object with value and comment');
  if (source.value === null) return null;
  const value = text(typeof source.value === 'number' ? String(source.value) : source.value, 'estimate value', PokerLimits.maxCardLength, {
    required: true,
  });
  return { value, comment: text(source.comment, 'estimate comment', PokerLimits.maxCommentLength, { multiline: true }) };
}

function requestName(body: Record<string, unknown>): PokerRequestKind {
  const name = body.request ?? body.command;
  if (typeof name !== 'string') throw new InvalidPokerRequest('a "request" or "command" field naming the request is required');
  const kind = KINDS.get(name.toLowerCase());
  if (kind === undefined) throw new InvalidPokerRequest(`unknown request ${JSON.stringify(name.slice(0, 40))}`);
  return kind;
}

function decodeBody(kind: PokerRequestKind, body: Record<string, unknown>): PokerRequest {
  switch (kind) {
    case 'setName':
      return { kind, name: text(body.name, 'name', PokerLimits.maxNameLength, { required: true }) };
    case 'createRoom':
      return {
        kind,
        roomId: body.roomId === undefined || body.roomId === null ? undefined : id(body.roomId, 'roomId'),
        deck: validateDeck(body.deck),
        autoReveal: flag(body.autoReveal, 'autoReveal'),
        topic: text(body.topic, 'topic', PokerLimits.maxTopicLength),
      };
    case 'joinRoom':
      return { kind, roomId: id(body.roomId, 'roomId'), spectator: flag(body.spectator, 'spectator') };
    case 'estimate':
      return { kind, roomId: id(body.roomId, 'roomId'), estimate: estimateOf(body) };
    case 'setTopic':
      return { kind, roomId: id(body.roomId, 'roomId'), topic: text(body.topic, 'topic', PokerLimits.maxTopicLength) };
    case 'kick':
    case 'transferOwnership':
      return { kind, roomId: id(body.roomId, 'roomId'), userId: id(body.userId, 'userId') };
    default:
      return { kind, roomId: id(body.roomId, 'roomId') };
  }
}

/** Decodes one /connect frame; throws InvalidPokerRequest for anything unknown or malformed. */
export function decodePokerRequest(frame: string): PokerRequest {
  const body = parseJson(frame, () => new InvalidPokerRequest('frame is not JSON'));
  if (!isRecord(body)) throw new InvalidPokerRequest('frame must be a JSON object');
  return decodeBody(requestName(body), body);
}

/** The /connect frame of `request` (the seed's form); `decodePokerRequest` gives `request` back. */
export function encodePokerRequest(request: PokerRequest): string {
  const { kind, ...fields } = request;
  return JSON.stringify({ request: kind, ...fields });
}
