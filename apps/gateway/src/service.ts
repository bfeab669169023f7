import type { ServiceDefinition } from '@banterbox/service';
import { readGatewayConfig, type GatewayConfig } from './env';
import { createGateway, type Gateway } from './gateway';

/** The gateway as `main` runs it, and as tests start it in-process. */
export const gatewayService: ServiceDefinition<GatewayConfig, Gateway> = {
  name: 'gateway',
  readConfig: readGatewayConfig,
  create: (config, log) => createGateway({ config, log }),
};
