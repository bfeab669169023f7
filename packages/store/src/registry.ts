import { keys } from './keys';
import { LeaseReply, renewLease as renewLeaseScript, type LeaseMode } from './script-defs';
import { execPipeline, type ScriptedRedis } from './scripts';
import type { SlotBatch } from './slot-batch';
import type { PokerStore } from './poker-store';
import type { UserStore } from './user-store';
import type { VoteStore } from './vote-store';

/** Users taken per HSCAN step (and per roomOps call) while reaping a dead gateway. */
const REAP_SCAN_COUNT = 500;

/** Queues a lease renewal that also marks `rooms` active on a batch; resolves true while the lease is live. */
export function addLease(batch: SlotBatch, gatewayId: string, ttlMs: number, mode: LeaseMode, rooms: readonly string[]): Promise<boolean> {
  return batch.add(keys.gateways, (pipeline) => renewLeaseScript.queue(pipeline, { gatewayId, ttlMs, mode, rooms }), ([reply]) => reply === LeaseReply.Live);
}

/** Registers or renews a lease (and marks `rooms` active); true while it is live. */
export async function renewLease(redis: ScriptedRedis, gatewayId: string, ttlMs: number, mode: LeaseMode, rooms: readonly string[]): Promise<boolean> {
  return (await renewLeaseScript.run(redis, { gatewayId, ttlMs, mode, rooms })) === LeaseReply.Live;
}

/** Redis's own clock in ms, the clock leases are written in. */
export async function redisTimeMs(redis: ScriptedRedis): Promise<number> {
  const [seconds, micros] = await redis.time();
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}

/** The rooms of `buckets` some gateway reported since `cutoffMs`; older ones are dropped. */
export async function activeRooms(redis: ScriptedRedis, buckets: readonly number[], cutoffMs: number): Promise<string[]> {
  if (buckets.length === 0) return [];
  // One slot ({registry}): one pipeline on every topology.
  const pipeline = redis.pipeline();
  for (const bucket of buckets) pipeline.zremrangebyscore(keys.activeRooms(bucket), '-inf', `(${cutoffMs}`).zrange(keys.activeRooms(bucket), '0', '-1');
  const results = await execPipeline(pipeline);
  return results.filter((_, i) => i % 2 === 1).flatMap((rooms) => rooms as string[]);
}

/** Gateways whose lease expired before `nowMs`. */
export function expiredGateways(redis: ScriptedRedis, nowMs: number, limit: number): Promise<string[]> {
  return redis.zrangebyscore(keys.gateways, '-inf', `(${nowMs}`, 'LIMIT', 0, limit);
}

export interface Stores {
  votes: VoteStore;
  poker: PokerStore;
  users: UserStore;
}

/**
 * Takes a dead gateway's connections back out of every room it held (their users stop counting
 * unless connected elsewhere, and poker users start expiring), then forgets the gateway.
 * Idempotent: safe to repeat or race. Returns the number of vote connections released.
 */
export async function reapGateway(stores: Stores, gatewayId: string): Promise<number> {
  const released = await reapVoteRooms(stores.votes, gatewayId);
  const redis = stores.votes.redis;
  for (const roomId of await redis.smembers(keys.gatewayPokerRooms(gatewayId))) await stores.poker.dropGateway(roomId, gatewayId);
  for (const userId of await redis.smembers(keys.gatewayUsers(gatewayId))) await stores.users.connections(userId, gatewayId, 'S', 0);
  await releaseLease(redis, gatewayId);
  return released;
}

async function reapVoteRooms(store: VoteStore, gatewayId: string): Promise<number> {
  const redis = store.redis;
  const rooms = await redis.smembers(keys.gatewayRooms(gatewayId));
  let released = 0;
  for (const roomId of rooms) {
    const shards = await store.roomShards(roomId);
    for (let shard = 0; shard < shards; shard += 1) released += await reapVoterPart(store, roomId, gatewayId, shard, shards);
  }
  return released;
}

/** Takes a dead gateway's connections out of one voter part of a room (the room's own voters if unsharded). */
async function reapVoterPart(store: VoteStore, roomId: string, gatewayId: string, shard: number, shards: number): Promise<number> {
  const redis = store.redis;
  const conns = keys.gatewayConns(roomId, gatewayId, shard, shards);
  let released = 0;
  let cursor = '0';
  do {
    const [next, fields] = await redis.hscan(conns, cursor, 'COUNT', REAP_SCAN_COUNT);
    cursor = next;
    const ops = [];
    for (let i = 0; i + 1 < fields.length; i += 2) {
      const count = Number(fields[i + 1]);
      ops.push({ op: 'L' as const, user: fields[i] as string, count });
      released += count;
    }
    if (ops.length > 0) {
      const batch = store.batch();
      const applied = store.addRoomOps(batch, roomId, gatewayId, ops, shards);
      await batch.exec();
      await applied;
    }
  } while (cursor !== '0');
  await redis.del(conns);
  return released;
}

/** Removes a gateway's lease and room sets on a clean shutdown (after its connections left). */
export async function releaseLease(redis: ScriptedRedis, gatewayId: string): Promise<void> {
  await redis
    .multi()
    .del(keys.gatewayRooms(gatewayId), keys.gatewayPokerRooms(gatewayId), keys.gatewayUsers(gatewayId))
    .zrem(keys.gateways, gatewayId)
    .exec();
}
