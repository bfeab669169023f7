import { backoffDelay } from './backoff';

describe('reconnect backoff', () => {
  it('draws from [0, base × 2^attempt), capped, so a dropped crowd spreads out', () => {
    expect(backoffDelay(1, 500, 15_000, () => 0)).toBe(0);
    expect(backoffDelay(1, 500, 15_000, () => 0.999)).toBe(999);
    expect(backoffDelay(3, 500, 15_000, () => 0.5)).toBe(2000);
    expect(backoffDelay(30, 500, 15_000, () => 0.999)).toBe(14_985);
  });
});
