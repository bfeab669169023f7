import type { us_listen_socket } from 'uWebSockets.js';
import type { Logger } from '@banterbox/logger';
import { startMetricsServer, type MetricsServer } from '@banterbox/metrics';
import { WebhookStore } from '@banterbox/store';
import type { GatewayConfig } from './env';
import type { GatewayFeature } from './feature';
import { mountWireDocs } from './http/wire-docs';
import { mountHealth, type Readiness } from './http/health';
import { drainingGuard } from './http/http';
import { mountNotFound } from './http/not-found';
import { defaultWebDir, loadSite, mountSite } from './http/static-site';
import { closeGradually } from './lifecycle/drain';
import { GatewayLease } from './lifecycle/gateway-lease';
import { openFilesLimit } from './lifecycle/open-files';
import { openRedisLinks } from './lifecycle/redis-links';
import { GatewayMetrics } from './metrics';
import { createPokerFeature } from './poker/poker-feature';
import { Fanout } from './transport/fanout';
import { originPolicy } from './transport/origin';
import { SlowConsumerSweep } from './transport/slow-consumers';
import { closeApp, listen, loadUws } from './transport/uws';
import { createVoteFeature } from './vote/vote-feature';
import { WebhookEvents } from './webhooks/webhook-events';
import { mountWebhookHttp } from './webhooks/webhook-http';

export interface Gateway {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The port listened on (useful with PORT=0). */
  readonly port: number;
  /** The id this gateway's lease and connections are registered under now. */
  readonly id: string;
  /** The port metrics are served on (useful with METRICS_PORT=0). */
  readonly metricsPort: number;
}

export interface GatewayDeps {
  config: Readonly<GatewayConfig>;
  log: Logger;
}

