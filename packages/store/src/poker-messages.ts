import { isStringList } from '@banterbox/protocol';
import { StoreError } from './scripts';

/** A poker room's own fields as stored. */
export interface PokerRoomState {
  ownerId: string;
  topic: string;
  isRevealed: boolean;
  deck: string[];
  autoReveal: boolean;
}

export interface StoredEstimate {
  value: string;
  comment: string;
}

export type LeaveReason = 'left' | 'kicked' | 'expired';

/** One change in a message the poker scripts publish on a room's channel. */
export type PokerChange =
  | { kind: 'room'; room: PokerRoomState }
  | { kind: 'joined'; userId: string; name: string; spectator: boolean }
  | { kind: 'left'; userId: string; name: string; reason: LeaveReason }
  /** `own`: a hidden estimate's value, for its owner's eyes only. */
  | { kind: 'estimate'; userId: string; estimate: 'none' | 'hidden' | StoredEstimate; own?: StoredEstimate }
  | { kind: 'revealed'; estimates: Record<string, StoredEstimate> }
  | { kind: 'cleared' }
  | { kind: 'name'; userId: string; name: string }
  | { kind: 'closed' };

/** `{"seq":n,"ev":[...]}`: the room's changes numbered by its sequence. */
export interface PokerMessage {
  seq: number;
  changes: PokerChange[];
}

function str(value: unknown): string {
  if (typeof value !== 'string') throw new StoreError('poker message field is not a string');
  return value;
}

export function parseEstimate(json: unknown): StoredEstimate {
  const parsed: unknown = JSON.parse(str(json));
  if (typeof parsed !== 'object' || parsed === null) throw new StoreError('stored estimate is not an object');
  const { value, comment } = parsed as Record<string, unknown>;
  return { value: str(value), comment: typeof comment === 'string' ? comment : '' };
}

/** Reads the stored fields owner, topic, revealed, deck, auto (in that order). */
export function parseRoomState(fields: readonly unknown[]): PokerRoomState {
  const deck: unknown = JSON.parse(str(fields[3]));
  if (!isStringList(deck)) throw new StoreError('stored deck is not a list of cards');
  return {
    ownerId: str(fields[0]),
    topic: str(fields[1]),
    isRevealed: fields[2] === '1',
    deck: deck as string[],
    autoReveal: fields[4] === '1',
  };
}

/** Pairs a flat [user, estimate JSON, ...] list into a record. */
export function parseEstimates(flat: readonly unknown[]): Record<string, StoredEstimate> {
  const estimates: Record<string, StoredEstimate> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) estimates[str(flat[i])] = parseEstimate(flat[i + 1]);
  return estimates;
}

function leaveReason(value: unknown): LeaveReason {
  return value === 'kicked' || value === 'expired' ? value : 'left';
}

function parseChange(item: unknown): PokerChange {
  if (!Array.isArray(item)) throw new StoreError('poker change is not a list');
  const [kind, ...rest] = item as unknown[];
  switch (kind) {
    case 'room':
      return { kind, room: parseRoomState(rest) };
    case 'joined':
      return { kind, userId: str(rest[0]), name: str(rest[1]), spectator: rest[2] === '1' };
    case 'left':
      return { kind, userId: str(rest[0]), name: str(rest[1]), reason: leaveReason(rest[2]) };
    case 'estimate': {
      const state = str(rest[1]);
      if (state === 'hidden' && rest[2] !== undefined) return { kind, userId: str(rest[0]), estimate: state, own: parseEstimate(rest[2]) };
      return { kind, userId: str(rest[0]), estimate: state === 'none' || state === 'hidden' ? state : parseEstimate(state) };
    }
    case 'revealed':
      return { kind, estimates: parseEstimates(rest) };
    case 'name':
      return { kind, userId: str(rest[0]), name: str(rest[1]) };
    case 'cleared':
    case 'closed':
      return { kind };
    default:
      throw new StoreError(`unknown poker change ${String(kind)}`);
  }
}

/** Decodes a message from a poker room channel; throws StoreError if it is not one. */
export function decodePokerMessage(text: string): PokerMessage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new StoreError('poker message is not JSON', { cause: error });
  }
  const { seq, ev } = (parsed ?? {}) as Record<string, unknown>;
  if (typeof seq !== 'number' || !Array.isArray(ev)) throw new StoreError('poker message lacks seq or ev');
  return { seq, changes: ev.map(parseChange) };
}
