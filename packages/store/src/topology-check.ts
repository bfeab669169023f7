import { setTimeout as sleep } from 'node:timers/promises';
import { Cluster } from 'ioredis';
import type { RedisClient } from './connection';

/** Seen in ioredis Cluster errors when a seed node is a plain Redis. */
const NOT_A_CLUSTER = /cluster support disabled/i;

/**
 * Why the connected Redis cannot be used as configured, or undefined when it can: a Cluster
 * setting that reached a plain Redis, a Cluster with slots nobody serves, or a single-node
 * setting (REDIS_URL, Sentinel) that reached a Cluster node, where commands for other slots would
 * fail. A process must not half-work on any of these.
 */
export async function topologyProblem(client: RedisClient): Promise<string | undefined> {
  if (client instanceof Cluster) {
    const info = String(await client.cluster('INFO'));
    const state = /cluster_state:(\w+)/.exec(info)?.[1];
    const served = /cluster_slots_ok:(\d+)/.exec(info)?.[1];
    return state === 'ok'
      ? undefined
      : `the Redis Cluster is not ok (cluster_state:${state ?? '?'}, ${served ?? '?'} of 16384 slots served)`;
  }
  const info = await client.info('cluster');
  return /cluster_enabled:1/.test(info)
    ? 'the Redis is a Cluster node: set REDIS_CLUSTER_NODES instead of REDIS_URL or REDIS_SENTINELS'
    : undefined;
}

/** A connection error that says the configured topology is wrong (not merely unreachable). */
export function misconfiguration(error: Error & { lastNodeError?: Error }): string | undefined {
  const text = `${error.message} ${error.lastNodeError?.message ?? ''}`;
  return NOT_A_CLUSTER.test(text) ? 'REDIS_CLUSTER_NODES points at a Redis without cluster mode (cluster support disabled)' : undefined;
}

interface WatchLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** How often the topology is checked again (a Cluster can lose slot coverage at any time). */
const CHECK_MS = 5_000;

/**
 * Watches that a process's Redis connections are usable as configured: connected, and the
 * topology right (see topologyProblem). The first problem found is logged as one clear line,
 * its end as another; `problem` feeds readiness.
 */
export class TopologyWatch {
  private found: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly clients: readonly RedisClient[],
    private readonly where: string,
    private readonly log: WatchLog,
  ) {
    for (const client of clients) {
      client.on('error', (err: Error) => {
        const wrong = misconfiguration(err);
        if (wrong !== undefined) this.report(wrong);
        else log.warn({ err }, 'redis connection error');
      });
    }
    this.timer = setInterval(() => void this.check(), CHECK_MS);
  }

  /** Why Redis cannot be used as configured now, or undefined. */
  get problem(): string | undefined {
    return this.found;
  }

  get connected(): boolean {
    return this.clients.every((client) => client.status === 'ready');
  }

  get usable(): boolean {
    return this.connected && this.found === undefined;
  }

  /** Resolves once Redis is usable; waits as long as it takes (or until `close`). */
  async untilUsable(): Promise<void> {
    for (let waited = 0; !this.closed; waited += 1) {
      if (this.connected) {
        await this.check();
        if (this.found === undefined) return;
      } else if (waited > 0 && waited % 30 === 0) {
        this.log.warn({ redis: this.where }, 'still waiting for Redis');
      }
      await sleep(500);
    }
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
  }

  private async check(): Promise<void> {
    const client = this.clients[0];
    if (!client || client.status !== 'ready') return;
    try {
      this.report(await topologyProblem(client));
    } catch (err) {
      this.log.warn({ err }, 'Redis topology check failed');
    }
  }

  private report(found: string | undefined): void {
    if (found !== undefined && found !== this.found)
      this.log.error({ problem: found, redis: this.where }, 'Redis is not usable as configured; /readyz stays 503');
    else if (found === undefined && this.found !== undefined) this.log.info({ redis: this.where }, 'Redis is usable as configured again');
    this.found = found;
  }
}