/** Wires one gateway: uWS app, Redis links, the lease, and the vote and poker features. */
export function createGateway({ config, log }: GatewayDeps): Gateway {
  const uws = loadUws(config.allowUwsFallback);
  const app = uws.App();
  const links = openRedisLinks(config.redis, log);
  const metrics = new GatewayMetrics();
  const fanout = new Fanout(app, metrics);
  const lease = new GatewayLease({
    redis: links.redis,
    baseId: config.gatewayId,
    leaseMs: config.gatewayLeaseMs,
    log,
    timer: () => metrics.redisLatency.startTimer({ op: 'lease' }),
    counters: { fenced: (reason) => metrics.fenced(reason), reasserted: () => metrics.reasserted() },
  });
  let draining = false;
  // No socket before the lease was first registered: nothing could be written for it (and nothing
  // is written without a live grant). After that sockets are taken during a Redis outage too, into
  // rooms this gateway holds; what they do is re-asserted under a new id when Redis is back.
  const refusal = (): string | undefined => (draining ? 'draining' : lease.registered ? undefined : 'not ready');
  const upgrade = { originAllowed: originPolicy(config.allowedOrigins), refusal };
  const deps = {
    config,
    redis: links.redis,
    subscriber: links.subscriber,
    channels: links.channels,
    identity: lease,
    fanout,
    metrics,
    upgrade,
    webhooks: new WebhookEvents(
      config.webhooks.urls.length > 0 ? new WebhookStore(links.redis) : undefined,
      config.webhooks,
      config.roomTtlMs,
      log.child({ component: 'webhooks' }),
    ),
    log,
  };
  const features: GatewayFeature[] = [createVoteFeature({ ...deps, activity: lease }), createPokerFeature(deps)];
  const openSockets = () => features.flatMap((feature) => [...feature.sockets()]);
  const sweep = new SlowConsumerSweep({ sockets: openSockets, limitBytes: config.maxBackpressureBytes, slowMs: config.slowConsumerMs });
  const readiness = (): Readiness => ({
    ready: links.ready() && lease.isLive && !draining,
    checks: { ...links.status(), lease: lease.isLive, draining },
  });
  metrics.bindGauges({
    endpoint: (endpoint) => features.find((feature) => feature.endpoint === endpoint)!.gauges(),
    slowConsumers: () => sweep.slow,
    ready: () => readiness().ready,
    draining: () => draining,
  });

  mountHealth(app, readiness);
  const routes = drainingGuard(app, () => draining);
  for (const feature of features) feature.mount(app, routes);
  mountWireDocs(routes);
  mountWebhookHttp(routes, {
    redis: links.redis,
    config: config.webhooks,
    adminKey: config.adminKey,
    log: log.child({ component: 'webhooks' }),
  });
  const site = loadSite(config.webDir ?? defaultWebDir());
  if (typeof site === 'string') log.warn({ reason: site }, 'web client not served');
  // Pages need no Redis: served while draining too, on a connection then closed (see mountSite).
  else mountSite(app, site, config.secrets, () => draining);
  mountNotFound(routes, config.secrets);

  let listenSocket: us_listen_socket | undefined;
  let port = 0;
  let metricsServer: MetricsServer | undefined;
  let stopped: Promise<void> | undefined;

  /** Listens at once (probes see /readyz 503), then waits for a usable Redis, however long. */
  async function start(): Promise<void> {
    metricsServer = await startMetricsServer(metrics.registry, config.metricsHost, config.metricsPort, log);
    ({ socket: listenSocket, port } = await listen(uws, app, config.host, config.port));
    log.info({ port }, 'gateway answering probes; waiting for Redis');
    await links.untilUsable();
    if (stopped) return;
    await lease.start(features);
    for (const feature of features) feature.start();
    sweep.start();
    // Every socket is an open file: the limit is this gateway's ceiling (docs/operations.md).
    const openFiles = openFilesLimit();
    log.info(
      { port, gatewayId: lease.id, openFiles: openFiles && { soft: String(openFiles.soft), hard: String(openFiles.hard) } },
      'gateway listening',
    );
    if (config.production && openFiles && openFiles.soft < 65_536)
      log.warn(
        { openFiles: openFiles.soft },
        'open-file limit below 65536: this gateway can hold fewer sockets than that; raise it (docs/operations.md, "Nodes and kernel")',
      );
  }

  /**
   * The drain (SIGTERM): at once not ready (/readyz 503) and no new sockets (upgrades and HTTP
   * get 503), then sockets closed gradually while the lease is still renewed (the users still
   * connected keep counting), the listen socket closed, pending writes finished, the lease
   * released (left to expire when a feature's writes failed, so the reaper takes them out), Redis
   * closed. A failed drain skips none of the steps after it.
   */
  async function shutdown(): Promise<void> {
    draining = true;
    sweep.stop();
    await closeGradually(openSockets, config.drainMs, log);
    // Listening until now lets probes and load balancers see 503s instead of refused connections.
    if (listenSocket) uws.us_listen_socket_close(listenSocket);
    listenSocket = undefined;
    lease.stop();
    let drained = true;
    for (const feature of features) {
      // One feature's failed drain must not keep the others from draining, nor skip what follows.
      await feature.drain().catch((err: unknown) => {
        drained = false;
        log.error(
          { err, endpoint: feature.endpoint },
          'drain failed: the lease is left to expire, so the reaper takes out what was not written',
        );
      });
    }
    // Kept-alive HTTP connections would otherwise go on reaching a gateway that left Redis.
    closeApp(app);
    // Released only when everything was written: a release forgets the rooms the reaper would clean.
    if (drained) await lease.release();
    links.close();
    await metricsServer?.stop();
    log.info({ gatewayId: lease.id }, 'gateway stopped');
  }

  return {
    start,
    stop: () => (stopped ??= shutdown()),
    get port() {
      return port;
    },
    get id() {
      return lease.id;
    },
    get metricsPort() {
      return metricsServer?.port ?? 0;
    },
  };
}
