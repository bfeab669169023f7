import { randomBytes } from 'node:crypto';
import { describeTopology } from '@banterbox/config';
import { PartitionLeadership } from '@banterbox/leader';
import type { Logger } from '@banterbox/logger';
import { startMetricsServer, type MetricsServer } from '@banterbox/metrics';
import { PokerLimits } from '@banterbox/protocol';
import {
  PokerStore,
  TopologyWatch,
  UserStore,
  VoteStore,
  WebhookStore,
  connectRedis,
  redisTimeMs,
  registerScripts,
} from '@banterbox/store';
import { Chores } from './chores/chores';
import { GatewayReaper } from './chores/gateway-reaper';
import { UserExpiry } from './chores/user-expiry';
import type { TickerConfig } from './env';
import { TickerMetrics } from './metrics';
import { PartitionTicker } from './tick/partition-ticker';
import { TickClock } from './tick/tick-clock';
import { TickRound } from './tick/tick-round';
import { WebhookSender } from './webhooks/webhook-sender';

export interface Ticker {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Whether this replica leads at least one partition. */
  isLeader(): boolean;
  /** The tick partitions this replica leads now. */
  ledPartitions(): number[];
  readonly metrics: TickerMetrics;
  /** The port metrics are served on (useful with METRICS_PORT=0). */
  readonly metricsPort: number;
}

export interface TickerDeps {
  config: Readonly<TickerConfig>;
  log: Logger;
}

/**
 * One ticker replica, wired: the tick clock runs a TickRound (tick/) over the partitions this
 * replica leads; the leader of partition 0 then runs the chores (chores/), and delivers webhook
 * events on a loop of its own (webhooks/). Every replica
 * campaigns for partitions once the Redis topology is usable.
 */
export function createTicker({ config, log }: TickerDeps): Ticker {
  const redis = registerScripts(connectRedis(config.redis, { name: 'ticker-cmd', queueWhileDisconnected: false }));
  const leaderRedis = connectRedis(config.redis, { name: 'ticker-leader', queueWhileDisconnected: false });
  // A random suffix keeps replicas apart even when they share a TICKER_ID (or a host name and pid).
  const replicaId = `${config.tickerId}-${randomBytes(3).toString('hex')}`;
  const leadership = new PartitionLeadership({
    redis: leaderRedis,
    id: replicaId,
    ttlMs: config.leaderTtlMs,
    partitions: config.tickPartitions,
    log,
  });
  const metrics = new TickerMetrics({
    partitions: config.tickPartitions,
    leads: (p) => leadership.leads(p),
    epochOf: (p) => leadership.epochOf(p),
  });
  const settings = { historyLimit: config.historyLimit, roomTtlMs: config.roomTtlMs };
  const stores = {
    votes: new VoteStore(redis, settings),
    poker: new PokerStore(redis, {
      roomTtlMs: config.roomTtlMs,
      maxMembers: PokerLimits.maxRoomMembers,
      roundsKept: PokerLimits.roundsKept,
      rejoinGraceMs: config.pokerRejoinGraceMs,
    }),
    users: new UserStore(redis, config.userTtlMs),
  };
  const webhookStore = config.webhooks.urls.length > 0 ? new WebhookStore(redis) : undefined;
  const chores = new Chores(
    [new GatewayReaper(stores, metrics, log), new UserExpiry(stores.users, stores.poker, metrics, log, webhookStore)],
    leadership,
    metrics,
    log,
  );
  const webhooks = new WebhookSender(
    webhookStore ?? new WebhookStore(redis),
    config.webhooks,
    leadership,
    () => redisTimeMs(redis),
    metrics,
    log,
  );
  const partitions = new PartitionTicker({
    redis,
    leadership,
    metrics,
    settings,
    partitions: config.tickPartitions,
    activeForMs: 2 * config.gatewayLeaseMs,
  });
  const round = new TickRound({ redis, leadership, partitions, metrics, log, afterPublish: (redisNow) => chores.start(redisNow) });
  const clock = new TickClock(
    config.tickMs,
    (ts, lagMs) => round.run(ts, lagMs),
    (err, ts) => log.error({ err, ts }, 'tick threw'),
  );
  const watch = new TopologyWatch([redis, leaderRedis], describeTopology(config.redis), log);
  let metricsServer: MetricsServer | undefined;
  let stopped: Promise<void> | undefined;

  async function start(): Promise<void> {
    metricsServer = await startMetricsServer(metrics.registry, config.metricsHost, config.metricsPort, log);
    // However long it takes: a wrong topology is logged once, and this replica never campaigns on it.
    await watch.untilUsable();
    if (stopped) return;
    leadership.start();
    clock.start();
    webhooks.start();
    log.info({ tickerId: replicaId, tickMs: config.tickMs, partitions: config.tickPartitions }, 'ticker started');
  }

  async function shutdown(): Promise<void> {
    clock.stop();
    watch.close();
    await chores.stop();
    await webhooks.stop();
    await leadership.stop();
    redis.disconnect();
    leaderRedis.disconnect();
    await metricsServer?.stop();
    log.info('ticker stopped');
  }

  return {
    start,
    stop: () => (stopped ??= shutdown()),
    isLeader: () => leadership.led().length > 0,
    ledPartitions: () => leadership.led(),
    metrics,
    get metricsPort() {
      return metricsServer?.port ?? 0;
    },
  };
}
