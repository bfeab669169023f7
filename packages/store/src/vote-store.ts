import type { TallyPoint } from '@banterbox/protocol';
import { GatewayFenced, fenceReason, type LeaseGrant } from './gateway-fence';
import { keys, voterShard } from './keys';
import { TickResult, ensureRoom, roomOps, tickRooms, type RoomSums, type TickedRoom } from './script-defs';
import { StoreError, type ScriptedPipeline, type ScriptedRedis } from './scripts';
import { SlotBatch, handled } from './slot-batch';

/** What a vote room is: its options, whether guests may join, and its tick (0 = every tick). */
export interface RoomMeta {
  options: string[];
  open: boolean;
  tickMs: number;
  /**
   * How many voter parts the room's voters are spread over (keys.voterKeys), fixed when the room
   * is created; absent or 1: the room's own voter keys. Read back from Redis it is always set.
   */
  shards?: number;
}

/** A room's voter layout: what the tick needs to sum a sharded room's parts. */
interface VoterLayout {
  shards: number;
  options: string[];
  /** The options exactly as stored in meta (the tick script checks the sums were made for them). */
  optionsJson: string;
}

/** One room to tick, with its parts' sums if it is sharded. */
export interface TickTarget {
  roomId: string;
  summed?: RoomSums;
}

/** One presence or vote change, applied in order by the roomOps script. */
export type RoomOp =
  | { op: 'J' | 'L' | 'S'; user: string; count: number }
  | { op: 'V'; user: string; value: string; ts: number };

export interface StoreSettings {
  historyLimit: number;
  roomTtlMs: number;
}

/** Ops per script call: bounds the time one call holds Redis (each op is a few hash commands). */
export const OPS_PER_CALL = 500;

/** Rooms per tick script call: bounds the time one call holds Redis (a few µs per room). */
export const ROOMS_PER_TICK_CALL = 100;

/** A room's voter parts from its meta field `shards` (absent, or anything below 2: one). */
function shardCount(stored: unknown): number {
  return Math.max(1, Number(stored ?? 1) || 1);
}

