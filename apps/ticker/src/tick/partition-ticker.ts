import { TickEngine, TickResult, activeRooms, partitionBuckets, type ScriptedRedis, type TickSettings } from '@banterbox/store';
import type { TickerMetrics } from '../metrics';
import type { Leadership } from './leadership';

/** Rooms handed to the tick engine at once; leadership is re-checked between chunks. */
const ROOMS_PER_CHUNK = 1000;

export interface PartitionTick {
  rooms: number;
  stored: number;
  fenced: number;
}

export interface PartitionTickerDeps {
  redis: ScriptedRedis;
  leadership: Leadership;
  metrics: TickerMetrics;
  settings: TickSettings;
  /** TICK_PARTITIONS. */
  partitions: number;
  /** A room is active while some gateway reported it within this long (twice the gateway lease). */
  activeForMs: number;
}

/**
 * One tick of one partition: its active rooms (from the registry's buckets of that partition)
 * go to the tick engine in chunks, with the partition's epoch, for as long as this replica leads
 * the partition. A room fenced by a newer epoch ends the partition's tick and this replica's
 * leadership of it.
 */
export class PartitionTicker {
  private readonly engine: TickEngine;

  constructor(private readonly deps: PartitionTickerDeps) {
    this.engine = new TickEngine(deps.redis, deps.settings);
  }

  async tick(partition: number, ts: number, redisNow: number): Promise<PartitionTick> {
    const { leadership, metrics } = this.deps;
    const epoch = leadership.epochOf(partition);
    const rooms = await activeRooms(this.deps.redis, partitionBuckets(partition, this.deps.partitions), redisNow - this.deps.activeForMs);
    const counted = { rooms: rooms.length, stored: 0, fenced: 0 };
    for (let start = 0; start < rooms.length && counted.fenced === 0; start += ROOMS_PER_CHUNK) {
      if (!leadership.leads(partition)) break;
      const done = metrics.redisLatency.startTimer({ op: 'tick_rooms' });
      const expiredBefore = this.engine.votesExpired;
      const results = await this.engine.tick(rooms.slice(start, start + ROOMS_PER_CHUNK), epoch, ts);
      done();
      metrics.votesExpired.inc(this.engine.votesExpired - expiredBefore);
      for (const result of results) {
        if (result === TickResult.Stored) counted.stored += 1;
        else if (result === TickResult.Fenced) counted.fenced += 1;
      }
    }
    if (counted.fenced > 0) leadership.stepDown(partition, `fenced: a leader with a newer epoch than ${epoch} ticked these rooms`);
    return counted;
  }
}
