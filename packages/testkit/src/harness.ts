import { signToken } from '@banterbox/auth';
import { createLogger } from '@banterbox/logger';
import type { TallyPoint } from '@banterbox/protocol';
import { LocalCluster, type LocalTopology } from '@banterbox/local-stack';
import type { Service, ServiceDefinition } from '@banterbox/service';
import type { Reachable } from './process-stack';
import { TestRedis } from './test-redis';
import { TestSocket } from './ws-client';

/**
 * The topologies integration suites run on, for `describe.each`: each entry starts a fresh one
 * (the single node in a container where Docker is used, test-redis.ts; the cluster as processes).
 * TEST_TOPOLOGIES=single (or cluster) narrows the list for a quick local run.
 */
export function topologies(): [string, () => Promise<LocalTopology>][] {
  const all: [string, () => Promise<LocalTopology>][] = [
    ['single node', () => TestRedis.start()],
    ['cluster', () => LocalCluster.start()],
  ];
  const only = process.env.TEST_TOPOLOGIES;
  return only === undefined ? all : all.filter(([name]) => only.split(',').some((wanted) => name.startsWith(wanted.trim())));
}

export const SECRET = 'integration-test-secret-0123456789';
export const ADMIN_KEY = 'integration-test-admin-key-0123';

/** Env shared by in-process gateways and tickers in tests: `redis`, fast ticks and short leases. */
export function testEnv(redis: LocalTopology, extra: Record<string, string> = {}): Record<string, string> {
  return { ...redis.env, ...appTestEnv(extra) };
}

/** The same without a Redis setting, for tests that choose it themselves. */
export function appTestEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    BANTERBOX_SECRET: SECRET,
    BANTERBOX_ADMIN_KEY: ADMIN_KEY,
    TICK_MS: '100',
    LEADER_TTL_MS: '1000',
    GATEWAY_LEASE_MS: '1000',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    PORT: '0',
    HOST: '127.0.0.1',
    METRICS_PORT: '0',
    METRICS_HOST: '127.0.0.1',
    DRAIN_MS: '0',
    ...extra,
  };
}

/**
 * Starts an app in this process (the app's own definition is passed in: the testkit depends on
 * no app), configured like a process by `testEnv(redis, extra)`. For speed; the rules of SPEC
 * §5–§7 are proven with the apps as processes (process-stack.ts).
 */
export async function startInProcess<C extends { logLevel: Parameters<typeof createLogger>[0]['level'] }, S extends Service>(
  app: ServiceDefinition<C, S>,
  redis: LocalTopology,
  extra: Record<string, string> = {},
): Promise<S> {
  const config = app.readConfig(testEnv(redis, extra));
  const service = app.create(config, createLogger({ name: app.name, level: config.logLevel }));
  await service.start();
  return service;
}

export function token(sub: string, room: string, ttlS = 600): Promise<string> {
  return signToken({ sub, room, exp: Math.floor(Date.now() / 1000) + ttlS }, SECRET);
}

export interface DataFrame {
  data: TallyPoint[];
}

export const isData = (frame: unknown): frame is DataFrame =>
  typeof frame === 'object' && frame !== null && Array.isArray((frame as DataFrame).data);

/** Opens /api/vote_ws/ on `gateway`, authenticates, and waits for the history frame. */
export async function joinRoom(gateway: Reachable, user: string, room: string, extra: Record<string, unknown> = {}): Promise<TestSocket> {
  const socket = await TestSocket.open(`${gateway.ws ?? `ws://127.0.0.1:${gateway.port}`}/api/vote_ws/`);
  socket.send({ auth: { user_id: user, token: await token(user, room), room, ...extra } });
  await socket.waitFor(isData, 10_000);
  return socket;
}

/** Waits for a tick point (after frame `from`) that satisfies `match`. */
export function waitForPoint(
  socket: TestSocket,
  match: (point: DataFrame['data'][number]) => boolean,
  timeoutMs = 5_000,
  from = 0,
): Promise<DataFrame> {
  return socket.waitFor<DataFrame>((f) => isData(f) && f.data.length === 1 && match(f.data[0]!), timeoutMs, from);
}
