import type { Logger } from '@banterbox/logger';
import type { TickerMetrics } from '../metrics';
import type { Leadership } from '../tick/leadership';

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
  private stopped = false;

  constructor(
    private readonly chores: readonly Chore[],
    private readonly leadership: Leadership,
    private readonly metrics: TickerMetrics,
    private readonly log: Logger,
  ) {}

  /** Starts a run unless one is going, this replica does not lead partition 0, or it is stopping. */
  start(redisNow: number): void {
    if (this.stopped || this.running || !this.leadership.leads(0)) return;
    this.running = this.runAll(redisNow).finally(() => (this.running = undefined));
  }

  /** Starts no more runs and waits for one that is going (on shutdown). */
  async stop(): Promise<void> {
    this.stopped = true;
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
