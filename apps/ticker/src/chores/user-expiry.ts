import type { Logger } from '@banterbox/logger';
import type { PokerStore, UserStore } from '@banterbox/store';
import type { TickerMetrics } from '../metrics';
import type { Chore } from './chores';

/** Poker users checked for expiry per run at most. */
const EXPIRE_PER_RUN = 200;

/** Expires poker users whose lifetime ran out: rooms they own close, others they leave. */
export class UserExpiry implements Chore {
  readonly name = 'expire_users';

  constructor(
    private readonly users: UserStore,
    private readonly poker: PokerStore,
    private readonly metrics: TickerMetrics,
    private readonly log: Logger,
  ) {}

  async run(redisNow: number): Promise<void> {
    for (const { userId, score } of await this.users.due(redisNow, EXPIRE_PER_RUN)) {
      const found = await this.users.expire(userId);
      if (found.state === 'later') {
        await this.users.reschedule(userId, found.expiresAt);
        continue;
      }
      if (found.state === 'expired') {
        let closed = 0;
        for (const roomId of found.rooms) if (await this.poker.expireUser(roomId, userId)) closed += 1;
        this.metrics.usersExpired.inc();
        this.metrics.pokerRoomsClosed.inc(closed);
        this.log.debug({ userId, rooms: found.rooms.length, closed }, 'poker user expired');
      }
      await this.users.unschedule(userId, score);
    }
  }
}
