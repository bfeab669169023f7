import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import Redlock from 'redlock';
import { execPipeline, keys } from '@banterbox/store';
import { PartitionLock, type LockLog } from './partition-lock';

export interface LeadershipOptions {
  /** A connection used only for leadership. */
  redis: Redis | Cluster;
  /** This replica's id, for logs and `bb:{ticker}:info`. */
  id: string;
  /** Lock lifetime; a dead replica's partitions are taken over within about this long. */
  ttlMs: number;
  /** TICK_PARTITIONS: how many partitions the rooms are ticked in. */
  partitions: number;
  log: LockLog;
}

/**
 * Leads a fair share of the tick partitions. Every replica heartbeats into
 * `bb:{ticker}:replicas` (Redis time), so all agree on how many are alive (N) and aim at
 * ⌈P/N⌉ partitions each: a replica below that wins free partitions (each with its own redlock
 * lock and a new epoch), one above it hands one back per step. Steps run every quarter of the
 * TTL; held locks are extended at each. One replica alone leads every partition; a dead
 * replica's locks and heartbeat lapse after the TTL and the others take its partitions.
 */
export class PartitionLeadership {
  private readonly locks: PartitionLock[];
  private readonly redlock: Redlock;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  /** Where this replica starts looking for free partitions, so replicas do not all race for partition 0. */
  private readonly offset: number;

  constructor(private readonly options: LeadershipOptions) {
    this.redlock = new Redlock([options.redis], { retryCount: 0, driftFactor: 0.01 });
    // Failed attempts are expected (another replica holds the lock); each call reports its own outcome.
    this.redlock.on('error', () => undefined);
    this.locks = Array.from(
      { length: options.partitions },
      (_, p) => new PartitionLock(p, this.redlock, options.redis, options.id, options.ttlMs, options.log),
    );
    this.offset = createHash('sha1').update(options.id).digest().readUInt32BE(0) % options.partitions;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.step();
  }

  /** The partitions this replica leads now. */
  led(): number[] {
    const now = Date.now();
    return this.locks.filter((lock) => lock.held(now)).map((lock) => lock.partition);
  }

  leads(partition: number): boolean {
    return this.locks[partition]?.held() ?? false;
  }

  epochOf(partition: number): number {
    return this.locks[partition]?.epoch ?? 0;
  }

  /** Called by the owner when a fenced write proves another leader of `partition` exists. */
  stepDown(partition: number, reason: string): void {
    this.locks[partition]?.stepDown(reason);
  }

  private async step(): Promise<void> {
    try {
      const replicas = await this.heartbeat();
      // Every lock this replica has, held or lapsed: a lapsed one steps down (and says so).
      await Promise.all(this.locks.map((lock) => lock.extend()));
      await this.balance(Math.ceil(this.options.partitions / Math.max(1, replicas)));
    } catch (err) {
      this.options.log.warn({ err }, 'leadership step failed');
    }
    if (this.running) this.timer = setTimeout(() => void this.step(), this.options.ttlMs / 4);
  }

  /** Records this replica as alive until a TTL from now and returns how many replicas are. */
  private async heartbeat(): Promise<number> {
    const { redis, id, ttlMs } = this.options;
    const [seconds, micros] = await redis.time();
    const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    // execPipeline checks every reply: a failed MULTI throws here instead of counting as one replica.
    const [, , count] = await execPipeline(
      redis
        .multi()
        .zadd(keys.tickerReplicas, now + ttlMs, id)
        .zremrangebyscore(keys.tickerReplicas, '-inf', `(${now}`)
        .zcard(keys.tickerReplicas),
    );
    return Math.max(1, Number(count));
  }

  /** Hands back one partition over `target`, or wins free ones up to it. */
  private async balance(target: number): Promise<void> {
    const held = this.locks.filter((lock) => lock.held());
    if (held.length > target) {
      await held[held.length - 1]!.release(`rebalancing to ${target} partitions per replica`);
      return;
    }
    let leading = held.length;
    for (let i = 0; i < this.locks.length && leading < target && this.running; i += 1) {
      const lock = this.locks[(this.offset + i) % this.locks.length]!;
      if (!lock.held() && (await lock.tryAcquire())) leading += 1;
    }
  }

  /** Stops campaigning and frees every lock, so the other replicas take over at once. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await Promise.all(this.locks.map((lock) => lock.release('stopped')));
    await this.options.redis
      .zrem(keys.tickerReplicas, this.options.id)
      .catch((err: unknown) => this.options.log.warn({ err }, 'replica heartbeat not removed; it lapses within the TTL'));
  }
}
