export { createGateway } from './gateway';
export type { Gateway, GatewayDeps } from './gateway';
export { readGatewayConfig } from './env';
export type { GatewayConfig } from './env';
export { gatewayService } from './service';
