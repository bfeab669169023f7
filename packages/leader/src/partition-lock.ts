import type { Lock, default as Redlock } from 'redlock';
import type { Cluster, Redis } from 'ioredis';
import { keys } from '@banterbox/store';

/** Safety margin before the lock's own expiry after which a leader stops acting. */
const EXPIRY_MARGIN_MS = 200;

export interface LockLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/**
 * The leadership of one tick partition: a redlock lock (`bb:{ticker}:leader:<p>`) plus the epoch
 * taken when it was won. `held()` turns false on the local clock once the lock could have
 * expired, so a paused leader does not act before it has learnt it was replaced.
 */
export class PartitionLock {
  private lock: Lock | undefined;
  private epochNumber = 0;

  constructor(
    readonly partition: number,
    private readonly redlock: Redlock,
    private readonly redis: Redis | Cluster,
    private readonly replicaId: string,
    private readonly ttlMs: number,
    private readonly log: LockLog,
  ) {}

  held(now = Date.now()): boolean {
    return this.lock !== undefined && now < this.lock.expiration - EXPIRY_MARGIN_MS;
  }

  /** The epoch this replica leads the partition with (0 before it ever led it). */
  get epoch(): number {
    return this.epochNumber;
  }

  /** Tries to win the partition; false when another replica holds it or Redis is away. */
  async tryAcquire(): Promise<boolean> {
    let lock: Lock;
    try {
      lock = await this.redlock.acquire([keys.partitionLock(this.partition)], this.ttlMs);
    } catch {
      return false; // held by another replica, or Redis unreachable: try again next step
    }
    let epoch: number;
    try {
      epoch = await this.redis.incr(keys.leaderEpoch);
      await this.redis.hset(keys.leaderInfo, String(this.partition), `${this.replicaId}|${epoch}|${Date.now()}`);
    } catch (err) {
      // Without an epoch this replica cannot act; free the lock rather than sit on it for a TTL.
      await this.free(lock);
      this.log.warn({ err, partition: this.partition }, 'partition won but no epoch taken; lock freed');
      return false;
    }
    this.lock = lock;
    this.epochNumber = epoch;
    this.log.info({ epoch, partition: this.partition, id: this.replicaId }, 'leadership acquired');
    return true;
  }

  /** Extends the lock if this replica has one; a lapsed or refused one is given up. */
  async extend(): Promise<void> {
    const lock = this.lock;
    if (!lock) return;
    if (Date.now() >= lock.expiration) {
      this.stepDown('lock expired before it could be extended');
      return;
    }
    try {
      this.lock = await lock.extend(this.ttlMs);
    } catch (error) {
      this.stepDown(`lock could not be extended: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Stops acting at once (a fenced write proved a newer leader, or the lock was lost). */
  stepDown(reason: string): void {
    if (!this.lock) return;
    this.lock = undefined;
    this.log.warn({ epoch: this.epochNumber, partition: this.partition, reason }, 'leadership lost');
  }

  /** Gives the partition up and frees the lock, so another replica takes it at once. */
  async release(reason: string): Promise<void> {
    const lock = this.lock;
    this.lock = undefined;
    if (!lock) return;
    await this.free(lock);
    this.log.info({ epoch: this.epochNumber, partition: this.partition, reason }, 'leadership released');
  }

  private async free(lock: Lock): Promise<void> {
    await lock
      .release()
      .catch((err: unknown) =>
        this.log.warn({ err, partition: this.partition }, 'leadership lock not released; it expires within the TTL'),
      );
  }
}
