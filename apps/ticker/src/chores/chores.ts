import type { PartitionLeadership } from '@banterbox/leader';
import type { Logger } from '@banterbox/logger';
import type { TickerMetrics } from '../metrics';

/** One deployment-wide cleanup job, run with Redis's time. */
export interface Chore {
  readonly name: string;
  run(redisNow: number): Promise<void>;
}

/**
 * The deployment-wide chores (reaping dead gateways, expiring poker users): exactly one replica
 * runs them, the leader of partition 0, each time a tick round has published, and never while
 * the previous run is still going. The tick never waits for them, so no chore delays a point; a
 * chore is still done within one tick of falling due, which is what SPEC's reaping bound needs.
 */
export class Chores {
  private running: Promise<void> | undefined;

  constructor(
    private readonly chores: readonly Chore[],
    private readonly leadership: PartitionLeadership,
    private readonly metrics: TickerMetrics,
    private readonly log: Logger,
  ) {}

  /** Starts a run unless one is going or this replica does not lead partition 0. */
  start(redisNow: number): void {
    if (this.running || !this.leadership.leads(0)) return;
    this.running = this.runAll(redisNow).finally(() => (this.running = undefined));
  }

  /** Waits for a run that is going (on shutdown). */
  async settled(): Promise<void> {
    await this.running;
  }

  private async runAll(redisNow: number): Promise<void> {
    for (const chore of this.chores) {
      const done = this.metrics.choreDuration.startTimer({ chore: chore.name });
      try {
        await chore.run(redisNow);
      } catch (error) {
        this.metrics.choreFailures.inc({ chore: chore.name });
        this.log.warn({ err: error, chore: chore.name }, 'chore failed');
      } finally {
        done();
      }
    }
  }
}
