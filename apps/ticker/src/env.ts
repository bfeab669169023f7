import { hostname } from 'node:os';
import { EnvReader, readCommon, type CommonConfig, type EnvSource } from '@banterbox/config';
import { PARTITION_COUNTS } from '@banterbox/store';

export interface TickerConfig extends CommonConfig {
  tickerId: string;
  /** Leadership lock TTL: a dead leader is replaced within about this long. */
  leaderTtlMs: number;
  /** TICK_PARTITIONS: rooms are ticked in this many partitions, each with its own leader. */
  tickPartitions: number;
  metricsHost: string;
  /** Prometheus metrics port (0 picks a free one). */
  metricsPort: number;
}

export function readTickerConfig(source: EnvSource): Readonly<TickerConfig> {
  const env = new EnvReader(source);
  const common = readCommon(env);
  const leaderTtlMs = env.int('LEADER_TTL_MS', 5000, { min: 500, max: 120_000 });
  if (leaderTtlMs < common.tickMs * 2) env.problem(`LEADER_TTL_MS (${leaderTtlMs}) must be at least twice TICK_MS (${common.tickMs})`);
  return env.finish({
    ...common,
    tickerId: env.string('TICKER_ID', `${hostname()}-${process.pid}`),
    leaderTtlMs,
    tickPartitions: tickPartitions(env),
    metricsHost: env.string('METRICS_HOST', '0.0.0.0'),
    metricsPort: env.int('METRICS_PORT', 9092, { min: 0, max: 65535 }),
  });
}

function tickPartitions(env: EnvReader): number {
  const partitions = env.int('TICK_PARTITIONS', 16, { min: 1, max: 16 });
  if (!(PARTITION_COUNTS as readonly number[]).includes(partitions))
    env.problem(`TICK_PARTITIONS must be one of ${PARTITION_COUNTS.join(', ')} (it splits 16 activity buckets evenly)`);
  return partitions;
}
