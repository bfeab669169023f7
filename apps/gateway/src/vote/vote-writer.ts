import type { Logger } from '@banterbox/logger';
import { GatewayFenced, StoreError, type RoomOp, type VoteStore, type VoterPlan } from '@banterbox/store';
import type { RoomActivity } from '../lifecycle/gateway-lease';

export interface VoteWriterOptions {
  store: VoteStore;
  /** The lease: registers rooms with it before their first ops, and gives the grant to write under. */
  activity: RoomActivity;
  flushMs: number;
  log: Logger;
  /** Reports each batch written (ops, votes applied, votes coalesced away, seconds the round trip took). */
  onBatch?: (ops: number, applied: number, coalesced: number, seconds: number) => void;
  /** Reports ops dropped because Redis was unavailable. */
  onDropped?: (ops: number) => void;
}

/** Ops queued before a flush starts at once instead of waiting for the timer. */
export const EAGER_FLUSH_OPS = 5_000;

/** A room's ops waiting for the next batch, and where each user's last vote among them is. */
interface RoomBatch {
  /** The room's voter parts and rules (its RoomMeta's): its ops are split by part when written. */
  plan: VoterPlan;
  ops: RoomOp[];
  /** user -> index in `ops` of their vote with no presence op of theirs after it. */
  lastVote: Map<string, number>;
  /** Votes replaced in place by a newer one of the same user. */
  coalesced: number;
}

/**
 * Batches presence and vote ops per room and writes each batch with one pipeline (one per
 * Cluster node: see SlotBatch): one script call per room (per 500 ops), never one round trip per
 * vote. Ops of a room keep their order, across batches too: batches are sent one after another
 * (each may wait for its rooms' registration with the lease), and may be in flight together. A
 * user's repeated votes within a batch are coalesced: a newer vote takes the place of the
 * previous one (the newest ts wins in Redis anyway), unless a presence op of the same user came
 * between them.
 *
 * Every batch is written under the lease's grant, after every room in it is registered with the
 * lease (so the reaper finds it). While Redis is unreachable or the lease is not live batches are
 * dropped; a batch that fails asks the lease for a resync, and one refused by the fence for an
 * immediate one: the gateway re-asserts its whole state, which repairs anything lost.
 */
export class VoteWriter {
  private pending = new Map<string, RoomBatch>();
  private newRooms = new Set<string>();
  private queued = 0;
  private timer: NodeJS.Timeout | undefined;
  private inFlight = new Set<Promise<void>>();
  /** The last batch's send (not its completion): the next one is sent after it. */
  private sending: Promise<void> = Promise.resolve();
  /** opsDropped when Redis was last seen ready: logs once per outage, not once per batch. */
  private droppedAtLastLog = 0;
  /** Totals since start, for metrics and tests. */
  readonly stats = { opsWritten: 0, votesApplied: 0, votesCoalesced: 0, batches: 0, opsDropped: 0 };

  constructor(private readonly options: VoteWriterOptions) {}

  /**
   * Queues one op of a room written as `plan` says (voter parts and rules, from its RoomMeta). A
   * plan of a newer round drops the room's queued votes of the round before (Redis would ignore
   * them); the presence and segment ops stay.
   */
  push(roomId: string, plan: VoterPlan, op: RoomOp): void {
    let room = this.pending.get(roomId);
    if (!room) {
      room = { plan, ops: [], lastVote: new Map(), coalesced: 0 };
      this.pending.set(roomId, room);
    } else if (plan.round !== room.plan.round) {
      const kept = room.ops.filter((queued) => queued.op !== 'vote');
      this.queued -= room.ops.length - kept.length;
      room.ops = kept;
      room.lastVote.clear();
      room.plan = plan;
    }
    if (op.op === 'vote') {
      const at = room.lastVote.get(op.user);
      const previous = at === undefined ? undefined : room.ops[at];
      if (at !== undefined && previous?.op === 'vote') {
        // Equal ts: the later one wins, as it would in Redis; an older one would be ignored there.
        if (op.ts >= previous.ts) {
          room.ops[at] = op;
          room.coalesced += 1;
        }
        return;
      }
      room.lastVote.set(op.user, room.ops.length);
    } else {
      room.lastVote.delete(op.user);
    }
    room.ops.push(op);
    this.queued += 1;
    this.schedule();
  }

