import type { Logger } from '@banterbox/logger';
import { expiredGateways, reapGateway, type Stores } from '@banterbox/store';
import type { TickerMetrics } from '../metrics';
import type { Chore } from './chores';

/** Dead gateways reaped per run at most (each can take a while for big rooms). */
const REAP_PER_RUN = 8;

/**
 * Takes the gateways whose lease expired back out of everything they held (the store's
 * reapGateway: tombstones first, then their connections, then their lease).
 */
export class GatewayReaper implements Chore {
  readonly name = 'reap_gateways';

  constructor(
    private readonly stores: Stores,
    private readonly metrics: TickerMetrics,
    private readonly log: Logger,
  ) {}

  async run(redisNow: number): Promise<void> {
    for (const gatewayId of await expiredGateways(this.stores.votes.redis, redisNow, REAP_PER_RUN)) {
      const released = await reapGateway(this.stores, gatewayId);
      this.metrics.gatewaysReaped.inc();
      this.log.info({ gatewayId, released }, 'reaped dead gateway');
    }
  }
}
