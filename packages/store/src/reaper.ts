import { TOMBSTONE_MS } from './gateway-fence';
import { keys } from './keys';
import type { PokerStore } from './poker-store';
import { releaseLease } from './registry';
import { reapVoters } from './script-defs';
import type { ScriptedRedis } from './scripts';
import type { UserStore } from './user-store';
import type { VoteStore } from './vote-store';

/** Users taken per reapVoters call while reaping a dead gateway. */
const REAP_SCAN_COUNT = 500;

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
    const slice = await reapVoters.run(redis, { voters, conns, cursor, count: REAP_SCAN_COUNT, tombstoneMs: TOMBSTONE_MS });
    cursor = slice.cursor;
    released += slice.released;
  } while (cursor !== '0');
  return released;
}
