import { runService } from '@banterbox/service';
import { readTickerConfig } from './env';
import { createTicker } from './ticker';

/** One ticker replica configured only by environment variables (SPEC §3). */
runService({ name: 'ticker', readConfig: readTickerConfig, create: (config, log) => createTicker({ config, log }) });
