import { countMessage, MESSAGES_PER_SECOND, newRateState } from './rate-limit';

describe('per-socket rate limit', () => {
  it('lets 20 messages a second through, warns once, then drops', () => {
    const state = newRateState(0);
    const verdicts = Array.from({ length: MESSAGES_PER_SECOND + 3 }, () => countMessage(state, 10));
    expect(verdicts.slice(0, MESSAGES_PER_SECOND).every((v) => v === 'ok')).toBe(true);
    expect(verdicts.slice(MESSAGES_PER_SECOND)).toEqual(['drop-and-warn', 'drop', 'drop']);
  });

  it('starts a fresh allowance each second', () => {
    const state = newRateState(0);
    for (let i = 0; i < 25; i += 1) countMessage(state, 0);
    expect(countMessage(state, 1000)).toBe('ok');
  });

  it('closes a socket that stays over the limit for three consecutive seconds', () => {
    const state = newRateState(0);
    const flood = (at: number): string[] => Array.from({ length: 30 }, () => countMessage(state, at));
    expect(flood(0)).not.toContain('close');
    expect(flood(1000)).not.toContain('close');
    expect(flood(2000)).toContain('close');
  });

  it('forgives a socket that calmed down for a second', () => {
    const state = newRateState(0);
    for (let i = 0; i < 30; i += 1) countMessage(state, 0);
    for (let i = 0; i < 30; i += 1) countMessage(state, 1000);
    countMessage(state, 2000);
    const later = Array.from({ length: 30 }, () => countMessage(state, 3000));
    expect(later).not.toContain('close');
  });
});
