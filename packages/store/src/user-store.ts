import { GatewayFenced, fenceReason, type LeaseGrant } from './gateway-fence';
import { keys } from './keys';
import { holdForGateway } from './registry';
import { UserExpireCode, unscheduleUser, userConnections, userExpire, userName } from './script-defs';
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

export type UserConnectionOp = 'J' | 'L' | 'S';

/** What the expiry check found for one user. */
export type UserExpiry = { state: 'connected' } | { state: 'later'; expiresAt: number } | { state: 'expired'; rooms: string[] };

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
   * Changes one gateway's connection count for a user, under the gateway's lease `grant`: `J`/`L`
   * by `count`, `S` to `count`. Registers the user with the live lease first (so a reaper finds
   * them), throws GatewayFenced when the lease is gone or the fence refused the change, and
   * schedules the expiry check when the user is left with no connection anywhere.
   */
  async connections(userId: string, grant: LeaseGrant, op: UserConnectionOp, count: number): Promise<UserPresence> {
    // The registry (its own slot) first, so a reaper finds the user, then the user's script.
    const validUntil = op === 'L' ? grant.validUntil : (await holdForGateway(this.redis, grant.id, keys.gatewayUsers(grant.id), [userId])).validUntil;
    return this.change(userId, grant.id, op, count, validUntil);
  }

  /** The reaper: a dead gateway's connections of the user go, and its id is fenced there. */
  async dropGateway(userId: string, gatewayId: string): Promise<UserPresence> {
    return this.change(userId, gatewayId, 'X', 0, 0);
  }

  private async change(userId: string, gatewayId: string, op: UserConnectionOp | 'X', count: number, validUntil: number): Promise<UserPresence> {
    const reply = (await userConnections.run(this.redis, { userId, gatewayId, op, count, validUntil, userTtlMs: this.userTtlMs, backstopMs: BACKSTOP_MS })) as unknown[];
    const reason = reply.length === 1 ? fenceReason(Number(reply[0])) : undefined;
    if (reason) throw new GatewayFenced(reason, gatewayId);
    const [connections, expiresAt, name, nameVersion] = reply as [number, number, string, string];
    if (connections === 0) await this.redis.zadd(keys.expiringUsers, expiresAt, userId);
    return { connections, expiresAt, name: name === '' ? null : name, nameVersion };
  }

  /** Sets the user's name; returns its version and the rooms to carry it into. */
  async setName(userId: string, name: string): Promise<{ version: string; rooms: string[] }> {
    const [version, ...rooms] = (await userName.run(this.redis, { userId, name })) as string[];
    return { version: version ?? '0', rooms };
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
    const [state, ...rest] = (await userExpire.run(this.redis, { userId })) as [UserExpireCode, ...unknown[]];
    if (state === UserExpireCode.Connected) return { state: 'connected' };
    if (state === UserExpireCode.Later) return { state: 'later', expiresAt: Number(rest[0]) };
    return { state: 'expired', rooms: rest as string[] };
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
