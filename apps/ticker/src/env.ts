import { hostname } from 'node:os';
import { EnvReader, readCommon, type CommonConfig, type EnvSource } from '@banterbox/config';

export interface TickerConfig extends CommonConfig {
  tickerId: string;
  /** Leadership lock TTL: a dead leader is replaced within about this long. */
  leaderTtlMs: number;
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
    metricsHost: env.string('METRICS_HOST', '0.0.0.0'),
    metricsPort: env.int('METRICS_PORT', 9092, { min: 0, max: 65535 }),
  });
}
