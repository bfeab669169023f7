import { randomBytes } from 'node:crypto';
import { PartitionLeadership } from '@banterbox/leader';
import type { Logger } from '@banterbox/logger';
import { startMetricsServer, type MetricsServer } from '@banterbox/metrics';
import { PokerLimits } from '@banterbox/protocol';
import {
  PokerStore,
  UserStore,
  VoteStore,
  activeRooms,
  partitionBuckets,
  connectRedis,
  expiredGateways,
  reapGateway,
  redisTimeMs,
  registerScripts,
  TickResult,
  TopologyWatch,
  type RedisClient,
  type Stores,
} from '@banterbox/store';
import { describeTopology } from '@banterbox/config';
import type { TickerConfig } from './env';
import { TickerMetrics } from './metrics';
import { TickClock } from './tick-clock';

/** Rooms ticked per pipeline; leadership is re-checked between chunks. */
const ROOMS_PER_PIPELINE = 1000;
/** Dead gateways reaped per tick at most (each can take a while for big rooms). */
const REAP_PER_TICK = 8;
/** Poker users checked for expiry per tick at most. */
const EXPIRE_PER_TICK = 200;

export interface TickStats {
  ticks: number;
  stored: number;
  fenced: number;
  lastTs: number;
  lastDurationMs: number;
  gatewaysReaped: number;
  usersExpired: number;
  pokerRoomsClosed: number;
}

export interface Ticker {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Whether this replica leads at least one partition. */
  isLeader(): boolean;
  /** The tick partitions this replica leads now. */
  ledPartitions(): number[];
  readonly stats: TickStats;
  readonly metrics: TickerMetrics;
  /** The port metrics are served on (useful with METRICS_PORT=0). */
  readonly metricsPort: number;
}

export interface TickerDeps {
  config: Readonly<TickerConfig>;
  log: Logger;
}

/**
 * One ticker replica. Every replica runs the tick clock and acts only for the tick partitions it
 * leads: for each, it stores and publishes every active room's point through the fenced tickRooms
 * script with that partition's epoch. The leader of partition 0 also reaps dead gateways and
 * expires poker users.
 */
