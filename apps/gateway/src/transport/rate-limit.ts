/** Messages a socket may send per second before the excess is dropped (SPEC §5). */
export const MESSAGES_PER_SECOND = 20;
/** Consecutive seconds over the limit after which the socket is closed with 1008. */
export const STRIKES_TO_CLOSE = 3;

export interface RateState {
  windowStart: number;
  count: number;
  strikes: number;
}

export type RateVerdict = 'ok' | 'drop-and-warn' | 'drop' | 'close';

export function newRateState(now: number): RateState {
  return { windowStart: now, count: 0, strikes: 0 };
}

/** Counts one message in a fixed one-second window and says what to do with it. */
export function countMessage(state: RateState, now: number): RateVerdict {
  if (now - state.windowStart >= 1000) {
    const consecutive = now - state.windowStart < 2000;
    state.strikes = state.count > MESSAGES_PER_SECOND && consecutive ? state.strikes + 1 : 0;
    state.windowStart = now;
    state.count = 0;
  }
  state.count += 1;
  if (state.count <= MESSAGES_PER_SECOND) return 'ok';
  if (state.strikes + 1 >= STRIKES_TO_CLOSE) return 'close';
  return state.count === MESSAGES_PER_SECOND + 1 ? 'drop-and-warn' : 'drop';
}
