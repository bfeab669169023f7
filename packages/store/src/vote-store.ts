import { isStringList, type TallyPoint } from '@banterbox/protocol';
import { GatewayFenced, type LeaseGrant } from './gateway-fence';
import { keys, voterShard } from './keys';
import {
  META_FIELDS,
  addMarker,
  ensureRoom,
  resetVoters,
  roomOps,
  roomRound,
  roomVoting,
  storedMeta,
  type RoomOp,
  type StoredMeta,
  type VoterRules,
} from './script-defs';
import { StoreError, type ScriptedPipeline, type ScriptedRedis } from './scripts';
import { SlotBatch, groupBy, handled } from './slot-batch';
import { addPartSums, countFields, pointCounts, shardCount, voterParts } from './voter-parts';

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
  /**
   * Points of history the room keeps, fixed when it is created; absent: the service's
   * HISTORY_LIMIT. Joins get at most HISTORY_LIMIT of them; the export gets them all.
   */
  historyLimit?: number;
  /** Automatic swing markers (SPEC §9): a marker when the net value moves by `threshold` within `windowMs`. */
  swing?: { threshold: number; windowMs: number };
  /** When voting closed (ms), absent while it is open (SPEC §9): votes are refused and the ticker stores nothing. */
  closedAt?: number;
  /** Segments (SPEC §9): each tick also counts each segment's votes. Fixed when the room is created. */
  segments?: string[];
  /** The question that lets voters choose their segment once; absent: segments come from tokens only. */
  ask?: string;
  /** The current round's question. */
  question?: string;
  /** How long a standing vote counts without being sent again, ms; absent: while its voter is present. */
  voteTtlMs?: number;
  /** The current round: 0 for the first, one more for each reset. Read back from Redis it is always set. */
  round?: number;
}

/** One round of a room kept after a reset (meta `rounds`). */
export interface RoundRecord {
  round: number;
  question: string;
  opened_at: number;
  ended_at: number;
}

/** What the roomOps script needs to know of a room, as the gateway holds its meta. */
export function voterRules(meta: RoomMeta): VoterRules {
  return { round: meta.round ?? 0, voteTtlMs: meta.voteTtlMs ?? 0, segmented: (meta.segments?.length ?? 0) > 0 };
}

export type { RoomOp, VoterRules };

/** How a room's ops are written: split over its voter parts, under the room's rules. */
export type VoterPlan = VoterRules & { shards: number };

/** The plan of a room of `shards` voter parts in its first round, without segments or vote expiry. */
export function plainPlan(shards = 1): VoterPlan {
  return { shards, round: 0, voteTtlMs: 0, segmented: false };
}

export interface StoreSettings {
  historyLimit: number;
  roomTtlMs: number;
}

/** Markers a room keeps; older ones are dropped. */
export const MARKERS_KEPT = 1000;

/** Ops per script call: bounds the time one call holds Redis (each op is a few hash commands). */
export const OPS_PER_CALL = 500;

/** A stored JSON list of strings (options, segments). */
function stringList(stored: string, what: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stored);
  } catch (error) {
    throw new StoreError(`room meta has unreadable ${what}`, { cause: error });
  }
  if (!isStringList(parsed)) throw new StoreError(`room meta ${what} must be a list of strings`);
  return parsed;
}

function parseMeta(stored: StoredMeta): RoomMeta {
  const { open, tickMs, shards, closed, history, swing, segments, ask, question, voteTtl, round } = stored;
  return {
    options: stringList(stored.options, 'options'),
    open: open === '1',
    tickMs: Number(tickMs ?? 0) || 0,
    shards: shardCount(shards),
    round: Number(round ?? 0) || 0,
    ...(closed === null ? {} : { closedAt: Number(closed) }),
    ...(history === null ? {} : { historyLimit: Number(history) }),
    ...swingOf(swing),
    ...(segments === null ? {} : { segments: stringList(segments, 'segments') }),
    ...(ask === null ? {} : { ask }),
    ...(question === null ? {} : { question }),
    ...(voteTtl === null ? {} : { voteTtlMs: Number(voteTtl) }),
  };
}

/** "<net change>:<window ms>" as the meta's swing; nothing for none or anything unreadable. */
function swingOf(stored: string | null): Pick<RoomMeta, 'swing'> {
  const match = stored === null ? null : /^(\d+):(\d+)$/.exec(stored);
  return match ? { swing: { threshold: Number(match[1]), windowMs: Number(match[2]) } } : {};
}

