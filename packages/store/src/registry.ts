import { GatewayFenced, type LeaseGrant } from './gateway-fence';
import { keys } from './keys';
import { holdForGateway as holdScript, renewLease as renewLeaseScript, type LeaseMode } from './script-defs';
import { texts } from './script-replies';
import { execPipeline, type ScriptedRedis } from './scripts';

/**
 * Registers (`register`) or renews (`renew`: only a live lease) a gateway's lease, and marks
 * `rooms` active and held by it. Resolves with the new grant, or undefined when a renewal was
 * refused (the lease is gone or expired: the caller must register a new id).
 */
export async function renewLease(
  redis: ScriptedRedis,
  gatewayId: string,
  ttlMs: number,
  mode: LeaseMode,
  rooms: readonly string[],
): Promise<LeaseGrant | undefined> {
  const expiry = await renewLeaseScript.run(redis, { gatewayId, ttlMs, mode, rooms });
  return expiry === undefined ? undefined : { id: gatewayId, validUntil: expiry };
}

/**
 * Registers poker rooms or users with a live lease (`held` is keys.gatewayPokerRooms or
 * gatewayUsers of the gateway), before the gateway writes to them. Throws GatewayFenced when the
 * lease is gone; otherwise resolves with the grant as it stands.
 */
export async function holdForGateway(
  redis: ScriptedRedis,
  gatewayId: string,
  held: string,
  members: readonly string[],
): Promise<LeaseGrant> {
  const expiry = await holdScript.run(redis, { gatewayId, held, members });
  if (expiry === undefined) throw new GatewayFenced('lapsed', gatewayId);
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
  for (const bucket of buckets)
    pipeline.zremrangebyscore(keys.activeRooms(bucket), '-inf', `(${cutoffMs}`).zrange(keys.activeRooms(bucket), '0', '-1');
  const results = await execPipeline(pipeline);
  return results.filter((_, i) => i % 2 === 1).flatMap(texts);
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
