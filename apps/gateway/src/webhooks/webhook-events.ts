import type { WebhookConfig } from '@banterbox/config';
import type { Logger } from '@banterbox/logger';
import { revealStats } from '@banterbox/protocol';
import type { PokerChange, RoomMeta, WebhookStore } from '@banterbox/store';

/** How long a poker change is remembered as emitted (gateways hear it within a second). */
const POKER_DEDUPE_MS = 60_000;

/** The body of every event: Standard Webhooks' recommended shape. */
function body(type: string, data: Record<string, unknown>): string {
  return JSON.stringify({ type, timestamp: new Date().toISOString(), data });
}

/**
 * The webhook events this gateway sees happen (SPEC §8), recorded in Redis for the ticker's
 * sender: `room.created` by the gateway that created the room, and `room.milestone`,
 * `poker.revealed` and `poker.room_closed` by whichever gateway holding the room is first (every
 * gateway that holds it sees the same crossing or change; a dedupe key keeps one event). Nothing
 * is recorded without WEBHOOK_URLS. A failure to record is logged, never passed to the user.
 */
export class WebhookEvents {
  private readonly connected = new Map<string, number>();

  constructor(
    private readonly store: WebhookStore | undefined,
    private readonly config: WebhookConfig,
    private readonly roomTtlMs: number,
    private readonly log: Logger,
  ) {}

  roomCreated(roomId: string, meta: RoomMeta, via: 'api' | 'join'): void {
    this.record('room.created', () =>
      this.store!.emit(
        'room.created',
        body('room.created', {
          room: roomId,
          options: meta.options,
          open: meta.open,
          tick_ms: meta.tickMs,
          voter_shards: meta.shards ?? 1,
          via,
        }),
      ),
    );
  }

  /** A snapshot of a room this gateway holds: a milestone for every viewer count crossed since the last. */
  snapshot(roomId: string, ts: number, connected: number): void {
    if (!this.store) return;
    // The first snapshot a gateway sees counts from 0: a crossing nobody saw is still told, once.
    const before = this.connected.get(roomId) ?? 0;
    this.connected.set(roomId, connected);
    for (const viewers of this.config.milestones) {
      if (before >= viewers || connected < viewers) continue;
      this.record('room.milestone', () =>
        this.store!.emitOnce(
          `milestone:${roomId}:${viewers}`,
          this.roomTtlMs,
          'room.milestone',
          body('room.milestone', { room: roomId, viewers, connected, ts }),
        ),
      );
    }
  }

  /** This gateway no longer holds the room. */
  forget(roomId: string): void {
    this.connected.delete(roomId);
  }

  /** A change of a poker room this gateway holds, the `seq`-th message of the room. */
  pokerChange(roomId: string, seq: number, change: PokerChange): void {
    if (change.kind === 'revealed') {
      const stats = revealStats(Object.values(change.estimates).map((e) => e.value));
      this.record('poker.revealed', () =>
        this.store!.emitOnce(
          `poker:${roomId}:${seq}`,
          POKER_DEDUPE_MS,
          'poker.revealed',
          body('poker.revealed', { room: roomId, estimates: change.estimates, stats }),
        ),
      );
    } else if (change.kind === 'closed') {
      this.record('poker.room_closed', () =>
        this.store!.emitOnce(`poker:${roomId}:${seq}`, POKER_DEDUPE_MS, 'poker.room_closed', body('poker.room_closed', { room: roomId })),
      );
    }
  }

  private record(type: string, emit: () => Promise<unknown>): void {
    if (!this.store) return;
    emit().catch((error: unknown) => this.log.warn({ err: error, type }, 'webhook event not recorded'));
  }
}
