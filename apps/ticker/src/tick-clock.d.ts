/** The first tick time after `now` on the grid of `tickMs` multiples (so ticks never drift). */
export declare function nextTick(now: number, tickMs: number): number;
/**
 * Calls `onTick(ts, lagMs)` at every multiple of `tickMs`, one at a time. A tick that runs long
 * makes the clock skip the boundaries it missed rather than run them late in a burst.
 */
export declare class TickClock {
    private readonly tickMs;
    private readonly onTick;
    private timer;
    private running;
    constructor(tickMs: number, onTick: (ts: number, lagMs: number) => Promise<void>);
    start(): void;
    private schedule;
    private fire;
    stop(): void;
}
//# sourceMappingURL=tick-clock.d.ts.map