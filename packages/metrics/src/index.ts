import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Logger } from '@banterbox/logger';

export { Counter, Gauge, Histogram, Registry };

/**
 * A registry for one banterbox process, with Node's default metrics (CPU, memory, GC, and the
 * event-loop delay as `nodejs_eventloop_lag_*`) and an `app` label on everything.
 */
export function newRegistry(app: 'gateway' | 'ticker'): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ app });
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
  return registry;
}

/** Buckets for Redis round trips and ticks: 0.1 ms to 2.5 s. */
export const LATENCY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** `banterbox_redis_command_duration_seconds{op}`: Redis round trips by operation, in both apps. */
export function redisCommandDuration(registry: Registry): Histogram<'op'> {
  return new Histogram({
    name: 'banterbox_redis_command_duration_seconds',
    help: 'Redis round trips by operation',
    labelNames: ['op'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
}

export interface MetricsServer {
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * Serves `GET /metrics` on its own port (METRICS_PORT), apart from client traffic, so scraping
 * never competes with sockets and the port can stay inside the cluster.
 */
export async function startMetricsServer(registry: Registry, host: string, port: number, log: Logger): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    registry
      .metrics()
      .then((body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body))
      .catch((error: unknown) => {
        log.warn({ err: error }, 'metrics collection failed');
        res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics collection failed');
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  log.info({ port: bound }, 'metrics listening');
  return {
    port: bound,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