export function createTicker({ config, log }: TickerDeps): Ticker {
  const redis = registerScripts(connectRedis(config.redis, { name: 'ticker-cmd', queueWhileDisconnected: false }));
  const leaderRedis: RedisClient = connectRedis(config.redis, { name: 'ticker-leader', queueWhileDisconnected: false });
  const store = new VoteStore(redis, { historyLimit: config.historyLimit, roomTtlMs: config.roomTtlMs });
  const stores: Stores = {
    votes: store,
    poker: new PokerStore(redis, { roomTtlMs: config.roomTtlMs, maxMembers: PokerLimits.maxRoomMembers, roundsKept: PokerLimits.roundsKept, rejoinGraceMs: config.pokerRejoinGraceMs }),
    users: new UserStore(redis, config.userTtlMs),
  };
  // A random suffix keeps replicas apart even when they share a TICKER_ID (or a host name and pid).
  const replicaId = `${config.tickerId}-${randomBytes(3).toString('hex')}`;
  const leadership = new PartitionLeadership({ redis: leaderRedis, id: replicaId, ttlMs: config.leaderTtlMs, partitions: config.tickPartitions, log });
  const stats: TickStats = { ticks: 0, stored: 0, fenced: 0, lastTs: 0, lastDurationMs: 0, gatewaysReaped: 0, usersExpired: 0, pokerRoomsClosed: 0 };
  let stopped: Promise<void> | undefined;
  let metricsServer: MetricsServer | undefined;
  const metrics = new TickerMetrics({ partitions: config.tickPartitions, leads: (p) => leadership.leads(p), epochOf: (p) => leadership.epochOf(p) });

  const watch = new TopologyWatch([redis, leaderRedis], describeTopology(config.redis), log);

  async function reapDeadGateways(redisNow: number): Promise<void> {
    for (const gatewayId of await expiredGateways(redis, redisNow, REAP_PER_TICK)) {
      const released = await reapGateway(stores, gatewayId);
      stats.gatewaysReaped += 1;
      metrics.gatewaysReaped.inc();
      log.info({ gatewayId, released }, 'reaped dead gateway');
    }
  }

  /** Expires poker users whose lifetime ran out: rooms they own close, others they leave. */
  async function expireUsers(redisNow: number): Promise<void> {
    for (const { userId, score } of await stores.users.due(redisNow, EXPIRE_PER_TICK)) {
      const found = await stores.users.expire(userId);
      if (found.state === 'later') {
        await stores.users.reschedule(userId, found.expiresAt);
        continue;
      }
      if (found.state === 'expired') {
        let closed = 0;
        for (const roomId of found.rooms) if (await stores.poker.expireUser(roomId, userId)) closed += 1;
        stats.usersExpired += 1;
        stats.pokerRoomsClosed += closed;
        metrics.usersExpired.inc();
        metrics.pokerRoomsClosed.inc(closed);
        log.debug({ userId, rooms: found.rooms.length, closed }, 'poker user expired');
      }
      await stores.users.unschedule(userId, score);
    }
  }

  async function tickRooms(partition: number, ts: number, epoch: number, rooms: string[]): Promise<{ stored: number; fenced: number }> {
    let stored = 0;
    let fenced = 0;
    for (let start = 0; start < rooms.length; start += ROOMS_PER_PIPELINE) {
      if (!leadership.leads(partition)) break;
      const done = metrics.redisLatency.startTimer({ op: 'tick_rooms' });
      const ticked = await store.tick(rooms.slice(start, start + ROOMS_PER_PIPELINE), epoch, ts);
      done();
      for (const result of ticked) {
        if (result === TickResult.Stored) stored += 1;
        else if (result === TickResult.Fenced) fenced += 1;
      }
      if (fenced > 0) break;
    }
    return { stored, fenced };
  }

  /** Ticks the active rooms of one partition this replica leads, with that partition's epoch. */
  async function tickPartition(partition: number, ts: number, redisNow: number): Promise<{ rooms: number; stored: number; fenced: number }> {
    const epoch = leadership.epochOf(partition);
    const rooms = await activeRooms(redis, partitionBuckets(partition, config.tickPartitions), redisNow - 2 * config.gatewayLeaseMs);
    const { stored, fenced } = await tickRooms(partition, ts, epoch, rooms);
    if (fenced > 0) leadership.stepDown(partition, `fenced: a leader with a newer epoch than ${epoch} ticked these rooms`);
    return { rooms: rooms.length, stored, fenced };
  }

  async function onTick(ts: number, lagMs: number): Promise<void> {
    const led = leadership.led();
    if (led.length === 0 || redis.status !== 'ready') return;
    const started = Date.now();
    try {
      const redisNow = await redisTimeMs(redis);
      // Deployment-wide chores go with partition 0, so exactly one replica does them.
      if (led.includes(0)) {
        await reapDeadGateways(redisNow);
        await expireUsers(redisNow);
      }
      const results = await Promise.all(led.map((partition) => tickPartition(partition, ts, redisNow)));
      const rooms = results.reduce((sum, r) => sum + r.rooms, 0);
      const stored = results.reduce((sum, r) => sum + r.stored, 0);
      const fenced = results.reduce((sum, r) => sum + r.fenced, 0);
      stats.ticks += 1;
      stats.stored += stored;
      stats.fenced += fenced;
      stats.lastTs = ts;
      stats.lastDurationMs = Date.now() - started;
      metrics.ticks.inc();
      metrics.stored.inc(stored);
      metrics.fenced.inc(fenced);
      metrics.activeRooms.set(rooms);
      metrics.lastTick.set(ts / 1000);
      metrics.tickLag.observe(lagMs / 1000);
      metrics.tickDuration.observe(stats.lastDurationMs / 1000);
      log.debug({ ts, partitions: led, rooms, stored, fenced, lagMs, durationMs: stats.lastDurationMs }, 'tick');
    } catch (error) {
      metrics.tickFailures.inc();
      log.warn({ err: error, ts }, 'tick failed');
    }
  }

  const clock = new TickClock(config.tickMs, onTick, (err, ts) => log.error({ err, ts }, 'tick threw'));

  async function start(): Promise<void> {
    metricsServer = await startMetricsServer(metrics.registry, config.metricsHost, config.metricsPort, log);
    // However long it takes: a wrong topology is logged once, and this replica never campaigns on it.
    await watch.untilUsable();
    if (stopped) return;
    leadership.start();
    clock.start();
    log.info({ tickerId: replicaId, tickMs: config.tickMs, partitions: config.tickPartitions }, 'ticker started');
  }

  async function shutdown(): Promise<void> {
    clock.stop();
    watch.close();
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
    stats,
    metrics,
    get metricsPort() {
      return metricsServer?.port ?? 0;
    },
  };
}
