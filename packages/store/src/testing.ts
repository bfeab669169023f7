import { PokerStore } from './poker-store';
import type { Stores } from './reaper';
import type { ScriptedRedis } from './scripts';
import { UserStore } from './user-store';
import { VoteStore } from './vote-store';

/**
 * For the store's own tests: every store on one connection, with short expiries and no rejoin
 * grace (what the reaper and the property tests take). `votes` replaces the vote store when a
 * test needs its own settings.
 */
export function testStores(redis: ScriptedRedis, votes = new VoteStore(redis, { historyLimit: 10, roomTtlMs: 60_000 })): Stores {
  return {
    votes,
    poker: new PokerStore(redis, { roomTtlMs: 60_000, maxMembers: 100, roundsKept: 10, rejoinGraceMs: 0 }),
    users: new UserStore(redis, 60_000),
  };
}
