import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  ADMIN_KEY,
  TestRedis,
  TestSocket,
  appTestEnv,
  dockerFound,
  eventually,
  freePort,
  isData,
  joinRoom,
  testkitLabelArgs,
  waitForPoint,
  type Reachable,
} from '@banterbox/testkit';

/**
 * The image an SRE builds first (`docker build -f infra/Dockerfile .`), built from this checkout
 * as it is after `npm run build` (so build output left in the tree must not leak into the image),
 * then run as an SRE runs it: Redis, a ticker and two gateways as containers on the host's
 * network, configured by env only. Needs a Docker engine (BANTERBOX_TEST_DOCKER, testkit/src/docker.ts);
 * the base is BANTERBOX_NODE_IMAGE (default the Dockerfile's own, node:20-bookworm-slim).
 */
const ROOT = join(__dirname, '..', '..');
const TAG = `banterbox:test-${process.pid}`;
const NODE_IMAGE = process.env.BANTERBOX_NODE_IMAGE;
const run = promisify(execFile);

async function docker(args: string[], timeoutMs = 60_000): Promise<string> {
  const { stdout } = await run('docker', args, { cwd: ROOT, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  return stdout.trim();
}

/** Starts `command` of the image in the background on the host's network with `env`; its id. */
function container(command: string[], env: Record<string, string>): Promise<string> {
  const envArgs = Object.entries(env).flatMap(([name, value]) => ['-e', `${name}=${value}`]);
  return docker(['run', '-d', '--network', 'host', ...testkitLabelArgs('image'), ...envArgs, TAG, ...command]);
}

/** Waits until the container's log holds `line`. */
function untilLogged(id: string, line: string, timeoutMs = 20_000): Promise<true> {
  return eventually(
    async () => {
      const { stdout, stderr } = await run('docker', ['logs', id]);
      return `${stdout}${stderr}`.includes(line) ? true : undefined;
    },
    timeoutMs,
    100,
  );
}

async function status(url: string): Promise<number> {
  try {
    const response = await fetch(url);
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

interface GatewayContainer extends Reachable {
  id: string;
  metricsPort: number;
}

(dockerFound() ? describe : describe.skip)('the image (infra/Dockerfile), built and run as containers', () => {
  let redis: TestRedis;
  const started: string[] = [];
  let ticker: string;
  let tickerMetrics: number;
  let gateways: GatewayContainer[];

  async function startGateway(): Promise<GatewayContainer> {
    const [port, metricsPort] = [await freePort(), await freePort()];
    const id = await container(['gateway'], {
      ...appTestEnv(),
      ...redis.env,
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
      LOG_LEVEL: 'info',
      DRAIN_MS: '2000',
    });
    started.push(id);
    await eventually(async () => ((await status(`http://127.0.0.1:${port}/readyz`)) === 200 ? true : undefined), 20_000, 50);
    return { id, port, metricsPort };
  }

  beforeAll(async () => {
    const begun = Date.now();
    const buildArgs = NODE_IMAGE ? ['--build-arg', `NODE_IMAGE=${NODE_IMAGE}`] : [];
    await docker(['build', '--network', 'host', '-q', ...buildArgs, '-f', 'infra/Dockerfile', '-t', TAG, '.'], 600_000);
    const bytes = Number(await docker(['image', 'inspect', '-f', '{{.Size}}', TAG]));
    process.stderr.write(
      `image ${TAG}: ${(bytes / 1e6).toFixed(0)} MB on ${NODE_IMAGE ?? 'node:20-bookworm-slim'}, built in ${((Date.now() - begun) / 1000).toFixed(0)} s\n`,
    );
    redis = await TestRedis.start();
    tickerMetrics = await freePort();
    ticker = await container(['ticker'], { ...appTestEnv(), ...redis.env, METRICS_PORT: String(tickerMetrics), LOG_LEVEL: 'info' });
    started.push(ticker);
    await untilLogged(ticker, 'ticker started');
    gateways = await Promise.all([startGateway(), startGateway()]);
  }, 660_000);

  afterAll(async () => {
    if (started.length > 0) await docker(['rm', '-f', ...started]).catch(() => undefined);
    await redis?.stop();
    await docker(['image', 'rm', '-f', TAG]).catch(() => undefined);
  });

  it('runs its apps as uid 1000 (node), not root', async () => {
    for (const id of [ticker, ...gateways.map((g) => g.id)]) {
      const procStatus = await docker(['exec', id, 'cat', '/proc/1/status']);
      expect(/^Uid:\s+(\d+)/m.exec(procStatus)?.[1]).toBe('1000');
      expect(await docker(['exec', id, 'id', '-un'])).toBe('node');
    }
  });

  it('serves /readyz and /metrics on both gateways and the ticker', async () => {
    for (const gateway of gateways) {
      expect(await status(`http://127.0.0.1:${gateway.port}/readyz`)).toBe(200);
      const metrics = await (await fetch(`http://127.0.0.1:${gateway.metricsPort}/metrics`)).text();
      expect(metrics).toMatch(/^banterbox_ready(\{[^}]*\})? 1$/m);
    }
    const tickerText = await (await fetch(`http://127.0.0.1:${tickerMetrics}/metrics`)).text();
    expect(tickerText).toMatch(/^banterbox_ticks_total(\{[^}]*\})? [1-9]/m);
  });

  it('carries a vote through one gateway to a viewer on the other', async () => {
    const [one, two] = gateways as [GatewayContainer, GatewayContainer];
    const viewer = await joinRoom(two, 'image-viewer', 'image-room');
    const voter = await joinRoom(one, 'image-voter', 'image-room');
    voter.send({ vote: { value: 'yes' } });
    const frame = await waitForPoint(viewer, (point) => point.votes.yes === 1, 10_000);
    expect(frame.data[0]!.votes).toEqual({ yes: 1, no: 0 });
    voter.close();
    viewer.close();
  });

  it('has the banterbox CLI, which mints a token a gateway accepts', async () => {
    const [one, two] = gateways as [GatewayContainer, GatewayContainer];
    const token = await docker([
      'run',
      '--rm',
      '--network',
      'host',
      ...testkitLabelArgs('image'),
      '-e',
      `BANTERBOX_URL=http://127.0.0.1:${one.port}`,
      '-e',
      `BANTERBOX_ADMIN_KEY=${ADMIN_KEY}`,
      TAG,
      'banterbox',
      'token',
      '--user',
      'cli-user',
      '--room',
      'image-cli',
      '--ttl',
      '60',
    ]);
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const socket = await TestSocket.open(`ws://127.0.0.1:${two.port}/api/vote_ws/`);
    socket.send({ auth: { token, room: 'image-cli' } });
    await socket.waitFor(isData, 10_000);
    socket.close();
  });

  it('holds no test code, no TypeScript sources and no development dependencies', async () => {
    const listing = await docker([
      'run',
      '--rm',
      ...testkitLabelArgs('image'),
      '--entrypoint',
      'sh',
      TAG,
      '-c',
      [
        // Our own files outside node_modules that are sources or tests.
        "find /app -path /app/node_modules -prune -o \\( -name '*.ts' ! -name '*.d.ts' -o -name '*.test.*' -o -name 'tsconfig*.json' \\) -print",
        // Workspaces that are test-only, and development dependencies of the root.
        'for p in packages/testkit bench node_modules/@banterbox/testkit node_modules/@banterbox/bench node_modules/typescript node_modules/jest node_modules/ts-jest node_modules/eslint node_modules/prettier node_modules/testcontainers node_modules/fast-check node_modules/turbo; do [ -e "/app/$p" ] && echo "/app/$p"; done; true',
      ].join('; '),
    ]);
    expect(listing.split('\n').filter(Boolean)).toEqual([]);
    // The sanity of the check itself: what must be there is.
    expect(await docker(['run', '--rm', ...testkitLabelArgs('image'), '--entrypoint', 'ls', TAG, '/app/apps/gateway/dist'])).toContain(
      'main.js',
    );
  });

  it('drains on docker stop: sockets closed with 1012, exit code 0, within the grace period', async () => {
    const gateway = gateways[1]!;
    const socket = await joinRoom(gateway, 'image-drained', 'image-room');
    const graceS = 20;
    const begun = Date.now();
    await docker(['stop', '-t', String(graceS), gateway.id], (graceS + 10) * 1000);
    const stoppedMs = Date.now() - begun;
    expect((await socket.waitForClose(1_000)).code).toBe(1012);
    // Exit code 0: the gateway exited by itself; one still running at the end of the grace period
    // is killed and exits 137.
    expect(await docker(['inspect', '-f', '{{.State.ExitCode}} {{.State.OOMKilled}}', gateway.id])).toBe('0 false');
    process.stderr.write(`image: docker stop of a gateway with DRAIN_MS=2000 took ${stoppedMs} ms\n`);
  });
});

/** `docker compose` (the plugin) where it is installed, else docker-compose (1.29 on Debian bookworm). */
async function composeTool(): Promise<string[]> {
  const plugin = await run('docker', ['compose', 'version']).then(
    () => true,
    () => false,
  );
  return plugin ? ['docker', 'compose'] : ['docker-compose'];
}

(dockerFound() ? describe : describe.skip)('the compose files, as Docker Compose reads them', () => {
  it.each([
    ['the local cluster', ['infra/docker-compose.yml']],
    ['the local cluster on Redis Cluster', ['infra/docker-compose.yml', 'infra/docker-compose.cluster.yml']],
  ])('%s is a valid compose project', async (_name, files) => {
    const [tool, ...pre] = await composeTool();
    const args = [...pre, '-p', 'banterbox', ...files.flatMap((f) => ['-f', f]), 'config'];
    const { stdout } = await run(tool!, args, { cwd: ROOT });
    // What the tool resolved: every app runs the image the Dockerfile builds.
    for (const service of ['ticker-1', 'ticker-2', 'gateway-1', 'gateway-2']) {
      expect(stdout).toMatch(new RegExp(`^  ${service}:\\n(?:    .*\\n)*?    image: banterbox:dev$`, 'm'));
    }
  });
});