/**
 * Vote rooms in Redis for gateways and the HTTP API: a room's meta, its voters' ops (presence and
 * votes, under the gateway's lease) and its history. The ticker's side is TickEngine.
 */
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
    return {
      roomId,
      options: JSON.stringify(defaults.options),
      open: defaults.open,
      tickMs: defaults.tickMs,
      createdAt: Date.now(),
      roomTtlMs: this.settings.roomTtlMs,
      shards: defaults.shards ?? 1,
      historyLimit: defaults.historyLimit ?? 0,
      swing: defaults.swing ? `${defaults.swing.threshold}:${defaults.swing.windowMs}` : '',
      segments: defaults.segments?.length ? JSON.stringify(defaults.segments) : '',
      ask: defaults.ask ?? '',
      question: defaults.question ?? '',
      voteTtlMs: defaults.voteTtlMs ?? 0,
    };
  }

  /** Creates the room with `defaults` unless it exists; returns what is stored. */
  async ensureRoom(roomId: string, defaults: RoomMeta): Promise<{ meta: RoomMeta; created: boolean }> {
    const { created, meta } = await ensureRoom.run(this.redis, this.ensureArgs(roomId, defaults));
    return { created, meta: parseMeta(meta) };
  }

  /** Queues `ensureRoom` on a batch (re-creating rooms after Redis lost them). */
  addEnsureRoom(batch: SlotBatch, roomId: string, meta: RoomMeta): Promise<unknown> {
    return batch.add(keys.voteRoom(roomId).meta, (pipeline) => ensureRoom.queue(pipeline, this.ensureArgs(roomId, meta)));
  }

  async getRoom(roomId: string): Promise<RoomMeta | null> {
    const [options, ...rest] = await this.redis.hmget(keys.voteRoom(roomId).meta, 'options', ...META_FIELDS);
    return options === null || options === undefined ? null : parseMeta(storedMeta(options, rest));
  }

  /**
   * Ends the room's round and starts the next with `question` (SPEC §9): its voters' counts go to
   * zero (each voter part first, O(options × segments) each), the ending round's series and
   * markers are kept, voting opens, and viewers are told. `conflict` when another reset came
   * first; null when there is no such room.
   */
  async resetRound(roomId: string, question: string, now: number): Promise<{ round: number; conflict: boolean } | null> {
    const meta = await this.getRoom(roomId);
    if (!meta) return null;
    const round = (meta.round ?? 0) + 1;
    const batch = this.batch();
    const parts = voterParts(roomId, meta.shards ?? 1).map((voters) =>
      batch.add(voters.tally, (pipeline) => resetVoters.queue(pipeline, { voters, round, roomTtlMs: this.settings.roomTtlMs })),
    );
    await batch.exec();
    await Promise.all(parts);
    const reply = await roomRound.run(this.redis, { roomId, round, question, now, roomTtlMs: this.settings.roomTtlMs });
    if (reply.result === 'no_room') return null;
    return { round: reply.round, conflict: reply.result === 'conflict' };
  }

  /** The rounds kept after resets (oldest first), or null when there is no such room. */
  async rounds(roomId: string): Promise<RoundRecord[] | null> {
    const [options, stored] = await this.redis.hmget(keys.voteRoom(roomId).meta, 'options', 'rounds');
    if (options === null || options === undefined) return null;
    if (!stored) return [];
    try {
      const parsed: unknown = JSON.parse(stored);
      return Array.isArray(parsed) ? (parsed as RoundRecord[]) : [];
    } catch (error) {
      throw new StoreError('room meta has unreadable rounds', { cause: error });
    }
  }

  /** A kept round's series (raw JSON points, oldest first) and markers; empty once it expired. */
  async keptRound(roomId: string, round: number): Promise<{ points: string[]; markers: string[] }> {
    const kept = keys.voteRound(roomId, round);
    const [points, markers] = await Promise.all([this.redis.lrange(kept.history, 0, -1), this.redis.lrange(kept.markers, 0, -1)]);
    return { points, markers };
  }

  /**
   * Stores a timeline marker at now (Redis's clock) and tells the room's viewers (SPEC §9): the
   * marker as stored (`{"ts","label","auto"}`), or null when there is no such room.
   */
  addMarker(roomId: string, label: string): Promise<string | null> {
    return addMarker.run(this.redis, { roomId, label, auto: false, kept: MARKERS_KEPT, roomTtlMs: this.settings.roomTtlMs, quietMs: 0 });
  }

  /**
   * Stores an automatic marker (a swing), unless the room had one within `quietMs`: every gateway
   * holding the room sees the same swing, and one marker is kept. The marker, or null.
   */
  addSwingMarker(roomId: string, label: string, quietMs: number): Promise<string | null> {
    return addMarker.run(this.redis, { roomId, label, auto: true, kept: MARKERS_KEPT, roomTtlMs: this.settings.roomTtlMs, quietMs });
  }

  /**
   * When the room's current round began (ms): when voting last opened again, else when the room
   * was created. The export carries it, so a replay lines the series up with the stream's recording.
   */
  async anchor(roomId: string): Promise<number | undefined> {
    const [openedAt, createdAt] = await this.redis.hmget(keys.voteRoom(roomId).meta, 'opened_at', 'created_at');
    const at = Number(openedAt ?? createdAt);
    return Number.isFinite(at) && at > 0 ? at : undefined;
  }

  /** The room's markers as stored (JSON), oldest first. */
  markers(roomId: string): Promise<string[]> {
    return this.redis.lrange(keys.voteRoom(roomId).markers, 0, -1);
  }

  /**
   * Closes or opens voting in a room (SPEC §9) and tells its viewers; `changed` false when it was
   * so already, null when there is no such room.
   */
  async setVoting(roomId: string, close: boolean, now: number): Promise<{ changed: boolean; closedAt: number | undefined } | null> {
    const reply = await roomVoting.run(this.redis, { roomId, close, now });
    return reply.result === 'no_room' ? null : { changed: reply.result === 'changed', closedAt: reply.closedAt };
  }

  /**
   * The stored history as raw JSON points, oldest first: the last HISTORY_LIMIT (what a join
   * gets), or the last `limit` (a room's own number kept, for the export).
   */
  history(roomId: string, limit = this.settings.historyLimit): Promise<string[]> {
    return this.redis.lrange(keys.voteRoom(roomId).history, -limit, -1);
  }

  /** The tally as it stands now (not yet ticked), summed over the room's voter parts. */
  async liveTally(roomId: string, meta: Pick<RoomMeta, 'options' | 'shards' | 'segments'>): Promise<Omit<TallyPoint, 'ts'>> {
    const batch = this.batch();
    const segments = meta.segments ?? [];
    const sums = addPartSums(batch, roomId, meta.shards ?? 1, countFields(meta.options, segments));
    await batch.exec();
    const { connected, counts } = await sums;
    return { ...pointCounts(meta.options, segments, counts), connected };
  }

  /**
   * Queues a gateway's ops for one room on `batch`, in order, in script calls of at most
   * OPS_PER_CALL ops, under the gateway's lease `grant`; resolves with the number of votes that
   * changed a stored vote, or rejects with GatewayFenced when the fence refused a call (that
   * call changed nothing). A room with `shards` voter parts gets one call per part touched, each
   * with the ops of that part's users (still in order: a user's ops always go to the same part).
   */
  addRoomOps(batch: SlotBatch, roomId: string, grant: LeaseGrant, ops: readonly RoomOp[], plan: VoterPlan): Promise<number> {
    const { shards } = plan;
    const byShard = groupBy(ops, (op) => voterShard(op.user, shards));
    const written = [...byShard].map(([shard, part]) => this.addPartOps(batch, roomId, grant, part, shard, plan));
    return handled(Promise.all(written).then((counts) => counts.reduce((sum, n) => sum + n, 0)));
  }

  private addPartOps(
    batch: SlotBatch,
    roomId: string,
    grant: LeaseGrant,
    ops: readonly RoomOp[],
    shard: number,
    { shards, ...rules }: VoterPlan,
  ): Promise<number> {
    const voters = keys.voterKeys(roomId, shard, shards);
    const conns = keys.gatewayConns(roomId, grant.id, shard, shards);
    const queue = (pipeline: ScriptedPipeline): void => {
      for (let start = 0; start < ops.length; start += OPS_PER_CALL) {
        roomOps.queue(pipeline, { voters, conns, rules, validUntil: grant.validUntil, ops: ops.slice(start, start + OPS_PER_CALL) });
      }
    };
    return batch.add(voters.users, queue, (replies) =>
      replies.reduce<number>((sum, raw) => {
        const reply = roomOps.decode(raw);
        if ('fenced' in reply) throw new GatewayFenced(reply.fenced, grant.id);
        return sum + reply.changed;
      }, 0),
    );
  }

  /** A room's voter parts as stored in its meta (1 when it has none or no meta). */
  async roomShards(roomId: string): Promise<number> {
    return shardCount(await this.redis.hget(keys.voteRoom(roomId).meta, 'shards'));
  }
}
