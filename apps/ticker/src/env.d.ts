import { type CommonConfig, type EnvSource } from '@banterbox/config';
export interface TickerConfig extends CommonConfig {
    tickerId: string;
    /** Leadership lock TTL: a dead leader is replaced within about this long. */
    leaderTtlMs: number;
}
export declare function readTickerConfig(source: EnvSource): Readonly<TickerConfig>;
//# sourceMappingURL=env.d.ts.map