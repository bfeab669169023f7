import type { Logger } from '@banterbox/logger';
import { redisTimeMs, type ScriptedRedis } from '@banterbox/store';
import type { TickerMetrics } from '../metrics';
import type { PartitionTicker } from './partition-ticker';
import type { Leadership } from './leadership';

export interface TickRoundDeps {
  redis: ScriptedRedis;
  leadership: Leadership;
  partitions: PartitionTicker;
  metrics: TickerMetrics;
  log: Logger;
  /** Called once a round stored and published every partition it could (the chores go then). */
  afterPublish(redisNow: number): void;
}

/**
 * What happens at each tick of the clock: every partition this replica leads is ticked, in
 * parallel, at the same grid time; the round's totals go to the metrics and the debug log.
 * Nothing else runs before the publish: chores are handed the Redis time afterwards.
 */
export class TickRound {
  constructor(private readonly deps: TickRoundDeps) {}

  async run(ts: number, lagMs: number): Promise<void> {
    const { redis, leadership, metrics, log } = this.deps;
    const led = leadership.led();
    if (led.length === 0 || redis.status !== 'ready') return;
    const started = Date.now();
    try {
      const redisNow = await redisTimeMs(redis);
      const results = await Promise.all(led.map((partition) => this.deps.partitions.tick(partition, ts, redisNow)));
      const durationMs = Date.now() - started;
      const rooms = results.reduce((sum, r) => sum + r.rooms, 0);
      const stored = results.reduce((sum, r) => sum + r.stored, 0);
      const fenced = results.reduce((sum, r) => sum + r.fenced, 0);
      metrics.ticks.inc();
      metrics.stored.inc(stored);
      metrics.fenced.inc(fenced);
      metrics.activeRooms.set(rooms);
      metrics.lastTick.set(ts / 1000);
      metrics.tickLag.observe(lagMs / 1000);
      metrics.tickDuration.observe(durationMs / 1000);
      log.debug({ ts, partitions: led, rooms, stored, fenced, lagMs, durationMs }, 'tick');
      this.deps.afterPublish(redisNow);
    } catch (error) {
      metrics.tickFailures.inc();
      log.warn({ err: error, ts }, 'tick failed');
    }
  }
}
