import { join } from 'node:path';
import { AppProcess, GATEWAY_NODE_FLAGS } from '@banterbox/local-stack';

/**
 * The app processes the benches start: this build's, as the image runs them, or another build's
 * for a before/after in one run (BENCH_GATEWAY_MAIN, BENCH_TICKER_MAIN: e.g. an older commit's
 * apps/<app>/dist/main.js).
 */
const APPS = join(__dirname, '..', '..', 'apps');
const GATEWAY_MAIN = process.env.BENCH_GATEWAY_MAIN ?? join(APPS, 'gateway', 'dist', 'main.js');
const TICKER_MAIN = process.env.BENCH_TICKER_MAIN ?? join(APPS, 'ticker', 'dist', 'main.js');
/** BENCH_GATEWAY_NODE_ARGS: the gateway's node flags, space-separated (default GATEWAY_NODE_FLAGS; empty: none). */
const GATEWAY_NODE_ARGS = process.env.BENCH_GATEWAY_NODE_ARGS?.split(' ').filter(Boolean) ?? [...GATEWAY_NODE_FLAGS];
/** BENCH_TICKER_NODE_ARGS: the ticker's node flags, space-separated (a profiler, say; default none). */
const TICKER_NODE_ARGS = process.env.BENCH_TICKER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];

/** A gateway process with `env`, its node flags and `nodeArgs` (a profiler, say). */
export function startGateway(env: Record<string, string>, nodeArgs: readonly string[] = []): AppProcess {
  return AppProcess.start(GATEWAY_MAIN, env, [...GATEWAY_NODE_ARGS, ...nodeArgs]);
}

/** A ticker process with `env`. */
export function startTicker(env: Record<string, string>): AppProcess {
  return AppProcess.start(TICKER_MAIN, env, TICKER_NODE_ARGS);
}
