import { Counter, Gauge, Histogram, LATENCY_BUCKETS, newRegistry, redisCommandDuration, type Registry } from '@banterbox/metrics';

/** What the gauges read when Prometheus scrapes. */
export interface TickerGaugeSources {
  /** TICK_PARTITIONS. */
  partitions: number;
  leads(partition: number): boolean;
  epochOf(partition: number): number;
}

/** The ticker's Prometheus metrics (documented in docs/metrics.md). */
export class TickerMetrics {
  readonly registry: Registry = newRegistry('ticker');
  readonly tickDuration = new Histogram({
    name: 'banterbox_tick_duration_seconds',
    help: 'Time the leader took for one tick of every partition it leads (chores run after it)',
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly tickLag = new Histogram({
    name: 'banterbox_tick_lag_seconds',
    help: 'How late a tick started after its grid time',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly ticks = new Counter({ name: 'banterbox_ticks_total', help: 'Ticks run by this replica as leader', registers: [this.registry] });
  readonly stored = new Counter({
    name: 'banterbox_points_stored_total',
    help: 'Room points stored and published',
    registers: [this.registry],
  });
  readonly fenced = new Counter({
    name: 'banterbox_ticks_fenced_total',
    help: 'Room ticks refused because a newer leader ticked the room',
    registers: [this.registry],
  });
  readonly activeRooms = new Gauge({
    name: 'banterbox_active_rooms',
    help: 'Vote rooms ticked in the last tick',
    registers: [this.registry],
  });
  readonly lastTick = new Gauge({
    name: 'banterbox_last_tick_timestamp_seconds',
    help: 'Grid time of the last tick this replica ran as leader',
    registers: [this.registry],
  });
  readonly votesExpired = new Counter({
    name: 'banterbox_votes_expired_total',
    help: 'Standing votes taken out of the count because they were not re-sent within their room vote_ttl_s',
    registers: [this.registry],
  });
  readonly gatewaysReaped = new Counter({
    name: 'banterbox_gateways_reaped_total',
    help: 'Dead gateways whose connections were taken out',
    registers: [this.registry],
  });
  readonly usersExpired = new Counter({
    name: 'banterbox_users_expired_total',
    help: 'Poker users expired after USER_TTL_S',
    registers: [this.registry],
  });
  readonly pokerRoomsClosed = new Counter({
    name: 'banterbox_poker_rooms_closed_total',
    help: 'Poker rooms closed because their owner expired',
    registers: [this.registry],
  });
  readonly choreDuration = new Histogram({
    name: 'banterbox_chore_duration_seconds',
    help: 'Time one run of a chore took (reap_gateways, expire_users), after the tick',
    labelNames: ['chore'],
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly choreFailures = new Counter({
    name: 'banterbox_chore_failures_total',
    help: 'Chore runs that failed (Redis errors); the next tick runs them again',
    labelNames: ['chore'],
    registers: [this.registry],
  });
  readonly tickFailures = new Counter({
    name: 'banterbox_tick_failures_total',
    help: 'Ticks that failed (Redis errors)',
    registers: [this.registry],
  });
  readonly webhookDeliveries = new Counter({
    name: 'banterbox_webhook_deliveries_total',
    help: 'Webhook delivery attempts by result: delivered, retry (failed, due again), gave_up',
    labelNames: ['result'],
    registers: [this.registry],
  });
  readonly webhooksPending = new Gauge({
    name: 'banterbox_webhooks_pending',
    help: 'Webhook deliveries not done yet (due or being attempted), as the sender last saw',
    registers: [this.registry],
  });
  readonly redisLatency = redisCommandDuration(this.registry);

  constructor(sources: TickerGaugeSources) {
    const partitions = Array.from({ length: sources.partitions }, (_, p) => p);
    new Gauge({
      name: 'banterbox_tick_partitions',
      help: 'TICK_PARTITIONS: partitions the rooms are ticked in, each with one leader',
      registers: [this.registry],
      collect() {
        this.set(sources.partitions);
      },
    });
    new Gauge({
      name: 'banterbox_leader',
      help: '1 while this replica leads at least one partition',
      registers: [this.registry],
      collect() {
        this.set(partitions.some((p) => sources.leads(p)) ? 1 : 0);
      },
    });
    new Gauge({
      name: 'banterbox_partitions_led',
      help: 'Partitions this replica leads',
      registers: [this.registry],
      collect() {
        this.set(partitions.filter((p) => sources.leads(p)).length);
      },
    });
    new Gauge({
      name: 'banterbox_partition_leader',
      help: '1 for each partition this replica leads, 0 for the others',
      labelNames: ['partition'],
      registers: [this.registry],
      collect() {
        for (const p of partitions) this.set({ partition: String(p) }, sources.leads(p) ? 1 : 0);
      },
    });
    new Gauge({
      name: 'banterbox_leader_epoch',
      help: "This replica's epoch for each partition it leads",
      labelNames: ['partition'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const p of partitions) if (sources.leads(p)) this.set({ partition: String(p) }, sources.epochOf(p));
      },
    });
  }
}
