import { randomBytes } from 'node:crypto';
import type { TemplatedApp, us_listen_socket } from 'uWebSockets.js';
import type { Logger } from '@banterbox/logger';
import { startMetricsServer, type MetricsServer } from '@banterbox/metrics';
import { CloseCode, PokerLimits, pokerFrame } from '@banterbox/protocol';
import {
  PokerStore,
  UserStore,
  VoteStore,
  connectRedis,
  execPipeline,
  registerScripts,
  releaseLease,
  renewLease,
  whenReady,
  type Redis,
  type ScriptedRedis,
} from '@banterbox/store';
import type { GatewayConfig } from './env';
import { drainingGuard } from './http';
import { mountHealth, mountHttpApi } from './http-api';
import { originPolicy } from './origin';
import { PokerHandler } from './poker-handler';
import { mountPokerHttp } from './poker-http';
import { PokerRooms, type PokerSocket } from './poker-rooms';
import { HEARTBEAT_TOPIC, pokerSocketBehavior } from './poker-socket';
import { ensureSession, sessionRequest } from './session';
import { defaultWebDir, loadSite, mountSite } from './static-site';
import { GatewayMetrics } from './metrics';
import { loadUws } from './uws';
import { VoteRooms } from './vote-rooms';
import { voteSocketBehavior, type VoteSocket } from './vote-socket';
import { VoteWriter } from './vote-writer';

export interface Gateway {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The port listened on (useful with PORT=0). */
  readonly port: number;
  /** The id this gateway's lease and connections are registered under now. */
  readonly id: string;
  readonly writer: VoteWriter;
  readonly rooms: VoteRooms;
  readonly pokerRooms: PokerRooms;
  readonly metrics: GatewayMetrics;
  /** The port metrics are served on (useful with METRICS_PORT=0). */
  readonly metricsPort: number;
}

export interface GatewayDeps {
  config: Readonly<GatewayConfig>;
  log: Logger;
}

const SLOW_SWEEP_MS = 2_000;
/** While draining, sockets are closed in steps at least this far apart, spread over DRAIN_MS. */
const DRAIN_STEP_MS = 100;

function newGatewayId(base: string): string {
  return `${base}-${randomBytes(4).toString('hex')}`;
}

