import type { Logger } from '@banterbox/logger';
import {
  GatewayFenced,
  onNodesChanged,
  releaseLease,
  renewLease,
  retireLease,
  type LeaseGrant,
  type ScriptedRedis,
} from '@banterbox/store';
import type { GatewayFeature } from '../feature';
import { newGatewayId } from '../ids';

/** The gateway's current lease, as features write under it into Redis. */
export interface GatewayIdentity {
  /** The current lease id (it changes when a lease was lost). */
  readonly id: string;
  /** The id with the lease's expiry as last granted; undefined while the lease is not live. */
  readonly grant: LeaseGrant | undefined;
  /** A write was refused by the fence (docs/protocol-presence.md): re-assert now, under a new id. */
  fenced(error: GatewayFenced): void;
  /** A write was not made or failed: re-assert at the next renewal. */
  repair(reason: string): void;
}

/** A write was asked for while the lease is not live: nothing was written; the lease's resync re-asserts the state. */
export class LeaseNotLive extends Error {
  readonly code = 'lease_not_live';
  constructor() {
    super('the gateway lease is not live; try again');
    this.name = 'LeaseNotLive';
  }
}

/** The grant to write under now, or LeaseNotLive. */
export function liveGrant(identity: GatewayIdentity): LeaseGrant {
  const grant = identity.grant;
  if (!grant) throw new LeaseNotLive();
  return grant;
}

/**
 * What the vote writer asks of the lease: register rooms with the live lease (ticked, and reaped
 * with this gateway) before the first op is written to them, and have the gateway's state
 * re-asserted when a batch could not be written.
 */
export interface RoomActivity {
  /**
   * Resolves with the grant to write `rooms` under once they are registered with it, or
   * undefined when the lease is not live (a re-assertion is then on its way).
   */
  hold(rooms: readonly string[]): Promise<LeaseGrant | undefined>;
  /** Forgets that a room is registered (it was unloaded): its next write registers it again, and so marks it active at once. */
  forget(roomId: string): void;
  repair(reason: string): void;
  fenced(error: GatewayFenced): void;
}

export interface GatewayLeaseDeps {
  redis: ScriptedRedis;
  /** GATEWAY_ID: the id's prefix; a random suffix is added, and a new one after a lost lease. */
  baseId: string;
  leaseMs: number;
  log: Logger;
  /** Starts timing a renewal's round trip; call the result when it is done. */
  timer: () => () => void;
  /** Counts, for the metrics: a write refused by the fence, and a move to a new id. */
  counters?: { fenced(reason: GatewayFenced['reason']): void; reasserted(): void };
}

/**
 * The gateway's registration in Redis, and the one owner of its lifetime: registers at start,
 * renews every third of the lease with the rooms to tick, notices a lost lease (an expired
 * renewal, a write refused by the fence, a Redis reconnect or topology change) and then
 * re-asserts: registers a new id, asks every feature to write its state again under it, and
 * retires the old id for the reaper (docs/protocol-presence.md). A resync that fails part-way
 * runs again on the next renewal; one asked for while another runs runs after it.
 *
 * Nothing is written under an id before its lease is live: `grant` is undefined until the first
 * registration, and every write carries the grant's expiry, which Redis checks (the fence).
 */
export class GatewayLease implements GatewayIdentity, RoomActivity {
  private current: LeaseGrant | undefined;
  private pendingId: string;
  private live = false;
  /** Rooms registered with the current id (its `bb:{registry}:gw:<id>:rooms`). */
  private held = new Set<string>();
  private features: readonly GatewayFeature[] = [];
  private resyncing: Promise<void> | undefined;
  private resyncAgain: string | undefined;
  private resyncPending = false;
  private timer: NodeJS.Timeout | undefined;
  private everReady = false;

  constructor(private readonly deps: GatewayLeaseDeps) {
    this.pendingId = newGatewayId(deps.baseId);
    deps.redis.on('ready', () => {
      if (this.everReady) void this.resync('redis reconnected');
    });
  }

  get id(): string {
    return this.current?.id ?? this.pendingId;
  }

  get grant(): LeaseGrant | undefined {
    return this.live ? this.current : undefined;
  }

  /** Whether the lease was registered once (sockets are accepted from then on). */
  get registered(): boolean {
    return this.everReady;
  }

  /** Whether the last renewal (or resync) found the lease live. */
  get isLive(): boolean {
    return this.live;
  }

  /** Registers the lease and starts renewing it; `features` re-assert on every resync. */
  async start(features: readonly GatewayFeature[]): Promise<void> {
    this.features = features;
    await this.register(this.pendingId);
    this.everReady = true;
    onNodesChanged(this.deps.redis, (reason) => this.repair(reason));
    this.timer = setInterval(() => void this.renew(), Math.max(100, Math.floor(this.deps.leaseMs / 3)));
  }

  private async register(id: string): Promise<void> {
    const grant = await renewLease(this.deps.redis, id, this.deps.leaseMs, 'register', []);
    if (!grant) throw new LeaseNotLive(); // 'register' always grants: only a broken script gets here
    this.current = grant;
    this.held = new Set();
    this.live = true;
  }

