export { createTicker } from './ticker';
export type { Ticker, TickerDeps } from './ticker';
export { readTickerConfig } from './env';
export type { TickerConfig } from './env';
export { tickerService } from './service';