/** Wires one gateway: uWS app, Redis connections, vote rooms, batching, lease and resync. */
export function createGateway({ config, log }: GatewayDeps): Gateway {
  const uws = loadUws(config.allowUwsFallback);
  const app: TemplatedApp = uws.App();
  const redis: ScriptedRedis = registerScripts(connectRedis(config.redisUrl, { name: 'gateway-cmd', queueWhileDisconnected: false }));
  const subscriber: Redis = connectRedis(config.redisUrl, { name: 'gateway-sub', queueWhileDisconnected: true });
  const store = new VoteStore(redis, { historyLimit: config.historyLimit, roomTtlMs: config.roomTtlMs });
  const poker = new PokerStore(redis, { roomTtlMs: config.roomTtlMs, maxMembers: PokerLimits.maxRoomMembers, roundsKept: PokerLimits.roundsKept });
  const users = new UserStore(redis, config.userTtlMs);
  const sockets = new Set<VoteSocket>();
  const pokerSockets = new Set<PokerSocket>();
  /** Redis writes of closed poker sockets, awaited before the gateway leaves Redis. */
  const pokerWork = new Set<Promise<unknown>>();
  let gatewayId = newGatewayId(config.gatewayId);
  let listenSocket: us_listen_socket | undefined;
  let port = 0;
  let draining = false;
  let stopped: Promise<void> | undefined;
  let leaseLive = false;
  let everReady = false;
  let resyncing: Promise<void> | undefined;
  /** Set when a resync failed part-way; the next lease renewal runs it again. */
  let resyncPending = false;
  let leaseTimer: NodeJS.Timeout | undefined;
  let sweepTimer: NodeJS.Timeout | undefined;
  let heartbeatTimer: NodeJS.Timeout | undefined;
  let subscriberEverReady = false;
  let metricsServer: MetricsServer | undefined;
  let slowSockets = 0;

  const readiness = (): { ready: boolean; checks: Record<string, unknown> } => {
    const checks = { redis: redis.status, subscriber: subscriber.status, lease: leaseLive, draining };
    return { ready: redis.status === 'ready' && subscriber.status === 'ready' && leaseLive && !draining, checks };
  };
  const metrics: GatewayMetrics = new GatewayMetrics({
    connections: (endpoint) => (endpoint === 'vote' ? sockets.size : pokerSockets.size),
    sessions: (endpoint) => (endpoint === 'vote' ? [...sockets].filter((ws) => ws.getUserData().phase === 'joined').length : pokerSockets.size),
    rooms: (kind) => (kind === 'vote' ? rooms.all().length : pokerRooms.all().length),
    slowConsumers: () => slowSockets,
    ready: () => readiness().ready,
    draining: () => draining,
  });
  const rooms: VoteRooms = new VoteRooms(app, store, subscriber, config.historyLimit, log.child({ component: 'rooms' }), metrics);
  const pokerRooms = new PokerRooms(app, poker, subscriber, log.child({ component: 'poker-rooms' }), metrics);
  const pokerHandler = new PokerHandler({
    rooms: pokerRooms,
    poker,
    users,
    gatewayId: () => gatewayId,
    log: log.child({ component: 'poker' }),
    redisTimer: (op) => metrics.redisLatency.startTimer({ op }),
  });
  const writer = new VoteWriter({
    store,
    gatewayId: () => gatewayId,
    leaseMs: config.gatewayLeaseMs,
    flushMs: config.voteFlushMs,
    log: log.child({ component: 'writer' }),
    onLeaseLost: () => void resync('lease lost'),
    onBatch: (ops, applied, seconds) => {
      metrics.batch(ops, applied);
      metrics.redisLatency.observe({ op: 'vote_batch' }, seconds);
    },
    onDropped: (ops) => metrics.dropped(ops),
  });

  redis.on('error', (error: Error) => log.warn({ err: error.message }, 'redis command connection error'));
  subscriber.on('error', (error: Error) => log.warn({ err: error.message }, 'redis subscriber connection error'));
  redis.on('ready', () => {
    if (everReady) void resync('redis reconnected');
    everReady = true;
  });
  subscriber.on('ready', () => {
    if (subscriberEverReady) {
      pokerRooms.verify().catch((error: unknown) => log.warn({ err: error }, 'poker rooms could not be verified after reconnecting'));
    }
    subscriberEverReady = true;
  });

  /**
   * Re-asserts everything this gateway holds: room meta, its lease (under a new id if the old one
   * was lost or reaped), and every local user's connections and standing vote. Idempotent, so it
   * repairs Redis after a restart with data loss, a missed batch, or a lease that lapsed.
   */
  function resync(reason: string): Promise<void> {
    resyncing ??= (async () => {
      try {
        const held = rooms.all();
        const ensure = store.pipeline();
        for (const room of held) store.addEnsureRoom(ensure, room.id, room.meta);
        await execPipeline(ensure);
        if (!(await renewLease(redis, gatewayId, config.gatewayLeaseMs, 'renew', []))) {
          gatewayId = newGatewayId(config.gatewayId);
          await renewLease(redis, gatewayId, config.gatewayLeaseMs, 'register', []);
          log.warn({ gatewayId, reason }, 'gateway lease lost; registered under a new id');
        }
        leaseLive = true;
        for (const room of held) {
          writer.touchRoom(room.id);
          for (const [userId, user] of room.users) {
            writer.push(room.id, { op: 'S', user: userId, count: user.connections });
            if (user.vote) writer.push(room.id, { op: 'V', user: userId, value: user.vote.value, ts: user.vote.ts });
          }
        }
        await writer.drain();
        await pokerHandler.reassert(pokerSockets);
        resyncPending = false;
        log.info({ reason, rooms: held.length, gatewayId }, 'gateway state re-asserted');
      } catch (error) {
        log.warn({ err: error, reason }, 'resync failed; will retry on the next lease renewal');
        leaseLive = false;
        resyncPending = true;
      } finally {
        resyncing = undefined;
      }
    })();
    return resyncing;
  }

  async function renewLoop(): Promise<void> {
    if (redis.status !== 'ready') return;
    try {
      const done = metrics.redisLatency.startTimer({ op: 'lease' });
      const live = await renewLease(redis, gatewayId, config.gatewayLeaseMs, 'renew', rooms.all().map((r) => r.id));
      done();
      if (!live) await resync('lease expired');
      else if (resyncPending) await resync('retrying a failed resync');
      else leaseLive = true;
    } catch (error) {
      leaseLive = false;
      log.warn({ err: error }, 'lease renewal failed');
    }
  }

  /** Closes sockets whose send buffer stayed over the backpressure limit for too long. */
  function sweepSlowConsumers(): void {
    const now = Date.now();
    slowSockets = 0;
    for (const ws of [...sockets, ...pokerSockets]) {
      const data = ws.getUserData();
      if (ws.getBufferedAmount() < config.maxBackpressureBytes) {
        data.slowSince = undefined;
        continue;
      }
      slowSockets += 1;
      if (data.slowSince === undefined) {
        data.slowSince = now;
      } else if (now - data.slowSince >= config.slowConsumerMs) {
        ws.end(CloseCode.SlowConsumer, 'too slow');
      }
    }
  }

  app.ws('/api/vote_ws/', voteSocketBehavior({
    secret: config.secret,
    rooms,
    writer,
    log: log.child({ component: 'vote_ws' }),
    maxBackpressureBytes: config.maxBackpressureBytes,
    metrics,
    originAllowed: originPolicy(config.allowedOrigins),
    accepting: () => !draining,
    sockets,
  }));
  app.ws('/connect', pokerSocketBehavior({
    secret: config.secret,
    handler: pokerHandler,
    rooms: pokerRooms,
    users,
    gatewayId: () => gatewayId,
    log: log.child({ component: 'connect' }),
    maxBackpressureBytes: config.maxBackpressureBytes,
    metrics,
    originAllowed: originPolicy(config.allowedOrigins),
    accepting: () => !draining,
    sockets: pokerSockets,
    track: (work) => {
      pokerWork.add(work);
      void work.finally(() => pokerWork.delete(work));
    },
  }));
  mountHealth(app, readiness);
  const routes = drainingGuard(app, () => draining);
  mountHttpApi(routes, { store, secret: config.secret, adminKey: config.adminKey, tickMs: config.tickMs, demoRoom: config.demoRoom });
  const site = loadSite(config.webDir ?? defaultWebDir());
  if (typeof site === 'string') log.warn({ reason: site }, 'web client not served');
  else mountSite(routes, site, config.secret);
  mountPokerHttp(routes, { poker, secret: config.secret });
  routes.get('/*', (res, req) => {
    // Any page a browser loads gets the session cookie (SPEC §4), a 404 included.
    const session = sessionRequest(req);
    res.writeStatus('404 Not Found');
    ensureSession(res, session, config.secret);
    res.writeHeader('content-type', 'application/json').end('{"error":"not found"}');
  });
  routes.any('/*', (res) => {
    res.writeStatus('404 Not Found').writeHeader('content-type', 'application/json').end('{"error":"not found"}');
  });

  async function start(): Promise<void> {
    await Promise.all([whenReady(redis, 15_000), whenReady(subscriber, 15_000)]);
    await renewLease(redis, gatewayId, config.gatewayLeaseMs, 'register', []);
    leaseLive = true;
    everReady = true;
    leaseTimer = setInterval(() => void renewLoop(), Math.max(100, Math.floor(config.gatewayLeaseMs / 3)));
    sweepTimer = setInterval(sweepSlowConsumers, SLOW_SWEEP_MS);
    heartbeatTimer = setInterval(() => metrics.publish(app, 'poker', HEARTBEAT_TOPIC, pokerFrame({ event: 'heartbeat' })), config.heartbeatMs);
    metricsServer = await startMetricsServer(metrics.registry, config.metricsHost, config.metricsPort, log);
    await new Promise<void>((resolve, reject) => {
      app.listen(config.host, config.port, (socket) => {
        if (!socket) {
          reject(new Error(`could not listen on ${config.host}:${config.port}`));
          return;
        }
        listenSocket = socket;
        port = uws.us_socket_local_port(socket);
        resolve();
      });
    });
    log.info({ port, gatewayId }, 'gateway listening');
  }

  /**
   * Closes every socket with 1012, spread over DRAIN_MS in steps, so clients reconnect to other
   * gateways gradually instead of all at once. The lease keeps being renewed meanwhile, so the
   * users still connected keep counting.
   */
  async function closeSocketsGradually(): Promise<void> {
    const all = [...sockets, ...pokerSockets];
    const steps = Math.max(1, Math.min(all.length, Math.floor(config.drainMs / DRAIN_STEP_MS)));
    log.info({ sockets: all.length, drainMs: config.drainMs }, 'draining: closing sockets');
    for (let step = 0; step < steps; step += 1) {
      const batch = all.slice(Math.floor((step * all.length) / steps), Math.floor(((step + 1) * all.length) / steps));
      for (const ws of batch) {
        if (sockets.has(ws as VoteSocket) || pokerSockets.has(ws as PokerSocket)) ws.end(CloseCode.ServiceRestart, 'gateway restarting');
      }
      if (step < steps - 1) await new Promise((resolve) => setTimeout(resolve, config.drainMs / steps));
    }
  }

  /**
   * The drain (SIGTERM): at once not ready (/readyz 503) and no new sockets (upgrades and HTTP
   * get 503), then sockets closed gradually, the listen socket closed, pending votes and leaves
   * written, the lease released, Redis closed.
   */
  async function shutdown(): Promise<void> {
    draining = true;
    clearInterval(sweepTimer);
    clearInterval(heartbeatTimer);
    await closeSocketsGradually();
    // Listening until now lets probes and load balancers see 503s instead of refused connections.
    if (listenSocket) uws.us_listen_socket_close(listenSocket);
    listenSocket = undefined;
    clearInterval(leaseTimer);
    await writer.drain();
    await Promise.all([...pokerWork]);
    if (redis.status === 'ready') await releaseLease(redis, gatewayId).catch(() => undefined);
    redis.disconnect();
    subscriber.disconnect();
    await metricsServer?.stop();
    log.info({ gatewayId, ...writer.stats }, 'gateway stopped');
  }

  return {
    start,
    stop: () => (stopped ??= shutdown()),
    get port() {
      return port;
    },
    get id() {
      return gatewayId;
    },
    writer,
    rooms,
    pokerRooms,
    metrics,
    get metricsPort() {
      return metricsServer?.port ?? 0;
    },
  };
}
