import type { TallyPoint } from '@banterbox/protocol';
import { Cluster } from 'ioredis';
import { keys } from './keys';
import { keySlot } from './partitions';
import { TickResult, ensureRoom, roomOps, tickRooms, type TickedRoom } from './script-defs';
import { StoreError, execPipeline, type ScriptedPipeline, type ScriptedRedis } from './scripts';
import { SlotBatch, handled } from './slot-batch';

/** What a vote room is: its options, whether guests may join, and its tick (0 = every tick). */
export interface RoomMeta {
  options: string[];
  open: boolean;
  tickMs: number;
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

function parseMeta(options: unknown, open: unknown, tickMs: unknown): RoomMeta {
  let parsed: unknown;
  try {
    parsed = JSON.parse(String(options));
  } catch (error) {
    throw new StoreError('room meta has unreadable options', { cause: error });
  }
  if (!Array.isArray(parsed) || !parsed.every((o) => typeof o === 'string')) {
    throw new StoreError('room meta options must be a list of strings');
  }
  return { options: parsed as string[], open: open === '1', tickMs: Number(tickMs ?? 0) || 0 };
}

/** Typed access to vote rooms in Redis for gateways, the ticker and the HTTP API. */
export class VoteStore {
  constructor(
    readonly redis: ScriptedRedis,
    private readonly settings: StoreSettings,
  ) {}

  /** A batch of commands for many rooms, split by slot as the topology needs (see SlotBatch). */
  batch(): SlotBatch {
    return new SlotBatch(this.redis);
  }

  private ensureArgs(roomId: string, defaults: RoomMeta): Parameters<typeof ensureRoom.run>[1] {
    return { roomId, options: JSON.stringify(defaults.options), open: defaults.open, tickMs: defaults.tickMs, createdAt: Date.now(), roomTtlMs: this.settings.roomTtlMs };
  }

  /** Creates the room with `defaults` unless it exists; returns what is stored. */
  async ensureRoom(roomId: string, defaults: RoomMeta): Promise<{ meta: RoomMeta; created: boolean }> {
    const reply = (await ensureRoom.run(this.redis, this.ensureArgs(roomId, defaults))) as [number, string, string, string];
    return { created: reply[0] === 1, meta: parseMeta(reply[1], reply[2], reply[3]) };
  }

  /** Queues `ensureRoom` on a batch (re-creating rooms after Redis lost them). */
  addEnsureRoom(batch: SlotBatch, roomId: string, meta: RoomMeta): Promise<unknown> {
    return batch.add(keys.voteRoom(roomId).meta, (pipeline) => ensureRoom.queue(pipeline, this.ensureArgs(roomId, meta)));
  }

  async getRoom(roomId: string): Promise<RoomMeta | null> {
    const [options, open, tickMs] = await this.redis.hmget(keys.voteRoom(roomId).meta, 'options', 'open', 'tick_ms');
    return options === null || options === undefined ? null : parseMeta(options, open, tickMs);
  }

  /** The stored history as raw JSON points, oldest first. */
  history(roomId: string): Promise<string[]> {
    return this.redis.lrange(keys.voteRoom(roomId).history, -this.settings.historyLimit, -1);
  }

  /** The tally as it stands now (not yet ticked). */
  async liveTally(roomId: string, options: readonly string[]): Promise<Omit<TallyPoint, 'ts'>> {
    const room = keys.voteRoom(roomId);
    const [counts, connected] = (await execPipeline(
      this.redis.pipeline().hmget(room.tally, ...options).hlen(room.users),
    )) as [(string | null)[], number];
    const votes: Record<string, number> = {};
    options.forEach((option, i) => (votes[option] = Math.max(0, Number(counts[i] ?? 0))));
    return { votes, connected };
  }

  /**
   * Queues this gateway's ops for one room on `batch`, in order, in script calls of at most
   * OPS_PER_CALL ops; resolves with the number of votes that changed a stored vote.
   */
  addRoomOps(batch: SlotBatch, roomId: string, gatewayId: string, ops: readonly RoomOp[]): Promise<number> {
    const room = keys.voteRoom(roomId);
    const conns = keys.gatewayConns(roomId, gatewayId);
    const queue = (pipeline: ScriptedPipeline): void => {
      for (let start = 0; start < ops.length; start += OPS_PER_CALL) {
        const args: (string | number)[] = [];
        for (const op of ops.slice(start, start + OPS_PER_CALL)) {
          if (op.op === 'V') args.push('V', op.user, op.value, op.ts);
          else args.push(op.op, op.user, op.count, 0);
        }
        roomOps.queue(pipeline, { room, conns, ops: args });
      }
    };
    return batch.add(room.users, queue, (replies) => replies.reduce<number>((sum, reply) => sum + Number(reply), 0));
  }

  /** Queues a tick of one room on `batch`; resolves with what the script did. */
  addTick(batch: SlotBatch, roomId: string, epoch: number, ts: number): Promise<TickResult> {
    return handled(this.addTicks(batch, [roomId], epoch, ts).then(([result]) => result ?? TickResult.NoRoom));
  }

  /**
   * Queues a tick of each room on `batch`, as few tickRooms calls as the topology allows: on one
   * node ROOMS_PER_TICK_CALL rooms a call, on a Cluster one call per slot (and chunk). Resolves
   * with what the script did for each room, in the order of `roomIds`.
   */
  addTicks(batch: SlotBatch, roomIds: readonly string[], epoch: number, ts: number): Promise<TickResult[]> {
    const bySlot = new Map<number, number[]>();
    const cluster = this.redis instanceof Cluster;
    roomIds.forEach((roomId, index) => {
      const slot = cluster ? keySlot(keys.voteRoom(roomId).meta) : 0;
      const group = bySlot.get(slot);
      if (group) group.push(index);
      else bySlot.set(slot, [index]);
    });
    const results: TickResult[] = new Array<TickResult>(roomIds.length).fill(TickResult.NoRoom);
    const calls: Promise<void>[] = [];
    for (const indexes of bySlot.values()) {
      for (let start = 0; start < indexes.length; start += ROOMS_PER_TICK_CALL) {
        const chunk = indexes.slice(start, start + ROOMS_PER_TICK_CALL);
        const rooms: TickedRoom[] = chunk.map((index) => ({ room: keys.voteRoom(roomIds[index]!) }));
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
}

/** A tick's pipeline reply as a TickResult. */
export function tickResult(reply: unknown): TickResult {
  const code = Number(reply);
  if (!(code in TickResult)) throw new StoreError(`tickRooms replied ${String(reply)}`);
  return code as TickResult;
}