/** `items` grouped by `keyOf`, each group in the order of `items`. */
function groupBy<K, T>(items: Iterable<T>, keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

function parseMeta(options: unknown, open: unknown, tickMs: unknown, shards: unknown): RoomMeta {
  let parsed: unknown;
  try {
    parsed = JSON.parse(String(options));
  } catch (error) {
    throw new StoreError('room meta has unreadable options', { cause: error });
  }
  if (!Array.isArray(parsed) || !parsed.every((o) => typeof o === 'string')) {
    throw new StoreError('room meta options must be a list of strings');
  }
  return { options: parsed as string[], open: open === '1', tickMs: Number(tickMs ?? 0) || 0, shards: shardCount(shards) };
}

/** Typed access to vote rooms in Redis for gateways, the ticker and the HTTP API. */
export class VoteStore {
  /** Sharded rooms this store has ticked, with their layout (learnt from meta when a tick says Sharded). */
  private readonly layouts = new Map<string, VoterLayout>();

  constructor(
    readonly redis: ScriptedRedis,
    private readonly settings: StoreSettings,
  ) {}

  /** A batch of commands for many rooms, split by slot as the topology needs (see SlotBatch). */
  batch(): SlotBatch {
    return new SlotBatch(this.redis);
  }

  private ensureArgs(roomId: string, defaults: RoomMeta): Parameters<typeof ensureRoom.run>[1] {
    return { roomId, options: JSON.stringify(defaults.options), open: defaults.open, tickMs: defaults.tickMs, createdAt: Date.now(), roomTtlMs: this.settings.roomTtlMs, shards: defaults.shards ?? 1 };
  }

  /** Creates the room with `defaults` unless it exists; returns what is stored. */
  async ensureRoom(roomId: string, defaults: RoomMeta): Promise<{ meta: RoomMeta; created: boolean }> {
    const reply = (await ensureRoom.run(this.redis, this.ensureArgs(roomId, defaults))) as [number, string, string, string, string | null];
    return { created: reply[0] === 1, meta: parseMeta(reply[1], reply[2], reply[3], reply[4]) };
  }

  /** Queues `ensureRoom` on a batch (re-creating rooms after Redis lost them). */
  addEnsureRoom(batch: SlotBatch, roomId: string, meta: RoomMeta): Promise<unknown> {
    return batch.add(keys.voteRoom(roomId).meta, (pipeline) => ensureRoom.queue(pipeline, this.ensureArgs(roomId, meta)));
  }

  async getRoom(roomId: string): Promise<RoomMeta | null> {
    const [options, open, tickMs, shards] = await this.redis.hmget(keys.voteRoom(roomId).meta, 'options', 'open', 'tick_ms', 'shards');
    return options === null || options === undefined ? null : parseMeta(options, open, tickMs, shards);
  }

  /** The stored history as raw JSON points, oldest first. */
  history(roomId: string): Promise<string[]> {
    return this.redis.lrange(keys.voteRoom(roomId).history, -this.settings.historyLimit, -1);
  }

  /** The tally as it stands now (not yet ticked), summed over the room's voter parts. */
  async liveTally(roomId: string, meta: Pick<RoomMeta, 'options' | 'shards'>): Promise<Omit<TallyPoint, 'ts'>> {
    const batch = this.batch();
    const sums = this.addPartSums(batch, roomId, meta.shards ?? 1, meta.options, false);
    await batch.exec();
    const { connected, counts } = await sums;
    const votes: Record<string, number> = {};
    meta.options.forEach((option, i) => (votes[option] = counts[i]!));
    return { votes, connected };
  }

  /**
   * Queues reads of a room's voter parts (each part's tally and user count) and resolves with
   * their sums, each count at least 0; `renew` also renews each part's tally expiry (the tick
   * does, as it does a room's own tally's).
   */
  private addPartSums(batch: SlotBatch, roomId: string, shards: number, options: readonly string[], renew: boolean): Promise<{ connected: number; counts: number[] }> {
    const parts = Array.from({ length: Math.max(1, shards) }, (_, shard) => {
      const voters = keys.voterKeys(roomId, shard, shards);
      return batch.add(voters.users, (pipeline) => {
        pipeline.hmget(voters.tally, ...options).hlen(voters.users);
        if (renew) pipeline.pexpire(voters.tally, this.settings.roomTtlMs);
      });
    });
    return handled(
      Promise.all(parts).then((replies) => {
        const counts = options.map(() => 0);
        let connected = 0;
        for (const [tally, users] of replies as [(string | null)[], number][]) {
          options.forEach((_, i) => (counts[i]! += Math.max(0, Number(tally[i] ?? 0))));
          connected += Number(users);
        }
        return { connected, counts };
      }),
    );
  }

  /**
   * Queues a gateway's ops for one room on `batch`, in order, in script calls of at most
   * OPS_PER_CALL ops, under the gateway's lease `grant`; resolves with the number of votes that
   * changed a stored vote, or rejects with GatewayFenced when the fence refused a call (that
   * call changed nothing). A room with `shards` voter parts gets one call per part touched, each
   * with the ops of that part's users (still in order: a user's ops always go to the same part).
   */
  addRoomOps(batch: SlotBatch, roomId: string, grant: LeaseGrant, ops: readonly RoomOp[], shards: number): Promise<number> {
    const byShard = groupBy(ops, (op) => voterShard(op.user, shards));
    const written = [...byShard].map(([shard, part]) => this.addPartOps(batch, roomId, grant, part, shard, shards));
    return handled(Promise.all(written).then((counts) => counts.reduce((sum, n) => sum + n, 0)));
  }

  private addPartOps(batch: SlotBatch, roomId: string, grant: LeaseGrant, ops: readonly RoomOp[], shard: number, shards: number): Promise<number> {
    const voters = keys.voterKeys(roomId, shard, shards);
    const conns = keys.gatewayConns(roomId, grant.id, shard, shards);
    const queue = (pipeline: ScriptedPipeline): void => {
      for (let start = 0; start < ops.length; start += OPS_PER_CALL) {
        const args: (string | number)[] = [];
        for (const op of ops.slice(start, start + OPS_PER_CALL)) {
          if (op.op === 'V') args.push('V', op.user, op.value, op.ts);
          else args.push(op.op, op.user, op.count, 0);
        }
        roomOps.queue(pipeline, { voters, conns, validUntil: grant.validUntil, ops: args });
      }
    };
    return batch.add(voters.users, queue, (replies) =>
      replies.reduce<number>((sum, reply) => {
        const reason = fenceReason(Number(reply));
        if (reason) throw new GatewayFenced(reason, grant.id);
        return sum + Number(reply);
      }, 0),
    );
  }

  /** Queues a tick of one (unsharded) room on `batch`; resolves with what the script did. */
  addTick(batch: SlotBatch, roomId: string, epoch: number, ts: number): Promise<TickResult> {
    return handled(this.addTicks(batch, [{ roomId }], epoch, ts).then(([result]) => result ?? TickResult.NoRoom));
  }

  /**
   * Queues a tick of each room on `batch`, as few tickRooms calls as the topology allows: on one
   * node ROOMS_PER_TICK_CALL rooms a call, on a Cluster one call per slot (and chunk). Resolves
   * with what the script did for each room, in the order of `targets`.
   */
  addTicks(batch: SlotBatch, targets: readonly TickTarget[], epoch: number, ts: number): Promise<TickResult[]> {
    const byCall = groupBy(targets.keys(), (index) => batch.callGroup(keys.voteRoom(targets[index]!.roomId).meta));
    const results: TickResult[] = new Array<TickResult>(targets.length).fill(TickResult.NoRoom);
    const calls: Promise<void>[] = [];
    for (const indexes of byCall.values()) {
      for (let start = 0; start < indexes.length; start += ROOMS_PER_TICK_CALL) {
        const chunk = indexes.slice(start, start + ROOMS_PER_TICK_CALL);
        const rooms: TickedRoom[] = chunk.map((index) => {
          const { roomId, summed } = targets[index]!;
          return summed ? { room: keys.voteRoom(roomId), summed } : { room: keys.voteRoom(roomId) };
        });
        const args = { rooms, epoch, ts, historyLimit: this.settings.historyLimit, roomTtlMs: this.settings.roomTtlMs };
        calls.push(
          batch.add(rooms[0]!.room.meta, (pipeline) => tickRooms.queue(pipeline, args), ([reply]) => {
            if (!Array.isArray(reply) || reply.length !== chunk.length) throw new StoreError(`tickRooms replied ${String(reply)}`);
            chunk.forEach((index, i) => (results[index] = tickResult(reply[i])));
          }),
        );
      }
    }
    return handled(Promise.all(calls).then(() => results));
  }

  /**
   * Ticks `roomIds` (the ticker's path): one batch for all of them, with the parts' sums of the
   * rooms known to be sharded read in a batch before it. A room whose tick replies Sharded (newly
   * seen, or its layout changed) has its layout read from meta and is ticked again with its sums.
   */
  async tick(roomIds: readonly string[], epoch: number, ts: number): Promise<TickResult[]> {
    const results = await this.tickWithSums(roomIds, epoch, ts);
    // A room that is gone is forgotten (re-created, it is learnt again).
    roomIds.forEach((roomId, i) => {
      if (results[i] === TickResult.NoRoom) this.layouts.delete(roomId);
    });
    const relearn = roomIds.filter((_, i) => results[i] === TickResult.Sharded);
    if (relearn.length === 0) return results;
    await this.learnLayouts(relearn);
    const again = await this.tickWithSums(relearn, epoch, ts);
    const retried = new Map(relearn.map((roomId, i) => [roomId, again[i]!]));
    return roomIds.map((roomId, i) => retried.get(roomId) ?? results[i]!);
  }

  private async tickWithSums(roomIds: readonly string[], epoch: number, ts: number): Promise<TickResult[]> {
    const sums = new Map<string, Promise<RoomSums>>();
    const reads = this.batch();
    for (const roomId of roomIds) {
      const layout = this.layouts.get(roomId);
      if (!layout) continue;
      const { shards, options, optionsJson } = layout;
      sums.set(roomId, this.addPartSums(reads, roomId, shards, options, true).then((sum) => ({ shards, optionsJson, ...sum })));
    }
    if (sums.size > 0) await reads.exec();
    const targets = await Promise.all(roomIds.map(async (roomId): Promise<TickTarget> => {
      const summed = sums.get(roomId);
      return summed ? { roomId, summed: await summed } : { roomId };
    }));
    const batch = this.batch();
    const ticked = this.addTicks(batch, targets, epoch, ts);
    await batch.exec();
    return ticked;
  }

  /** Reads the voter layout of rooms from their meta: sharded ones are remembered, others forgotten. */
  private async learnLayouts(roomIds: readonly string[]): Promise<void> {
    const batch = this.batch();
    const read = roomIds.map((roomId) => {
      const meta = keys.voteRoom(roomId).meta;
      return batch.add(meta, (pipeline) => pipeline.hmget(meta, 'options', 'shards'), ([reply]) => reply as (string | null)[]);
    });
    await batch.exec();
    for (const [i, roomId] of roomIds.entries()) {
      const [optionsJson, stored] = await read[i]!;
      const shards = shardCount(stored);
      if (optionsJson && shards > 1) {
        this.layouts.set(roomId, { shards, optionsJson, options: parseMeta(optionsJson, '0', '0', stored).options });
      } else {
        this.layouts.delete(roomId);
      }
    }
  }

  /** A room's voter parts as stored in its meta (1 when it has none or no meta). */
  async roomShards(roomId: string): Promise<number> {
    return shardCount(await this.redis.hget(keys.voteRoom(roomId).meta, 'shards'));
  }
}

/** A tick's pipeline reply as a TickResult. */
export function tickResult(reply: unknown): TickResult {
  const code = Number(reply);
  if (!(code in TickResult)) throw new StoreError(`tickRooms replied ${String(reply)}`);
  return code as TickResult;
}
