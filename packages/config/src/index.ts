export { ConfigError, EnvReader, LOG_LEVELS_LIST } from './env-reader';
export type { EnvSource } from './env-reader';
export { readCommon } from './common';
export type { CommonConfig } from './common';
export { readRedisTopology, parseNode, describeTopology, REDIS_TOPOLOGY_CHOICES } from './redis-topology';
export type { RedisTopology, RedisNode, RedisAccess } from './redis-topology';
export type { WebhookConfig } from './webhooks';
