import { EventEmitter } from 'node:events';
import type { Cluster, Redis } from 'ioredis';
import Redlock, { type Lock } from 'redlock';
import { keys } from '@banterbox/store';

export interface ElectorOptions {
  /** A connection used only for leadership. */
  redis: Redis | Cluster;
  /** This replica's id, for logs and `bb:{ticker}:info`. */
  id: string;
  /** Lock lifetime; a dead leader is replaced within about this long. */
  ttlMs: number;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

export interface ElectorEvents {
  elected: [epoch: number];
  deposed: [reason: string];
}

/** Safety margin before the lock's own expiry after which a leader stops acting. */
const EXPIRY_MARGIN_MS = 200;

/**
 * Leader election with redlock (one Redis) run by its own acquire/extend loop, and an epoch that
 * fences every write: a newly elected leader increments `bb:{ticker}:epoch`, and Redis scripts
 * reject writes from any older epoch. `isLeader()` also turns false on the local clock once the
 * lock could have expired, so a paused leader does not act before it has learnt it was replaced.
 */
export class LeaderElector extends EventEmitter<ElectorEvents> {
  private readonly redlock: Redlock;
  private lock: Lock | undefined;
  private epoch = 0;
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(private readonly options: ElectorOptions) {
    super();
    this.redlock = new Redlock([options.redis], { retryCount: 0, driftFactor: 0.01 });
    this.redlock.on('error', () => undefined);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.step();
  }

  isLeader(): boolean {
    return this.lock !== undefined && Date.now() < this.lock.expiration - EXPIRY_MARGIN_MS;
  }

  currentEpoch(): number {
    return this.epoch;
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => void this.step(), delayMs);
  }

  private async step(): Promise<void> {
    try {
      if (this.lock) await this.extend();
      else await this.tryAcquire();
    } catch (error) {
      this.options.log.warn({ err: error }, 'leader election step failed');
    }
    // Leaders extend at a third of the TTL; standbys poll at a quarter, so a dead leader is
    // replaced within TTL + TTL/4.
    this.schedule(this.lock ? this.options.ttlMs / 3 : this.options.ttlMs / 4);
  }

  private async tryAcquire(): Promise<void> {
    let lock: Lock;
    try {
      lock = await this.redlock.acquire([keys.leaderLock], this.options.ttlMs);
    } catch {
      return; // held by another replica, or Redis unreachable: try again next step
    }
    if (!this.running) {
      await this.release(lock);
      return;
    }
    const { redis, id } = this.options;
    let epoch: number;
    try {
      epoch = await redis.incr(keys.leaderEpoch);
      await redis.hset(keys.leaderInfo, 'id', id, 'epoch', epoch, 'since', Date.now());
    } catch (error) {
      // Without an epoch this replica cannot act; free the lock rather than sit on it for a TTL.
      await this.release(lock);
      throw error;
    }
    this.lock = lock;
    this.epoch = epoch;
    this.options.log.info({ epoch, id }, 'leadership acquired');
    this.emit('elected', epoch);
  }

  private async extend(): Promise<void> {
    const lock = this.lock;
    if (!lock) return;
    if (Date.now() >= lock.expiration) {
      this.stepDown('lock expired before it could be extended');
      return;
    }
    try {
      this.lock = await lock.extend(this.options.ttlMs);
    } catch (error) {
      this.stepDown(`lock could not be extended: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Frees a lock; if Redis cannot be reached it expires by itself within the TTL. */
  private async release(lock: Lock): Promise<void> {
    await lock.release().catch((err: unknown) => this.options.log.warn({ err }, 'leadership lock not released; it expires within the TTL'));
  }

  /** Called by the owner when a fenced write proves another leader exists. */
  stepDown(reason: string): void {
    if (!this.lock) return;
    this.lock = undefined;
    this.options.log.warn({ epoch: this.epoch, reason }, 'leadership lost');
    this.emit('deposed', reason);
  }

  /** Stops campaigning and releases the lock so a standby takes over at once. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    const lock = this.lock;
    this.lock = undefined;
    if (lock) {
      await this.release(lock);
      this.options.log.info({ epoch: this.epoch }, 'leadership released');
      this.emit('deposed', 'stopped');
    }
  }
}
