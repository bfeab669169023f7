import { runService } from '@banterbox/service';
import { readGatewayConfig } from './env';
import { createGateway } from './gateway';

/** One gateway configured only by environment variables (SPEC §3). */
runService(
  { name: 'gateway', readConfig: readGatewayConfig, create: (config, log) => createGateway({ config, log }) },
  (config, log) => {
    if (config.insecureSecret) log.warn('BANTERBOX_SECRET is not set: using the insecure development secret');
  },
);
