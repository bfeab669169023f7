import type { Logger } from '@banterbox/logger';
import type { RedisClient, RoomChannels, ScriptedRedis } from '@banterbox/store';
import type { GatewayConfig } from './env';
import type { GatewayIdentity } from './lifecycle/gateway-lease';
import type { GatewayMetrics } from './metrics';
import type { Fanout } from './transport/fanout';
import type { UpgradePolicy } from './transport/upgrade';
import type { WebhookEvents } from './webhooks/webhook-events';

/** What the wiring hands every feature. */
export interface FeatureDeps {
  config: Readonly<GatewayConfig>;
  redis: ScriptedRedis;
  /** The subscriber connection (its `ready` events), and room channels on it. */
  subscriber: RedisClient;
  channels: RoomChannels;
  identity: GatewayIdentity;
  fanout: Fanout;
  metrics: GatewayMetrics;
  upgrade: UpgradePolicy;
  /** Webhook events this gateway records (a no-op without WEBHOOK_URLS). */
  webhooks: WebhookEvents;
  log: Logger;
}
