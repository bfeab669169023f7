/** The first tick time after `now` on the grid of `tickMs` multiples (so ticks never drift). */
export function nextTick(now: number, tickMs: number): number {
  return (Math.floor(now / tickMs) + 1) * tickMs;
}

/**
 * Calls `onTick(ts, lagMs)` at every multiple of `tickMs`, one at a time. A tick that runs long
 * makes the clock skip the boundaries it missed rather than run them late in a burst. A tick that
 * throws is handed to `onError` and the clock goes on.
 */
export class TickClock {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  /** The last boundary fired. */
  private lastTs = 0;

  constructor(
    private readonly tickMs: number,
    private readonly onTick: (ts: number, lagMs: number) => Promise<void>,
    private readonly onError: (error: unknown, ts: number) => void,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule();
  }

  private schedule(): void {
    if (!this.running) return;
    // A timer may fire a millisecond before its boundary by the wall clock; never tick a ts twice.
    const ts = Math.max(nextTick(Date.now(), this.tickMs), this.lastTs + this.tickMs);
    this.timer = setTimeout(() => void this.fire(ts), ts - Date.now());
  }

  private async fire(ts: number): Promise<void> {
    if (!this.running) return;
    this.lastTs = ts;
    try {
      await this.onTick(ts, Math.max(0, Date.now() - ts));
    } catch (error) {
      this.onError(error, ts);
    } finally {
      this.schedule();
    }
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
  }
}
