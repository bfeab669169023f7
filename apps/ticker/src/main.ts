import { runService } from '@banterbox/service';
import { tickerService } from './service';

/** One ticker replica configured only by environment variables (SPEC §3). */
runService(tickerService);
