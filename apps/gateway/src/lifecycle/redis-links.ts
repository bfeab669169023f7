import { describeTopology, type RedisTopology } from '@banterbox/config';
import type { Logger } from '@banterbox/logger';
import { RoomChannels, TopologyWatch, connectRedis, registerScripts, type RedisClient, type ScriptedRedis } from '@banterbox/store';

/** The gateway's two Redis connections: commands (scripts, batches, the lease) and pub/sub. */
export interface RedisLinks {
  redis: ScriptedRedis;
  subscriber: RedisClient;
  channels: RoomChannels;
  /** Whether both are connected and the topology is as configured (for readiness). */
  ready(): boolean;
  status(): { redis: string; subscriber: string; topology: string };
  /** Resolves once Redis is usable; waits as long as it takes (readiness says why meanwhile). */
  untilUsable(): Promise<void>;
  close(): void;
}

export function openRedisLinks(topology: RedisTopology, log: Logger): RedisLinks {
  // Commands fail at once while disconnected: the lease's resync repairs what they would have done.
  const redis = registerScripts(connectRedis(topology, { name: 'gateway-cmd', queueWhileDisconnected: false }));
  const subscriber = connectRedis(topology, { name: 'gateway-sub', queueWhileDisconnected: true });
  const where = describeTopology(topology);
  log.info({ redis: where }, 'connecting to Redis');
  const watch = new TopologyWatch([redis, subscriber], where, log);
  return {
    redis,
    subscriber,
    channels: new RoomChannels(subscriber),
    ready: () => watch.usable,
    status: () => ({ redis: redis.status, subscriber: subscriber.status, topology: watch.problem ?? 'ok' }),
    untilUsable: () => watch.untilUsable(),
    close: () => {
      watch.close();
      redis.disconnect();
      subscriber.disconnect();
    },
  };
}
