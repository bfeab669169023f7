import type { Logger } from '@banterbox/logger';
import { pokerClosedOnce, type PokerStore, type UserStore, type WebhookStore } from '@banterbox/store';
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
    /** Where a closed room's `poker.room_closed` webhook event is recorded (none without WEBHOOK_URLS). */
    private readonly webhooks?: WebhookStore,
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
        for (const roomId of found.rooms) {
          if (!(await this.poker.expireUser(roomId, userId))) continue;
          closed += 1;
          // Told here too: a room nobody is connected to is held by no gateway.
          await this.webhooks?.record('poker.room_closed', { room: roomId }, pokerClosedOnce(roomId));
        }
        this.metrics.usersExpired.inc();
        this.metrics.pokerRoomsClosed.inc(closed);
        this.log.debug({ userId, rooms: found.rooms.length, closed }, 'poker user expired');
      }
      await this.users.unschedule(userId, score);
    }
  }
}
