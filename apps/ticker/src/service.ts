import type { ServiceDefinition } from '@banterbox/service';
import { readTickerConfig, type TickerConfig } from './env';
import { createTicker, type Ticker } from './ticker';

/** The ticker as `main` runs it, and as tests start it in-process. */
export const tickerService: ServiceDefinition<TickerConfig, Ticker> = {
  name: 'ticker',
  readConfig: readTickerConfig,
  create: (config, log) => createTicker({ config, log }),
};
