import type { Logger } from '@banterbox/logger';
import { connectRedis, registerScripts, whenReady, type Redis, type ScriptedRedis } from '@banterbox/store';

/** The gateway's two Redis connections: commands (scripts, batches, the lease) and pub/sub. */
export interface RedisLinks {
  redis: ScriptedRedis;
  subscriber: Redis;
  /** Whether both are connected (for readiness). */
  ready(): boolean;
  status(): { redis: string; subscriber: string };
  whenReady(timeoutMs: number): Promise<void>;
  close(): void;
}

export function openRedisLinks(url: string, log: Logger): RedisLinks {
  // Commands fail at once while disconnected: the lease's resync repairs what they would have done.
  const redis = registerScripts(connectRedis(url, { name: 'gateway-cmd', queueWhileDisconnected: false }));
  const subscriber = connectRedis(url, { name: 'gateway-sub', queueWhileDisconnected: true });
  redis.on('error', (err: Error) => log.warn({ err }, 'redis command connection error'));
  subscriber.on('error', (err: Error) => log.warn({ err }, 'redis subscriber connection error'));
  return {
    redis,
    subscriber,
    ready: () => redis.status === 'ready' && subscriber.status === 'ready',
    status: () => ({ redis: redis.status, subscriber: subscriber.status }),
    whenReady: async (timeoutMs) => {
      await Promise.all([whenReady(redis, timeoutMs), whenReady(subscriber, timeoutMs)]);
    },
    close: () => {
      redis.disconnect();
      subscriber.disconnect();
    },
  };
}
