import type { WebhookConfig } from '@banterbox/config';
import type { Logger } from '@banterbox/logger';
import { revealStats } from '@banterbox/protocol';
import { pokerClosedOnce, type PokerChange, type RoomMeta, type WebhookStore } from '@banterbox/store';

/** A point's connected users: right after its votes object closes (an option may be called "connected"). */
const CONNECTED = /\},"connected":(\d+)/;

/** How long a poker change is remembered as emitted (gateways hear it within a second). */
const POKER_DEDUPE_MS = 60_000;

/**
 * The webhook events this gateway sees happen (SPEC §8), recorded in Redis for the ticker's
 * sender: `room.created` by the gateway that created the room, `room.closed`, `room.opened` and `room.round`
 * by the gateway that ran the request, and `room.milestone`,
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
    const { options, open, tickMs, shards } = meta;
    this.record('room.created', { room: roomId, options, open, tick_ms: tickMs, voter_shards: shards ?? 1, via });
  }

  /** Voting in a room closed or opened (by the gateway that ran the request: one event). */
  voting(roomId: string, closed: boolean, ts: number): void {
    this.record(closed ? 'room.closed' : 'room.opened', { room: roomId, ts });
  }

  /** A reset started a new round (by the gateway that ran the request: one event). */
  round(roomId: string, round: number, question: string, ts: number): void {
    this.record('room.round', { room: roomId, round, question, ts });
  }

  /** A tick's point of a room this gateway holds: a milestone for every viewer count crossed since the last. */
  snapshot(roomId: string, ts: number, point: string): void {
    if (!this.store) return;
    const found = CONNECTED.exec(point);
    if (!found) return;
    const connected = Number(found[1]);
    // The first snapshot a gateway sees counts from 0: a crossing nobody saw is still told, once.
    const before = this.connected.get(roomId) ?? 0;
    this.connected.set(roomId, connected);
    for (const viewers of this.config.milestones) {
      if (before >= viewers || connected < viewers) continue;
      this.record(
        'room.milestone',
        { room: roomId, viewers, connected, ts },
        { key: `milestone:${roomId}:${viewers}`, ms: this.roomTtlMs },
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
      this.record(
        'poker.revealed',
        { room: roomId, estimates: change.estimates, stats },
        { key: `poker:${roomId}:${seq}`, ms: POKER_DEDUPE_MS },
      );
    } else if (change.kind === 'closed') {
      // The same key as the ticker that expired the owner: one event, whoever records it first.
      this.record('poker.room_closed', { room: roomId }, pokerClosedOnce(roomId));
    }
  }

  private record(type: string, data: Record<string, unknown>, once?: { key: string; ms: number }): void {
    this.store?.record(type, data, once).catch((error: unknown) => this.log.warn({ err: error, type }, 'webhook event not recorded'));
  }
}
