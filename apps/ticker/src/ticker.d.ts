import type { Logger } from '@banterbox/logger';
import type { TickerConfig } from './env';
export interface TickStats {
    ticks: number;
    stored: number;
    fenced: number;
    lastTs: number;
    lastDurationMs: number;
    gatewaysReaped: number;
}
export interface Ticker {
    start(): Promise<void>;
    stop(): Promise<void>;
    isLeader(): boolean;
    readonly stats: TickStats;
}
export interface TickerDeps {
    config: Readonly<TickerConfig>;
    log: Logger;
}
/**
 * One ticker replica. Every replica runs the tick clock; only the leader acts on a tick: it
 * reaps dead gateways, then stores and publishes each active room's point through the fenced
 * tickRoom script.
 */
export declare function createTicker({ config, log }: TickerDeps): Ticker;
//# sourceMappingURL=ticker.d.ts.map