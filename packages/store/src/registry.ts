import { GatewayFenced, TOMBSTONE_MS, type LeaseGrant } from './gateway-fence';
import { keys } from './keys';
import { holdForGateway as holdScript, reapVoters, renewLease as renewLeaseScript, type LeaseMode } from './script-defs';
import { execPipeline, type ScriptedRedis } from './scripts';
import type { PokerStore } from './poker-store';
import type { UserStore } from './user-store';
import type { VoteStore } from './vote-store';

/** Users taken per reapVoters call while reaping a dead gateway. */
const REAP_SCAN_COUNT = 500;

/**
 * Registers (`register`) or renews (`renew`: only a live lease) a gateway's lease, and marks
 * `rooms` active and held by it. Resolves with the new grant, or undefined when a renewal was
 * refused (the lease is gone or expired: the caller must register a new id).
 */
export async function renewLease(redis: ScriptedRedis, gatewayId: string, ttlMs: number, mode: LeaseMode, rooms: readonly string[]): Promise<LeaseGrant | undefined> {
  const expiry = Number(await renewLeaseScript.run(redis, { gatewayId, ttlMs, mode, rooms }));
  return expiry > 0 ? { id: gatewayId, validUntil: expiry } : undefined;
}

/**
 * Registers poker rooms or users with a live lease (`held` is keys.gatewayPokerRooms or
 * gatewayUsers of the gateway), before the gateway writes to them. Throws GatewayFenced when the
 * lease is gone; otherwise resolves with the grant as it stands.
 */
export async function holdForGateway(redis: ScriptedRedis, gatewayId: string, held: string, members: readonly string[]): Promise<LeaseGrant> {
  const expiry = Number(await holdScript.run(redis, { gatewayId, held, members }));
  if (expiry <= 0) throw new GatewayFenced('lapsed', gatewayId);
  return { id: gatewayId, validUntil: expiry };
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
 * Takes a dead gateway (its lease expired) back out of everything it held: in every vote room,
 * voter part, poker room and user it registered, first a tombstone that refuses any later write
 * under its id, then its connections (their users stop counting unless connected elsewhere, and
 * poker users start expiring); last its lease and registrations. Nothing can be registered to a
 * gateway whose lease expired, so the sets read here are complete. Idempotent: safe to repeat or
 * race. Returns the number of vote connections released.
 */
export async function reapGateway(stores: Stores, gatewayId: string): Promise<number> {
  const released = await reapVoteRooms(stores.votes, gatewayId);
  const redis = stores.votes.redis;
  for (const roomId of await redis.smembers(keys.gatewayPokerRooms(gatewayId))) await stores.poker.dropGateway(roomId, gatewayId);
  for (const userId of await redis.smembers(keys.gatewayUsers(gatewayId))) await stores.users.dropGateway(userId, gatewayId);
  await releaseLease(redis, gatewayId);
  return released;
}

async function reapVoteRooms(store: VoteStore, gatewayId: string): Promise<number> {
  const rooms = await store.redis.smembers(keys.gatewayRooms(gatewayId));
  let released = 0;
  for (const roomId of rooms) {
    const shards = await store.roomShards(roomId);
    for (let shard = 0; shard < shards; shard += 1) released += await reapVoterPart(store.redis, roomId, gatewayId, shard, shards);
  }
  return released;
}

/** Takes a dead gateway's connections out of one voter part of a room (the room's own voters if unsharded). */
async function reapVoterPart(redis: ScriptedRedis, roomId: string, gatewayId: string, shard: number, shards: number): Promise<number> {
  const voters = keys.voterKeys(roomId, shard, shards);
  const conns = keys.gatewayConns(roomId, gatewayId, shard, shards);
  let released = 0;
  let cursor = '0';
  do {
    const [next, count] = (await reapVoters.run(redis, { voters, conns, cursor, count: REAP_SCAN_COUNT, tombstoneMs: TOMBSTONE_MS })) as [string, number];
    cursor = next;
    released += Number(count);
  } while (cursor !== '0');
  return released;
}

/**
 * Retires a gateway id the gateway has moved away from (it re-asserted its state under a new
 * one): its lease is marked expired, so the reaper takes out exactly what was written under it,
 * and `rooms` (vote rooms the gateway knows it wrote to under it) are registered again, in case
 * Redis lost the registration.
 */
export async function retireLease(redis: ScriptedRedis, gatewayId: string, rooms: readonly string[]): Promise<void> {
  const multi = redis.multi().zadd(keys.gateways, 0, gatewayId);
  if (rooms.length > 0) multi.sadd(keys.gatewayRooms(gatewayId), ...rooms);
  await execPipeline(multi);
}

/** Removes a gateway's lease and room sets on a clean shutdown (after its connections left). */
export async function releaseLease(redis: ScriptedRedis, gatewayId: string): Promise<void> {
  await execPipeline(
    redis
      .multi()
      .del(keys.gatewayRooms(gatewayId), keys.gatewayPokerRooms(gatewayId), keys.gatewayUsers(gatewayId))
      .zrem(keys.gateways, gatewayId),
  );
}
