export { createTicker } from './ticker';
export type { Ticker, TickerDeps, TickStats } from './ticker';
export { readTickerConfig } from './env';
export type { TickerConfig } from './env';
//# sourceMappingURL=index.d.ts.map