import { describeTopology, type RedisTopology } from '@banterbox/config';
import type { Logger } from '@banterbox/logger';
import { RoomChannels, connectRedis, registerScripts, whenReady, type RedisClient, type ScriptedRedis } from '@banterbox/store';

/** The gateway's two Redis connections: commands (scripts, batches, the lease) and pub/sub. */
export interface RedisLinks {
  redis: ScriptedRedis;
  subscriber: RedisClient;
  channels: RoomChannels;
  /** Whether both are connected (for readiness). */
  ready(): boolean;
  status(): { redis: string; subscriber: string };
  whenReady(timeoutMs: number): Promise<void>;
  close(): void;
}

export function openRedisLinks(topology: RedisTopology, log: Logger): RedisLinks {
  // Commands fail at once while disconnected: the lease's resync repairs what they would have done.
  const redis = registerScripts(connectRedis(topology, { name: 'gateway-cmd', queueWhileDisconnected: false }));
  const subscriber = connectRedis(topology, { name: 'gateway-sub', queueWhileDisconnected: true });
  log.info({ redis: describeTopology(topology) }, 'connecting to Redis');
  redis.on('error', (err: Error) => log.warn({ err }, 'redis command connection error'));
  subscriber.on('error', (err: Error) => log.warn({ err }, 'redis subscriber connection error'));
  return {
    redis,
    subscriber,
    channels: new RoomChannels(subscriber),
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
