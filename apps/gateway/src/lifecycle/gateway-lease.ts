import type { Logger } from '@banterbox/logger';
import { addLease, onNodesChanged, releaseLease, renewLease, type ScriptedRedis, type SlotBatch } from '@banterbox/store';
import type { GatewayFeature } from '../feature';
import { newGatewayId } from '../ids';

/** The gateway's current id, as features write it into Redis. */
export interface GatewayIdentity {
  readonly id: string;
}

/**
 * What the vote writer may ask of the lease: mark rooms active (ticked, and registered to this
 * gateway for reaping) in the same batch as the rooms' first ops, and have the gateway's state
 * re-asserted when a batch could not be written.
 */
export interface RoomActivity {
  markActive(batch: SlotBatch, rooms: readonly string[]): Promise<void>;
  repair(reason: string): void;
}

export interface GatewayLeaseDeps {
  redis: ScriptedRedis;
  /** GATEWAY_ID: the id's prefix; a random suffix is added, and a new one after a lost lease. */
  baseId: string;
  leaseMs: number;
  log: Logger;
  /** Starts timing a renewal's round trip; call the result when it is done. */
  timer: () => () => void;
}

/**
 * The gateway's registration in Redis, and the one owner of its lifetime: registers at start,
 * renews every third of the lease with the rooms to tick, notices a lost lease (an expired
 * renewal, a refused piggy-backed one, or Redis coming back empty) and then re-asserts: renews
 * or registers under a new id, and asks every feature to write its state again. A resync that
 * fails part-way runs again on the next renewal.
 */
export class GatewayLease implements GatewayIdentity, RoomActivity {
  private currentId: string;
  private live = false;
  private features: readonly GatewayFeature[] = [];
  private resyncing: Promise<void> | undefined;
  private resyncPending = false;
  private timer: NodeJS.Timeout | undefined;
  private everReady = false;

  constructor(private readonly deps: GatewayLeaseDeps) {
    this.currentId = newGatewayId(deps.baseId);
    deps.redis.on('ready', () => {
      if (this.everReady) void this.resync('redis reconnected');
    });
  }

  get id(): string {
    return this.currentId;
  }

  /** Whether the last renewal (or resync) found the lease live. */
  get isLive(): boolean {
    return this.live;
  }

  /** Registers the lease and starts renewing it; `features` re-assert on every resync. */
  async start(features: readonly GatewayFeature[]): Promise<void> {
    this.features = features;
    await renewLease(this.deps.redis, this.currentId, this.deps.leaseMs, 'register', []);
    this.live = true;
    this.everReady = true;
    onNodesChanged(this.deps.redis, (reason) => this.repair(reason));
    this.timer = setInterval(() => void this.renew(), Math.max(100, Math.floor(this.deps.leaseMs / 3)));
  }

  markActive(batch: SlotBatch, rooms: readonly string[]): Promise<void> {
    const marked = addLease(batch, this.currentId, this.deps.leaseMs, 'renew', rooms).then((live) => {
      if (!live) void this.resync('lease lost');
    });
    // A failed batch is reported by whoever ran it; this promise must not be left unhandled.
    marked.catch(() => undefined);
    return marked;
  }

  /** Runs a resync at the next renewal (at most every third of the lease, never in a tight loop). */
  repair(reason: string): void {
    if (!this.resyncPending) this.deps.log.warn({ reason }, 'gateway state will be re-asserted at the next lease renewal');
    this.resyncPending = true;
  }

  private tickedRooms(): string[] {
    return this.features.flatMap((feature) => feature.tickedRooms());
  }

  private async renew(): Promise<void> {
    if (this.deps.redis.status !== 'ready') return;
    try {
      const done = this.deps.timer();
      const live = await renewLease(this.deps.redis, this.currentId, this.deps.leaseMs, 'renew', this.tickedRooms());
      done();
      if (!live) await this.resync('lease expired');
      else if (this.resyncPending) await this.resync('a re-assertion is due');
      else this.live = true;
    } catch (err) {
      this.live = false;
      this.deps.log.warn({ err }, 'lease renewal failed');
    }
  }

  /**
   * Re-asserts everything this gateway holds: its lease (under a new id if the old one was lost
   * or reaped), then each feature's state. Concurrent calls share one run.
   */
  resync(reason: string): Promise<void> {
    this.resyncing ??= this.runResync(reason).finally(() => {
      this.resyncing = undefined;
    });
    return this.resyncing;
  }

  private async runResync(reason: string): Promise<void> {
    const { redis, leaseMs, log } = this.deps;
    try {
      if (!(await renewLease(redis, this.currentId, leaseMs, 'renew', []))) {
        this.currentId = newGatewayId(this.deps.baseId);
        await renewLease(redis, this.currentId, leaseMs, 'register', []);
        log.warn({ gatewayId: this.currentId, reason }, 'gateway lease lost; registered under a new id');
      }
      this.live = true;
      for (const feature of this.features) await feature.reassert(this.currentId);
      this.resyncPending = false;
      log.info({ reason, rooms: this.tickedRooms().length, gatewayId: this.currentId }, 'gateway state re-asserted');
    } catch (err) {
      log.warn({ err, reason }, 'resync failed; will retry on the next lease renewal');
      this.live = false;
      this.resyncPending = true;
    }
  }

  /** Stops renewing; the lease is still held until `release`. */
  stop(): void {
    clearInterval(this.timer);
  }

  /** Removes the lease on a clean shutdown, after every connection left. */
  async release(): Promise<void> {
    this.stop();
    if (this.deps.redis.status !== 'ready') return;
    await releaseLease(this.deps.redis, this.currentId).catch((err: unknown) => {
      this.deps.log.warn({ err }, 'lease not released; the ticker reaps it when it expires');
    });
  }
}
