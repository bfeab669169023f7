/** Server → client events on /connect (SPEC §6, the Pokey protocol). One event per frame. */

export interface PokerUser {
  id: string;
  /** Null until the user sets a name. */
  name: string | null;
}

export interface PokerMember extends PokerUser {
  /** Spectators are members who do not estimate. */
  spectator: boolean;
}

export interface PokerRoomView {
  id: string;
  ownerId: string;
  topic: string;
  isRevealed: boolean;
  deck: string[];
  autoReveal: boolean;
}

export interface RevealedEstimate {
  value: string;
  comment: string;
}

/** `null`: no estimate; `{}`: estimated, hidden; `{value, comment}`: revealed. */
export type EstimateView = null | Record<string, never> | RevealedEstimate;

export interface RevealStats {
  /** Estimates given, numeric or not. */
  count: number;
  /** Mean of the numeric cards, two decimals; null when there are none. */
  mean: number | null;
  median: number | null;
  min: number | null;
  max: number | null;
  /** Card value → how many chose it. */
  distribution: Record<string, number>;
  /** Whether every estimate has the same value (false when there are none). */
  consensus: boolean;
}

export type PokerEvent =
  | { event: 'connectionInfo'; userId: string }
  | { event: 'userUpdated'; user: PokerUser }
  | { event: 'roomCreated'; roomId: string }
  | { event: 'roomUpdated'; room: PokerRoomView }
  | { event: 'userJoined'; roomId: string; user: PokerMember }
  | { event: 'userLeft'; roomId: string; user: PokerUser; reason: 'left' | 'kicked' | 'expired' }
  | { event: 'estimateUpdated'; roomId: string; userId: string; estimate: EstimateView }
  | { event: 'roomRevealed'; roomId: string; estimates: Record<string, RevealedEstimate>; stats: RevealStats }
  | { event: 'roomCleared'; roomId: string }
  | { event: 'roomClosed'; roomId: string }
  | { event: 'heartbeat' }
  | { event: 'error'; message: string; detail?: string; roomId?: string };

export const INVALID_REQUEST = 'Invalid request';

export function pokerFrame(event: PokerEvent): string {
  return JSON.stringify(event);
}

export function pokerErrorFrame(message: string, extra: { detail?: string; roomId?: string } = {}): string {
  return pokerFrame({ event: 'error', message, ...extra });
}

const NUMERIC_CARD = /^-?\d+(\.\d+)?$/;

const round2 = (n: number): number => Math.round(n * 100) / 100;

/** Reveal statistics (SPEC §6): means over numeric cards only, agreement over all cards. */
export function revealStats(values: readonly string[]): RevealStats {
  const distribution: Record<string, number> = {};
  for (const value of values) distribution[value] = (distribution[value] ?? 0) + 1;
  const numbers = values
    .filter((v) => NUMERIC_CARD.test(v))
    .map(Number)
    .sort((a, b) => a - b);
  const n = numbers.length;
  const middle = Math.floor(n / 2);
  return {
    count: values.length,
    mean: n === 0 ? null : round2(numbers.reduce((sum, x) => sum + x, 0) / n),
    median: n === 0 ? null : round2(n % 2 === 1 ? numbers[middle]! : (numbers[middle - 1]! + numbers[middle]!) / 2),
    min: n === 0 ? null : numbers[0]!,
    max: n === 0 ? null : numbers[n - 1]!,
    distribution,
    consensus: values.length > 0 && Object.keys(distribution).length === 1,
  };
}
