import { TickClock, nextTick } from './tick-clock';

describe('tick clock', () => {
  it('puts ticks on the grid of tick multiples', () => {
    expect(nextTick(1_700_000_000_123, 1000)).toBe(1_700_000_001_000);
    expect(nextTick(1_700_000_001_000, 1000)).toBe(1_700_000_002_000);
    expect(nextTick(250, 100)).toBe(300);
  });

  it('fires on grid boundaries only and skips boundaries a slow tick missed', async () => {
    const seen: number[] = [];
    const clock = new TickClock(50, async (ts) => {
      seen.push(ts);
      if (seen.length === 2) await new Promise((resolve) => setTimeout(resolve, 130));
    });
    clock.start();
    await new Promise((resolve) => setTimeout(resolve, 400));
    clock.stop();
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(seen.every((ts) => ts % 50 === 0)).toBe(true);
    // strictly increasing, and the slow second tick made the clock skip at least one boundary
    expect(seen.every((ts, i) => i === 0 || ts > (seen[i - 1] ?? 0))).toBe(true);
    expect((seen[2] ?? 0) - (seen[1] ?? 0)).toBeGreaterThanOrEqual(150);
  });
});
