import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { signToken } from '@banterbox/auth';
import { REDIS_TOPOLOGY_CHOICES } from '@banterbox/config';
import { AppProcess, GATEWAY_NODE_FLAGS, LocalRedis, pingRedis, redisServerAvailable } from '@banterbox/local-stack';
import { devCredentials } from './dev-credentials';
import { takenPorts, type PortUse } from './ports';

/**
 * `npm start`: the whole service on one machine for trying it out. Uses REDIS_URL (or another
 * topology variable), else a Redis answering on 127.0.0.1:6379, else a throwaway redis-server on a
 * free port; then one ticker and one gateway, and prints how to connect once both are up.
 * Listens on 127.0.0.1 unless HOST says otherwise; the dev secret and admin key are kept between
 * runs (in a git-ignored file), so open pages and minted tokens survive a restart.
 */
const APPS = join(__dirname, '..', '..');
const REPO = join(APPS, '..');
const DEMO_ROOM = 'demo';
const START_TIMEOUT_MS = 30_000;

async function redisEnv(): Promise<{ env: Record<string, string>; where: string; owned: LocalRedis | undefined }> {
  // Any of the apps' own topology variables set (SPEC §3) means "use that Redis".
  const given = REDIS_TOPOLOGY_CHOICES.filter((name) => process.env[name]);
  if (given.length > 0) return { env: {}, where: `as configured (${given.join(', ')})`, owned: undefined };
  if (await pingRedis(6379, '127.0.0.1', 500))
    return { env: { REDIS_URL: 'redis://127.0.0.1:6379' }, where: 'redis://127.0.0.1:6379', owned: undefined };
  if (!redisServerAvailable()) {
    fail(
      'No Redis: REDIS_URL is not set, nothing answers on 127.0.0.1:6379, and redis-server is not on PATH.\n' +
        'Install Redis 7 (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis) or set REDIS_URL.',
    );
  }
  const owned = await LocalRedis.start();
  return { env: owned.env, where: `throwaway redis-server on port ${owned.port}`, owned };
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

interface Setup {
  host: string;
  port: number;
  gatewayMetricsPort: number;
  tickerMetricsPort: number;
}

function readSetup(): Setup {
  const int = (name: string, fallback: number): number => {
    const raw = process.env[name];
    const value = raw === undefined || raw === '' ? fallback : Number(raw);
    if (!Number.isInteger(value) || value < 0 || value > 65535) fail(`${name} must be a port number (0 picks a free one), not ${raw}`);
    return value;
  };
  return {
    host: process.env.HOST || '127.0.0.1',
    port: int('PORT', 8080),
    gatewayMetricsPort: int('GATEWAY_METRICS_PORT', 9091),
    tickerMetricsPort: int('TICKER_METRICS_PORT', 9092),
  };
}

/** The address to show and call for a listen host (a wildcard is reached through loopback). */
function reachable(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

async function banner(setup: Setup, secret: string, adminKey: string, tickerMetrics: number, gatewayMetrics: number): Promise<string> {
  const shown = reachable(setup.host);
  const base = `http://${shown}:${setup.port}`;
  const token = await signToken({ sub: 'demo-user', room: DEMO_ROOM, exp: Math.floor(Date.now() / 1000) + 24 * 3600 }, secret);
  return [
    '',
    `banterbox is running${setup.host === '0.0.0.0' || setup.host === '::' ? ` on every interface (HOST=${setup.host})` : ''}. Open it in a browser:`,
    `  start here  ${base}/`,
    `  vote        ${base}/room/${DEMO_ROOM}  (the open demo room: anyone can vote)`,
    `  overlay     ${base}/overlay/${DEMO_ROOM}?w=800&h=300  (add it to your stream as a browser source)`,
    `  poker       ${base}/poker`,
    `  studio      ${base}/studio  (run your own room on stream; sign in with the admin key below)`,
    '',
    `  gateway     ${base}  (health ${base}/healthz, readiness ${base}/readyz)`,
    `  metrics     http://${shown}:${gatewayMetrics}/metrics (gateway), http://${shown}:${tickerMetrics}/metrics (ticker)`,
    `  vote socket ws://${shown}:${setup.port}/api/vote_ws/`,
    `  poker       ws://${shown}:${setup.port}/connect  (needs the session cookie from ${base}/api/session)`,
    `  demo room   ${DEMO_ROOM}  (yes/no, open to guests; tally: curl ${base}/api/rooms/${DEMO_ROOM})`,
    '',
    'Use the CLI and the admin API from another terminal:',
    `  export BANTERBOX_URL=${base}`,
    `  export BANTERBOX_ADMIN_KEY=${adminKey}`,
    `  npm run banterbox -- token --user alice --room ${DEMO_ROOM}`,
    `  npm run banterbox -- tally ${DEMO_ROOM} --watch`,
    '',
    `Vote from a terminal (npx wscat -c ws://${shown}:${setup.port}/api/vote_ws/), then send:`,
    `  {"auth": {"user_id": "demo-user", "token": "${token}", "room": "${DEMO_ROOM}"}}`,
    '  {"vote": {"value": "yes"}}',
    '',
    'Play planning poker from a terminal:',
    `  cookie=$(curl -s -o /dev/null -c - ${base}/api/session | awk '/bb_session/ {print $6"="$7}')`,
    `  npx wscat -H "Cookie: $cookie" -c ws://${shown}:${setup.port}/connect`,
    '  {"request": "createRoom", "topic": "First story"}',
    '',
    'Ctrl-C stops everything. The dev secret and admin key are kept in .banterbox-dev.json, so pages',
    'and tokens keep working across restarts; delete the file for new ones.',
    '',
  ].join('\n');
}

/** Forwards a child's log lines at warn and above (all of them with LOG_LEVEL set). */
function forwardLogs(proc: AppProcess, verbose: boolean): void {
  let forwarded = 0;
  proc.child.stdout?.on('data', () => {
    for (; forwarded < proc.lines.length; forwarded += 1) {
      const line = proc.lines[forwarded]!;
      if (verbose || (typeof line.level === 'number' && line.level >= 40)) process.stdout.write(`${JSON.stringify(line)}\n`);
    }
  });
  proc.child.stderr?.pipe(process.stderr);
}

function portConflict(taken: PortUse[]): string {
  return [
    'Cannot start: these ports are taken on this machine.',
    ...taken.map((use) => `  ${use.host}:${use.port}  ${use.what}: set ${use.variable}=<another port> (0 picks a free one)`),
    'Or stop whatever holds them (e.g. an earlier `npm start`: ss -ltnp | grep <port>).',
  ].join('\n');
}

async function main(): Promise<void> {
  const setup = readSetup();
  const taken = await takenPorts([
    { host: setup.host, port: setup.port, variable: 'PORT', what: 'the gateway (HTTP and WebSocket)' },
    { host: setup.host, port: setup.gatewayMetricsPort, variable: 'GATEWAY_METRICS_PORT', what: "the gateway's Prometheus metrics" },
    { host: setup.host, port: setup.tickerMetricsPort, variable: 'TICKER_METRICS_PORT', what: "the ticker's Prometheus metrics" },
  ]);
  if (taken.length > 0) fail(portConflict(taken));

  const { env: redis, where, owned } = await redisEnv();
  const { secret, adminKey } = devCredentials(process.env.BANTERBOX_DEV_FILE || join(REPO, '.banterbox-dev.json'), process.env);
  const verbose = process.env.LOG_LEVEL !== undefined;
  const env = {
    ...Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined)),
    ...redis,
    BANTERBOX_SECRET: secret,
    BANTERBOX_ADMIN_KEY: adminKey,
    HOST: setup.host,
    PORT: String(setup.port),
    METRICS_HOST: setup.host,
    DEMO_ROOM,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
  };
  const ticker = AppProcess.start(join(APPS, 'ticker', 'dist', 'main.js'), { ...env, METRICS_PORT: String(setup.tickerMetricsPort) });
  const gateway = AppProcess.start(join(APPS, 'gateway', 'dist', 'main.js'), { ...env, METRICS_PORT: String(setup.gatewayMetricsPort) }, [
    ...GATEWAY_NODE_FLAGS,
  ]);
  forwardLogs(ticker, verbose);
  forwardLogs(gateway, verbose);

  let stopping = false;
  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    gateway.signal('SIGTERM');
    ticker.signal('SIGTERM');
    await sleep(1500);
    await Promise.all([gateway.kill(), ticker.kill()]);
    await owned?.stop();
    process.exit(code);
  };
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));
  for (const [name, proc] of [
    ['gateway', gateway],
    ['ticker', ticker],
  ] as const) {
    proc.child.once('exit', (status) => {
      if (stopping) return;
      process.stderr.write(`the ${name} exited (${String(status)}); stopping everything\n${proc.tail()}\n`);
      void stop(1);
    });
  }

  let ports: { gatewayMetrics: number; tickerMetrics: number };
  try {
    const [, , gatewayMetrics, tickerMetrics] = await Promise.all([
      gateway.waitForLog('gateway listening', START_TIMEOUT_MS),
      ticker.waitForLog('ticker started', START_TIMEOUT_MS),
      gateway.waitForLog('metrics listening', START_TIMEOUT_MS),
      ticker.waitForLog('metrics listening', START_TIMEOUT_MS),
    ]);
    ports = { gatewayMetrics: Number(gatewayMetrics.port), tickerMetrics: Number(tickerMetrics.port) };
    // The demo room exists before anyone is told about it (GET /api/demo creates it).
    const demo = await fetch(`http://${reachable(setup.host)}:${setup.port}/api/demo`).catch((error: unknown) => error);
    if (!(demo instanceof Response) || !demo.ok)
      throw new Error(`the demo room could not be created: ${demo instanceof Response ? `HTTP ${demo.status}` : String(demo)}`);
  } catch (error) {
    if (stopping) return;
    process.stderr.write(`banterbox did not start: ${error instanceof Error ? error.message : String(error)}\n`);
    await stop(1);
    return;
  }
  process.stdout.write(`Redis: ${where}\n`);
  process.stdout.write(await banner(setup, secret, adminKey, ports.tickerMetrics, ports.gatewayMetrics));
}

void main();
