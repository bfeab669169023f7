import { setTimeout as sleep } from 'node:timers/promises';
import { TickClock, nextTick } from './tick-clock';

/** For clocks whose ticks must not throw. */
const fail = (error: unknown): never => {
  throw error;
};

describe('tick clock', () => {
  it('puts ticks on the grid of tick multiples', () => {
    expect(nextTick(1_700_000_000_123, 1000)).toBe(1_700_000_001_000);
    expect(nextTick(1_700_000_001_000, 1000)).toBe(1_700_000_002_000);
    expect(nextTick(250, 100)).toBe(300);
  });

  it('fires on grid boundaries only and skips boundaries a slow tick missed', async () => {
    const seen: number[] = [];
    const clock = new TickClock(
      50,
      async (ts) => {
        seen.push(ts);
        if (seen.length === 2) await sleep(130);
      },
      fail,
    );
    clock.start();
    await sleep(400);
    clock.stop();
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(seen.every((ts) => ts % 50 === 0)).toBe(true);
    // strictly increasing, and the slow second tick made the clock skip at least one boundary
    expect(seen.every((ts, i) => i === 0 || ts > (seen[i - 1] ?? 0))).toBe(true);
    expect((seen[2] ?? 0) - (seen[1] ?? 0)).toBeGreaterThanOrEqual(150);
  });

  describe('with fake timers', () => {
    beforeEach(() => jest.useFakeTimers({ now: 1_000_030 }));
    afterEach(() => jest.useRealTimers());

    it('fires exactly at each boundary with the lag it was late by, and stops', async () => {
      const seen: [number, number][] = [];
      const clock = new TickClock(
        100,
        async (ts, lagMs) => {
          seen.push([ts, lagMs]);
        },
        fail,
      );
      clock.start();
      await jest.advanceTimersByTimeAsync(69);
      expect(seen).toEqual([]);
      await jest.advanceTimersByTimeAsync(1);
      expect(seen).toEqual([[1_000_100, 0]]);
      await jest.advanceTimersByTimeAsync(300);
      expect(seen.map(([ts]) => ts)).toEqual([1_000_100, 1_000_200, 1_000_300, 1_000_400]);
      clock.stop();
      await jest.advanceTimersByTimeAsync(1_000);
      expect(seen).toHaveLength(4);
    });

    it('runs one tick at a time and skips the boundaries a slow tick overran', async () => {
      const seen: number[] = [];
      let running = 0;
      let overlapped = false;
      const clock = new TickClock(
        100,
        async (ts) => {
          overlapped ||= running > 0;
          running += 1;
          seen.push(ts);
          // The global setTimeout (faked here), not node:timers/promises (which fake timers leave alone).
          if (ts === 1_000_200) await new Promise((resolve) => setTimeout(resolve, 250)); // runs to 1_000_450
          running -= 1;
        },
        fail,
      );
      clock.start();
      await jest.advanceTimersByTimeAsync(700);
      clock.stop();
      expect(overlapped).toBe(false);
      // 300 and 400 fell inside the slow tick and are skipped, not run late in a burst.
      expect(seen).toEqual([1_000_100, 1_000_200, 1_000_500, 1_000_600, 1_000_700]);
    });

    it('never fires a boundary twice when the wall clock reads just before it (a timer fired early)', async () => {
      const seen: number[] = [];
      const clock = new TickClock(
        100,
        async (ts) => {
          seen.push(ts);
          if (seen.length === 1) jest.setSystemTime(ts - 1); // the wall clock is a millisecond behind the timer
        },
        fail,
      );
      clock.start();
      await jest.advanceTimersByTimeAsync(250);
      clock.stop();
      expect(seen.slice(0, 2)).toEqual([1_000_100, 1_000_200]);
    });

    it('reports a tick that threw and keeps ticking', async () => {
      const seen: number[] = [];
      const failed: [unknown, number][] = [];
      const clock = new TickClock(
        100,
        async (ts) => {
          seen.push(ts);
          if (seen.length === 1) throw new Error('tick failed');
        },
        (error, ts) => failed.push([error, ts]),
      );
      clock.start();
      await jest.advanceTimersByTimeAsync(270);
      clock.stop();
      expect(seen).toEqual([1_000_100, 1_000_200, 1_000_300]);
      expect(failed).toEqual([[new Error('tick failed'), 1_000_100]]);
    });
  });
});
