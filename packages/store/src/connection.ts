import { Redis, type RedisOptions } from 'ioredis';

export type { Redis } from 'ioredis';

export interface ConnectionOptions {
  /** Shown in CLIENT LIST, e.g. "gateway-cmd". */
  name: string;
  /**
   * false: commands fail at once while disconnected (hot paths that repair themselves on
   * reconnect); true: commands wait for the connection (startup, subscriber).
   */
  queueWhileDisconnected: boolean;
}

/**
 * One place that opens Redis connections. RESP2 is chosen on purpose: reply shapes are the ones
 * every script wrapper here expects, and pub/sub runs on its own connection anyway.
 */
export function connectRedis(url: string, { name, queueWhileDisconnected }: ConnectionOptions): Redis {
  const options: RedisOptions = {
    protocol: 2,
    connectionName: `banterbox-${name}`,
    enableOfflineQueue: queueWhileDisconnected,
    maxRetriesPerRequest: queueWhileDisconnected ? null : 1,
    lazyConnect: false,
    // Reconnect forever, backing off to 2 s: Redis coming back must be picked up without a restart.
    retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 6), 2_000),
    enableAutoPipelining: false,
  };
  return new Redis(url, options);
}

/** Resolves once `redis` is ready, or rejects after `timeoutMs`. */
export function whenReady(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis not ready after ${timeoutMs} ms (status ${redis.status})`));
    }, timeoutMs);
    const onReady = (): void => {
      cleanup();
      resolve();
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      redis.off('ready', onReady);
    };
    redis.on('ready', onReady);
  });
}
