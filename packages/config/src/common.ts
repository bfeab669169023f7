import { LOG_LEVELS_LIST, type EnvReader } from './env-reader';
import { readRedisTopology, type RedisTopology } from './redis-topology';
import { readWebhooks, type WebhookConfig } from './webhooks';

/** Settings every banterbox process reads the same way (SPEC §3). */
export interface CommonConfig {
  /** Which Redis: one node, a Sentinel-managed primary, or a Cluster. */
  redis: RedisTopology;
  logLevel: (typeof LOG_LEVELS_LIST)[number];
  /** Global tick period; every room's tick is a multiple of it. */
  tickMs: number;
  /** Points kept per room history and sent on join. */
  historyLimit: number;
  /** How long a gateway's connections keep counting after it stops renewing its lease. */
  gatewayLeaseMs: number;
  /** A vote room's meta and history expire after this long without ticks. */
  roomTtlMs: number;
  /** A poker user (and the rooms they own) expires this long after their last connection. */
  userTtlMs: number;
  /** A poker member who leaves keeps their estimate of the round this long for a rejoin. */
  pokerRejoinGraceMs: number;
  /** Webhook endpoints and delivery (gateways emit events, the ticker delivers them). */
  webhooks: WebhookConfig;
  production: boolean;
}

export function readCommon(env: EnvReader): CommonConfig {
  return {
    redis: readRedisTopology(env),
    logLevel: env.oneOf('LOG_LEVEL', LOG_LEVELS_LIST, 'info'),
    tickMs: env.int('TICK_MS', 1000, { min: 50, max: 60_000 }),
    historyLimit: env.int('HISTORY_LIMIT', 3600, { min: 1, max: 100_000 }),
    gatewayLeaseMs: env.int('GATEWAY_LEASE_MS', 5000, { min: 500, max: 300_000 }),
    roomTtlMs: env.int('ROOM_TTL_S', 7 * 24 * 3600, { min: 60, max: 365 * 24 * 3600 }) * 1000,
    userTtlMs: env.int('USER_TTL_S', 7200, { min: 1, max: 30 * 24 * 3600 }) * 1000,
    pokerRejoinGraceMs: env.int('POKER_REJOIN_GRACE_S', 30, { min: 0, max: 3600 }) * 1000,
    webhooks: readWebhooks(env),
    production: env.string('NODE_ENV', 'development') === 'production',
  };
}
