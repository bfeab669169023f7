import { join } from 'node:path';
import { AppProcess, GATEWAY_NODE_FLAGS, freePort, type LocalTopology } from '@banterbox/local-stack';
import { testEnv } from './harness';
import { eventually } from './ws-client';

const ROOT = join(__dirname, '..', '..', '..');
const GATEWAY_MAIN = join(ROOT, 'apps', 'gateway', 'dist', 'main.js');
export const TICKER_MAIN = join(ROOT, 'apps', 'ticker', 'dist', 'main.js');

/** A gateway process with `env`, as the image starts it: `node <GATEWAY_NODE_FLAGS> apps/gateway/dist/main.js`. */
export function gatewayProcess(env: Record<string, string>, nodeArgs: readonly string[] = [], prefix: readonly string[] = []): AppProcess {
  return AppProcess.start(GATEWAY_MAIN, env, [...GATEWAY_NODE_FLAGS, ...nodeArgs], prefix);
}

/** Anything a test client can reach a gateway through: an in-process gateway or a process. */
export interface Reachable {
  readonly port: number;
  /** `ws://<address>:<port>` when it is not on 127.0.0.1 (a test host of its own). */
  readonly ws?: string;
}

/** A gateway started as the image starts it: `node <GATEWAY_NODE_FLAGS> apps/gateway/dist/main.js`, env only. */
export interface GatewayProcess extends Reachable {
  proc: AppProcess;
  port: number;
  /** `http://127.0.0.1:<port>` */
  http: string;
  /** `ws://127.0.0.1:<port>` */
  ws: string;
}

/** Env for an app process: the topology's, the test defaults, and `extra`; logs at debug so tests can wait for lines. */
export function processEnv(redis: LocalTopology, extra: Record<string, string> = {}): Record<string, string> {
  return testEnv(redis, { LOG_LEVEL: 'debug', ...extra });
}

/** An app process a suite starts in beforeAll and stops in afterAll, as `createX` objects are. */
export interface RunningApp extends Reachable {
  proc: AppProcess;
  /** SIGTERM (the drain), then waits for the exit; SIGKILL if it does not exit in time. */
  stop(): Promise<void>;
}

function running(proc: AppProcess, port: number): RunningApp {
  return {
    proc,
    port,
    stop: () => proc.stop(),
  };
}

/**
 * The protocol suites' gateway: a process (`node apps/gateway/dist/main.js`, env only, real
 * sockets), ready when this resolves. Logs at info unless `extra` says otherwise.
 */
export async function startGatewayApp(redis: LocalTopology, extra: Record<string, string> = {}): Promise<RunningApp> {
  const gateway = await startGatewayProcess(redis, { LOG_LEVEL: 'info', ...extra });
  return running(gateway.proc, gateway.port);
}

/** The protocol suites' ticker: a process, started when this resolves. */
export async function startTickerApp(redis: LocalTopology, extra: Record<string, string> = {}): Promise<RunningApp> {
  return running(await startTickerProcess(redis, { LOG_LEVEL: 'info', ...extra }), 0);
}

/**
 * Starts a gateway process on a free port (or `extra.PORT`); resolves once it is spawned (not yet ready). `where`
 * runs it on another test host (a network namespace): its command prefix and its address.
 */
export async function spawnGateway(
  redis: LocalTopology,
  extra: Record<string, string> = {},
  nodeArgs: string[] = [],
  where: { prefix: string[]; address: string } = { prefix: [], address: '127.0.0.1' },
): Promise<GatewayProcess> {
  // A test that restarts a gateway on the same address names the port (PORT in extra).
  const port = extra.PORT === undefined ? await freePort() : Number(extra.PORT);
  const env = processEnv(redis, {
    PORT: String(port),
    ...(where.prefix.length > 0 ? { HOST: '0.0.0.0', METRICS_HOST: '0.0.0.0' } : {}),
    ...extra,
  });
  const proc = gatewayProcess(env, nodeArgs, where.prefix);
  return { proc, port, http: `http://${where.address}:${port}`, ws: `ws://${where.address}:${port}` };
}

/** Starts a gateway process and waits until its /readyz answers 200. */
export async function startGatewayProcess(
  redis: LocalTopology,
  extra: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<GatewayProcess> {
  const gateway = await spawnGateway(redis, extra, nodeArgs);
  await untilStatus(gateway, '/readyz', 200, 15_000);
  return gateway;
}

/** Starts a ticker process and waits for its `ticker started` line. */
export async function startTickerProcess(redis: LocalTopology, extra: Record<string, string> = {}): Promise<AppProcess> {
  const proc = AppProcess.start(TICKER_MAIN, processEnv(redis, extra));
  await proc.waitForLog('ticker started', 15_000);
  return proc;
}

/** The HTTP status `path` answers with, or 0 when nothing answers. */
export async function httpStatus(gateway: GatewayProcess, path: string): Promise<number> {
  try {
    const response = await fetch(`${gateway.http}${path}`);
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

/** Polls `path` every 5 ms until it answers `status` (to catch the first moment it does). */
export function untilStatus(gateway: GatewayProcess, path: string, status: number, timeoutMs = 10_000): Promise<true> {
  return eventually(async () => ((await httpStatus(gateway, path)) === status ? true : undefined), timeoutMs, 5);
}
