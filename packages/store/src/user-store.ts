import { GatewayFenced, type LeaseGrant } from './gateway-fence';
import { keys } from './keys';
import { holdForGateway } from './registry';
import { unscheduleUser, userConnections, userExpire, userName, type PresenceChange, type UserExpiry } from './script-defs';
import type { ScriptedRedis } from './scripts';

/** Poker users' keys outlive their expiry by this long, in case no ticker runs to expire them. */
const BACKSTOP_MS = 3600_000;

export interface UserPresence {
  /** The user's /connect connections on all gateways. */
  connections: number;
  /** When the user expires (Redis time, ms), or 0 while connected. */
  expiresAt: number;
  /** Display name, null if never set. */
  name: string | null;
  nameVersion: string;
}

export type { UserExpiry };

/**
 * Poker users in Redis: their connections per gateway, name and rooms. A user with no connection
 * left is listed in the registry's expiring set; the ticker leader expires them when due.
 */
export class UserStore {
  constructor(
    readonly redis: ScriptedRedis,
    private readonly userTtlMs: number,
  ) {}

  /**
   * Changes one gateway's connection count for a user, under the gateway's lease `grant`: `join`
   * and `leave` by `count`, `sync` to `count`. Registers the user with the live lease first (so a reaper finds
   * them), throws GatewayFenced when the lease is gone or the fence refused the change, and
   * schedules the expiry check when the user is left with no connection anywhere.
   */
  async connections(userId: string, grant: LeaseGrant, op: PresenceChange, count: number): Promise<UserPresence> {
    // The registry (its own slot) first, so a reaper finds the user, then the user's script.
    const validUntil =
      op === 'leave' ? grant.validUntil : (await holdForGateway(this.redis, grant.id, keys.gatewayUsers(grant.id), [userId])).validUntil;
    return this.change(userId, grant.id, op, count, validUntil);
  }

  /** The reaper: a dead gateway's connections of the user go, and its id is fenced there. */
  async dropGateway(userId: string, gatewayId: string): Promise<UserPresence> {
    return this.change(userId, gatewayId, 'drop', 0, 0);
  }

  private async change(
    userId: string,
    gatewayId: string,
    op: PresenceChange | 'drop',
    count: number,
    validUntil: number,
  ): Promise<UserPresence> {
    const reply = await userConnections.run(this.redis, {
      userId,
      gatewayId,
      op,
      count,
      validUntil,
      userTtlMs: this.userTtlMs,
      backstopMs: BACKSTOP_MS,
    });
    if ('fenced' in reply) throw new GatewayFenced(reply.fenced, gatewayId);
    if (reply.connections === 0) await this.redis.zadd(keys.expiringUsers, reply.expiresAt, userId);
    return reply;
  }

  /** Sets the user's name; returns its version and the rooms to carry it into. */
  async setName(userId: string, name: string): Promise<{ version: string; rooms: string[] }> {
    return userName.run(this.redis, { userId, name });
  }

  /** Users whose expiry check is due at Redis time `nowMs`, with the check's score. */
  async due(nowMs: number, limit: number): Promise<{ userId: string; score: string }[]> {
    const flat = await this.redis.zrangebyscore(keys.expiringUsers, '-inf', nowMs, 'WITHSCORES', 'LIMIT', 0, limit);
    const due: { userId: string; score: string }[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) due.push({ userId: flat[i]!, score: flat[i + 1]! });
    return due;
  }

  /** Deletes the user if their lifetime ran out; see UserExpiry. */
  async expire(userId: string): Promise<UserExpiry> {
    return userExpire.run(this.redis, { userId });
  }

  /** Moves the user's expiry check to `atMs`. */
  async reschedule(userId: string, atMs: number): Promise<void> {
    await this.redis.zadd(keys.expiringUsers, atMs, userId);
  }

  /** Drops the user's expiry check read with `score`, unless a disconnect rescheduled it since. */
  async unschedule(userId: string, score: string): Promise<void> {
    await unscheduleUser.run(this.redis, { userId, score });
  }
}
