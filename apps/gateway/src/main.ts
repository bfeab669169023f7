import { runService } from '@banterbox/service';
import { gatewayService } from './service';

/** One gateway configured only by environment variables (SPEC §3). */
runService(gatewayService, (config, log) => {
  if (config.insecureSecret) log.warn('BANTERBOX_SECRET is not set: using the insecure development secret');
});
