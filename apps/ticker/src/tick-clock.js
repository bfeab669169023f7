"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.TickClock = void 0;
exports.nextTick = nextTick;
/** The first tick time after `now` on the grid of `tickMs` multiples (so ticks never drift). */
function nextTick(now, tickMs) {
    return (Math.floor(now / tickMs) + 1) * tickMs;
}
/**
 * Calls `onTick(ts, lagMs)` at every multiple of `tickMs`, one at a time. A tick that runs long
 * makes the clock skip the boundaries it missed rather than run them late in a burst.
 */
class TickClock {
    tickMs;
    onTick;
    timer;
    running = false;
    constructor(tickMs, onTick) {
        this.tickMs = tickMs;
        this.onTick = onTick;
    }
    start() {
        if (this.running)
            return;
        this.running = true;
        this.schedule();
    }
    schedule() {
        if (!this.running)
            return;
        const ts = nextTick(Date.now(), this.tickMs);
        this.timer = setTimeout(() => void this.fire(ts), ts - Date.now());
    }
    async fire(ts) {
        if (!this.running)
            return;
        try {
            await this.onTick(ts, Math.max(0, Date.now() - ts));
        }
        finally {
            this.schedule();
        }
    }
    stop() {
        this.running = false;
        if (this.timer)
            clearTimeout(this.timer);
    }
}
exports.TickClock = TickClock;
//# sourceMappingURL=tick-clock.js.map