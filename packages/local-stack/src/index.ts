export { LocalRedis } from './local-redis';
export type { LocalTopology } from './local-redis';
export { LocalCluster, redisCli } from './local-cluster';
export { LocalSentinel } from './local-sentinel';
export type { LocalClusterOptions } from './local-cluster';
export { freePort, freePorts, pingRedis, redisServerAvailable } from './redis-process';
export { AppProcess } from './app-process';
export { Waiters } from './waiters';
export { LocalStackError } from './errors';
