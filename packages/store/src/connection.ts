import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { RedisAccess, RedisTopology } from '@banterbox/config';

export type { Redis, Cluster } from 'ioredis';

/** A connection to whichever topology is configured: one node or a Sentinel primary (Redis), or a Cluster. */
export type RedisClient = Redis | Cluster;

export interface ConnectionOptions {
  /** Shown in CLIENT LIST, e.g. "gateway-cmd". */
  name: string;
  /**
   * false: commands fail at once while disconnected (hot paths that repair themselves on
   * reconnect); true: commands wait for the connection (startup, subscriber).
   */
  queueWhileDisconnected: boolean;
}

/** Reconnect forever, backing off to 2 s: Redis coming back must be picked up without a restart. */
const backoff = (attempt: number): number => Math.min(50 * 2 ** Math.min(attempt, 6), 2_000);

function tlsOptions(access: RedisAccess): RedisOptions['tls'] {
  if (!access.tls) return undefined;
  return access.tlsCa === undefined ? {} : { ca: access.tlsCa };
}

/**
 * One place that opens Redis connections, for every topology. RESP2 is chosen on purpose: reply
 * shapes are the ones every script wrapper here expects, and pub/sub runs on its own connection.
 */
export function connectRedis(topology: RedisTopology, { name, queueWhileDisconnected }: ConnectionOptions): RedisClient {
  const node: RedisOptions = {
    protocol: 2,
    connectionName: `banterbox-${name}`,
    enableOfflineQueue: queueWhileDisconnected,
    maxRetriesPerRequest: queueWhileDisconnected ? null : 1,
    lazyConnect: false,
    retryStrategy: backoff,
    // A primary demoted by a failover answers writes with READONLY: reconnect (Sentinel then finds
    // the new primary) and send the command again.
    reconnectOnError: (err) => (/^(READONLY|LOADING)/.test(err.message) ? 2 : false),
    enableAutoPipelining: false,
    ...(topology.username === undefined ? {} : { username: topology.username }),
    ...(topology.password === undefined ? {} : { password: topology.password }),
    ...(topology.tls ? { tls: tlsOptions(topology) } : {}),
  };
  switch (topology.kind) {
    case 'single': {
      // A URL's own user and password win over REDIS_USERNAME / REDIS_PASSWORD.
      const url = new URL(topology.url);
      return new Redis(topology.url, {
        ...node,
        ...(url.username === '' ? {} : { username: decodeURIComponent(url.username) }),
        ...(url.password === '' ? {} : { password: decodeURIComponent(url.password) }),
      });
    }
    case 'sentinel':
      return new Redis({
        ...node,
        sentinels: topology.sentinels,
        name: topology.name,
        ...(topology.sentinelPassword === undefined ? {} : { sentinelPassword: topology.sentinelPassword }),
        ...(topology.tls ? { enableTLSForSentinelMode: true, sentinelTLS: tlsOptions(topology) } : {}),
        sentinelRetryStrategy: backoff,
      });
    case 'cluster': {
      const { retryStrategy: _perNode, enableOfflineQueue: _queue, ...redisOptions } = node;
      const options: ClusterOptions = {
        redisOptions,
        enableOfflineQueue: queueWhileDisconnected,
        enableReadyCheck: true,
        clusterRetryStrategy: backoff,
        // Room channels are sharded (SSUBSCRIBE): each subscription follows its slot's master.
        shardedSubscribers: true,
        scaleReads: 'master',
        slotsRefreshTimeout: 2_000,
      };
      return new Cluster(topology.nodes, options);
    }
  }
}

/**
 * Calls `handler` when a Cluster's set of nodes changes (a failover, a node added or removed):
 * writes acknowledged by a master that died before its replica had them are lost, so the caller
 * re-asserts its state. Nothing happens on a single node or Sentinel (they reconnect, and emit
 * `ready` again).
 */
export function onNodesChanged(client: RedisClient, handler: (reason: string) => void): void {
  if (!(client instanceof Cluster)) return;
  client.on('-node', () => handler('a Redis Cluster node left'));
  client.on('+node', () => handler('a Redis Cluster node joined'));
}

/** Resolves once `redis` is ready, or rejects after `timeoutMs`. */
export function whenReady(redis: RedisClient, timeoutMs: number): Promise<void> {
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
