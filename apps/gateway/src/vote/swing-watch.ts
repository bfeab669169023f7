import type { Logger } from '@banterbox/logger';
import type { TallyPoint } from '@banterbox/protocol';
import type { VoteStore } from '@banterbox/store';
import type { LocalVoteRoom } from './local-vote-room';

interface Seen {
  ts: number;
  net: number;
}

/** The lowest and highest net values of a room within its swing window: monotonic queues, O(1) a tick. */
class Window {
  private readonly lows: Seen[] = [];
  private readonly highs: Seen[] = [];

  /** The largest move from a value in the window to `net` (signed), then takes `net` in. */
  push(point: Seen, windowMs: number): number {
    for (const queue of [this.lows, this.highs]) while (queue.length > 0 && queue[0]!.ts < point.ts - windowMs) queue.shift();
    const up = this.lows.length > 0 ? point.net - this.lows[0]!.net : 0;
    const down = this.highs.length > 0 ? point.net - this.highs[0]!.net : 0;
    while (this.lows.length > 0 && this.lows[this.lows.length - 1]!.net >= point.net) this.lows.pop();
    while (this.highs.length > 0 && this.highs[this.highs.length - 1]!.net <= point.net) this.highs.pop();
    this.lows.push(point);
    this.highs.push(point);
    return up >= -down ? up : down;
  }

  /** Starts over from the newest point: one marker per swing, not one per tick of it. */
  restart(): void {
    this.lows.splice(0, this.lows.length - 1);
    this.highs.splice(0, this.highs.length - 1);
  }
}

/**
 * Automatic swing markers (SPEC §9) for the rooms this gateway holds: when a room's net value
 * (first option minus second) moves by at least its threshold within its window, a marker
 * `{"auto": true}` is stored. Every gateway holding the room sees the same ticks; the store keeps
 * the first marker and stays quiet for the window (addMarker-3), so the room gets one.
 */
export class SwingWatch {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly store: VoteStore,
    private readonly log: Logger,
  ) {}

  /**
   * Starts watching a room this gateway now holds, from its stored points (oldest first): the
   * window begins with them, or with a net of 0 now for a room with none yet (a room starts at 0).
   */
  load(room: LocalVoteRoom, stored: readonly string[]): void {
    const swing = room.meta.swing;
    if (!swing) return;
    const window = new Window();
    this.windows.set(room.id, window);
    if (stored.length === 0) window.push({ ts: Date.now(), net: 0 }, swing.windowMs);
    for (const text of stored) window.push(this.seen(room, text), swing.windowMs);
  }

  /** A point of a room this gateway holds (as stored), in tick order. */
  point(room: LocalVoteRoom, text: string): void {
    const swing = room.meta.swing;
    if (!swing) return;
    let window = this.windows.get(room.id);
    if (!window) this.windows.set(room.id, (window = new Window()));
    const move = window.push(this.seen(room, text), swing.windowMs);
    if (Math.abs(move) < swing.threshold) return;
    window.restart();
    const [first, second] = room.meta.options;
    const toward = move > 0 ? first : second;
    const label = `Swing to ${toward}: ${move > 0 ? '+' : ''}${move} in ${Math.round(swing.windowMs / 1000)} s`;
    this.store
      .addSwingMarker(room.id, label, swing.windowMs)
      .catch((err: unknown) => this.log.warn({ err, room: room.id }, 'swing marker not stored'));
  }

  /** A stored point as the room's net value (first option minus second) at its time. */
  private seen(room: LocalVoteRoom, text: string): Seen {
    const point = JSON.parse(text) as TallyPoint;
    const [first, second] = room.meta.options;
    return { ts: point.ts, net: (point.votes[first!] ?? 0) - (point.votes[second!] ?? 0) };
  }

  /** This gateway no longer holds the room. */
  forget(roomId: string): void {
    this.windows.delete(roomId);
  }
}