  /** Registers a room with the lease (ticked, and reaped with this gateway) with the next batch, if it is not yet. */
  touchRoom(roomId: string): void {
    this.newRooms.add(roomId);
    this.schedule();
  }

  /** The room was unloaded: its next batch registers it again (and so marks it active at once). */
  forgetRoom(roomId: string): void {
    this.options.activity.forget(roomId);
  }

  private schedule(): void {
    if (this.queued >= EAGER_FLUSH_OPS) {
      this.flushNow();
      return;
    }
    this.timer ??= setTimeout(() => this.flushNow(), this.options.flushMs);
  }

  private flushNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0 && this.newRooms.size === 0) return;
    const batch = this.pending;
    const rooms = new Set([...this.newRooms, ...batch.keys()]);
    const count = this.queued;
    this.pending = new Map();
    this.newRooms = new Set();
    this.queued = 0;
    const sent = this.sending.then(() => this.send(batch, [...rooms], count));
    this.sending = sent.then(
      () => undefined,
      () => undefined,
    );
    const write: Promise<void> = sent.then(({ done }) => done).finally(() => this.inFlight.delete(write));
    this.inFlight.add(write);
  }

  private drop(count: number): void {
    this.stats.opsDropped += count;
    this.options.onDropped?.(count);
  }

  /**
   * Registers the batch's rooms with the lease, then sends the batch; resolves (once it is sent,
   * before its replies) with a promise of its outcome. Never rejects.
   */
  private async send(batch: Map<string, RoomBatch>, rooms: string[], count: number): Promise<{ done: Promise<void> }> {
    const { store, log, activity } = this.options;
    const skipped = { done: Promise.resolve() };
    if (store.redis.status !== 'ready') {
      // Redis is away: the resync after reconnecting writes the state these ops lead to.
      if (this.stats.opsDropped === this.droppedAtLastLog) log.warn('Redis unavailable: dropping vote batches until it is back');
      this.drop(count);
      return skipped;
    }
    this.droppedAtLastLog = this.stats.opsDropped;
    const grant = await activity.hold(rooms).catch((err: unknown) => {
      log.warn({ err, ops: count }, 'rooms not registered with the lease; the gateway re-asserts its state');
      return undefined;
    });
    if (!grant) {
      // Not registered, or the lease is not live (a renewal failed, a resync is registering a new
      // id): the state these ops lead to is re-asserted under a new id, asked for here in case
      // nothing else did.
      this.drop(count);
      activity.repair('vote batches dropped: their rooms could not be registered with a live lease');
      return skipped;
    }
    const slots = store.batch();
    const written = Promise.all([...batch].map(([roomId, room]) => store.addRoomOps(slots, roomId, grant, room.ops, room.plan)));
    written.catch(() => undefined); // a failure is reported through exec() below
    const exec = slots.exec();
    return { done: this.settle(exec, written, batch, count) };
  }

  private async settle(exec: Promise<void>, written: Promise<number[]>, batch: Map<string, RoomBatch>, count: number): Promise<void> {
    const { log, activity } = this.options;
    let coalesced = 0;
    for (const room of batch.values()) coalesced += room.coalesced;
    const started = process.hrtime.bigint();
    try {
      await exec;
      const applied = (await written).reduce((sum, n) => sum + n, 0);
      this.stats.votesApplied += applied;
      this.stats.votesCoalesced += coalesced;
      this.stats.opsWritten += count;
      this.stats.batches += 1;
      this.options.onBatch?.(count, applied, coalesced, Number(process.hrtime.bigint() - started) / 1e9);
    } catch (err) {
      this.drop(count);
      const fenced =
        err instanceof GatewayFenced
          ? err
          : await written.then(
              () => undefined,
              (e: unknown) => (e instanceof GatewayFenced ? e : undefined),
            );
      if (fenced) {
        log.warn(
          { gatewayId: fenced.gatewayId, reason: fenced.reason, ops: count },
          'vote batch refused by the fence; the gateway re-asserts its state',
        );
        activity.fenced(fenced);
        return;
      }
      const level = err instanceof StoreError ? 'error' : 'warn';
      log[level]({ err, ops: count }, 'vote batch not written; the gateway re-asserts its state');
      activity.repair('a vote batch was not written');
    }
  }

  /** Writes everything queued and waits for every write in flight. */
  async drain(): Promise<void> {
    this.flushNow();
    await Promise.all([...this.inFlight]);
  }
}