  async hold(rooms: readonly string[]): Promise<LeaseGrant | undefined> {
    const grant = this.grant;
    if (!grant) return undefined;
    const fresh = rooms.filter((room) => !this.held.has(room));
    if (fresh.length === 0) return grant;
    const renewed = await renewLease(this.deps.redis, grant.id, this.deps.leaseMs, 'renew', fresh);
    if (!renewed) {
      void this.resync('lease lost');
      return undefined;
    }
    if (this.current?.id !== grant.id) return undefined; // re-registered meanwhile: the resync writes it all
    for (const room of fresh) this.held.add(room);
    this.extend(renewed);
    return renewed;
  }

  forget(roomId: string): void {
    this.held.delete(roomId);
  }

  fenced(error: GatewayFenced): void {
    this.deps.counters?.fenced(error.reason);
    // A refusal of an id this gateway has already moved away from needs nothing more.
    if (error.gatewayId !== this.current?.id) return;
    void this.resync(`a write was fenced: ${error.reason}`);
  }

  /** Runs a resync at the next renewal (at most every third of the lease, never in a tight loop). */
  repair(reason: string): void {
    if (!this.resyncPending) this.deps.log.warn({ reason }, 'gateway state will be re-asserted at the next lease renewal');
    this.resyncPending = true;
  }

  private extend(grant: LeaseGrant): void {
    if (this.current?.id === grant.id && grant.validUntil > this.current.validUntil) this.current = grant;
  }

  private tickedRooms(): string[] {
    return this.features.flatMap((feature) => feature.tickedRooms());
  }

  private async renew(): Promise<void> {
    const current = this.current;
    if (this.deps.redis.status !== 'ready' || !current) return;
    try {
      const done = this.deps.timer();
      const rooms = this.tickedRooms();
      const renewed = await renewLease(this.deps.redis, current.id, this.deps.leaseMs, 'renew', rooms);
      done();
      if (!renewed) await this.resync('lease expired');
      else {
        if (this.current?.id === renewed.id) for (const room of rooms) this.held.add(room);
        this.extend(renewed);
        if (this.resyncPending) await this.resync('a re-assertion is due');
        else this.live = true;
      }
    } catch (err) {
      this.live = false;
      this.deps.log.warn({ err }, 'lease renewal failed');
    }
  }

  /**
   * Re-asserts everything this gateway holds: its lease (under a new id if the old one was lost
   * or reaped), then each feature's state. A call while one runs makes it run once more after.
   */
  resync(reason: string): Promise<void> {
    if (this.resyncing) {
      this.resyncAgain = reason;
      return this.resyncing;
    }
    this.resyncing = (async () => {
      let next: string | undefined = reason;
      while (next !== undefined) {
        this.resyncAgain = undefined;
        await this.runResync(next);
        next = this.resyncAgain;
      }
    })().finally(() => {
      this.resyncing = undefined;
    });
    return this.resyncing;
  }

  /**
   * Moves to a new id and writes everything held locally under it, then retires the old id: the
   * reaper takes out exactly what was written under the old one (a leave that was lost, a batch
   * that landed after a lapse), and its tombstones refuse whatever of the old id is still in
   * flight. Users connected here count throughout (under both ids until the reap).
   */
  private async runResync(reason: string): Promise<void> {
    const { log } = this.deps;
    const previous = this.current;
    const previousRooms = [...this.held];
    try {
      this.live = false;
      await this.register(newGatewayId(this.deps.baseId));
      for (const feature of this.features) await feature.reassert();
      if (previous) await retireLease(this.deps.redis, previous.id, previousRooms);
      this.resyncPending = false;
      this.deps.counters?.reasserted();
      log.warn(
        { reason, rooms: this.tickedRooms().length, gatewayId: this.id, previous: previous?.id },
        'gateway state re-asserted under a new id',
      );
    } catch (err) {
      log.warn({ err, reason }, 'resync failed; will retry on the next lease renewal');
      this.live = false;
      this.resyncPending = true;
      // The id registered last is retired by the next resync; until then it keeps its lease.
      if (previous && this.current?.id !== previous.id)
        await retireLease(this.deps.redis, previous.id, previousRooms).catch(() => undefined);
    }
  }

  /** Stops renewing; the lease is still held until `release`. */
  stop(): void {
    clearInterval(this.timer);
  }

  /**
   * Removes the lease on a clean shutdown, after every connection left. A lease whose state in
   * Redis is not known to be what this gateway wrote (a write failed or was refused, a re-assertion
   * is due) is left to expire instead: the reaper then takes out whatever is left under it, which a
   * release would hide from it.
   */
  async release(): Promise<void> {
    this.stop();
    if (this.resyncPending || this.resyncing !== undefined || !this.live) {
      this.deps.log.warn({ gatewayId: this.id }, 'lease left to expire: some writes were not confirmed; the reaper takes out what is left');
      return;
    }
    if (this.deps.redis.status !== 'ready' || !this.current) return;
    await releaseLease(this.deps.redis, this.current.id).catch((err: unknown) => {
      this.deps.log.warn({ err }, 'lease not released; the ticker reaps it when it expires');
    });
  }
}
