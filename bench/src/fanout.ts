import { setTimeout as sleep } from 'node:timers/promises';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { AppProcess } from '@banterbox/local-stack';
import { benchRedis } from './bench-redis';
import { startGateway, startTicker } from './bench-apps';
import { cpuSeconds, rssMiB } from './proc-stats';
import { histogram } from './prom';
import { openRaw, type RawSocket } from './raw-ws';
import { benchTarget, environment, printJson } from './target';
import { joinVoteSockets, joinVoteSocketsTo, watchSnapshots } from './vote-clients';
import { percentile } from './percentile';

/**
 * Fan-out and memory benchmark, for sizing gateways: BENCH_SOCKETS viewers (no votes) in
 * BENCH_ROOMS rooms on one gateway process, a real ticker ticking every BENCH_TICK_MS. It prints
 * the gateway's memory per connection (RSS before and after connecting) and its CPU while every
 * tick's snapshot goes out to every socket, and checks every socket got every snapshot; `--json`
 * prints it all as JSON with the machine and versions.
 *
 * With BENCH_FLOOR=1 it then runs a bare uWS server that only publishes the same-sized frame on
 * each tick (uws-floor-server.ts) to as many sockets, and compares CPU per delivered snapshot.
 * Tick-to-client latency (receive time minus the point's `ts`) is sampled on 500 sockets.
 *
 * BENCH_GATEWAYS=3 spreads the viewers (a process may hold at most ~20,000 sockets here)
 * over that many gateway processes, each fed by its own load generator process
 * (fanout-loadgen.ts) from its own loopback source address: 50,000 sockets as three gateways.
 *
 * BENCH_TARGET=https://host (with BANTERBOX_ADMIN_KEY, and BENCH_TICK_MS set to the target's
 * tick) aims the viewers at a deployed gateway or ingress instead and reports what they received.
 *
 * BENCH_QUIET=1 leaves all sockets but the latency sample unread while measuring (they are read
 * afterwards, to check every tick arrived): on one machine the load generators' reading would
 * otherwise be most of the latency. BENCH_PIN_GATEWAYS=0 pins every gateway process to CPU 0
 * (taskset), so several gateways measure what one core delivers to all their sockets.
 */
const SOCKETS = Number(process.env.BENCH_SOCKETS ?? 10_000);
const ROOMS = Number(process.env.BENCH_ROOMS ?? 1);
const SECONDS = Math.min(Number(process.env.BENCH_SECONDS ?? 10), 120);
const TICK_MS = Number(process.env.BENCH_TICK_MS ?? 1000);
const SECRET = 'benchmark-secret-0123456789abcdef';
const TARGET = benchTarget();
const GATEWAYS = Math.max(1, Number(process.env.BENCH_GATEWAYS ?? 1));
const QUIET = process.env.BENCH_QUIET === '1';
const PIN = process.env.BENCH_PIN_GATEWAYS;

/** Pins a process (all its threads) to the CPUs in `cpus` (taskset's list syntax, e.g. "0"). */
function pin(pid: number, cpus: string): void {
  execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
}

const spec = (i: number): { user: string; room: string } => ({ user: `viewer-${i}`, room: `fan-${i % ROOMS}` });

interface Delivery {
  viewers: number;
  /** Receive time minus the point's tick time, on a sample of sockets, ms. */
  latencyP50Ms: number;
  latencyP99Ms: number;
  seconds: number;
  snapshotsPerSecond: number;
  mibPerSecond: number;
  bytesPerSnapshot: number;
  /** Viewers that received fewer bytes than one snapshot per tick would take. */
  viewersShort: number;
}

/** Watches the sockets for SECONDS: did each get a snapshot every tick, and how late? */
async function watch(sockets: RawSocket[]): Promise<Delivery> {
  const { seconds, received, latencies } = await watchSnapshots(sockets, SECONDS, 500, QUIET);
  latencies.sort((a, b) => a - b);
  // A snapshot frame of one yes/no point is about 70 bytes; every socket must have had one per tick.
  const ticks = (seconds * 1000) / TICK_MS;
  const totalBytes = received.reduce((a, b) => a + b, 0);
  return {
    viewers: sockets.length,
    latencyP50Ms: percentile(latencies, 0.5),
    latencyP99Ms: percentile(latencies, 0.99),
    seconds,
    snapshotsPerSecond: Math.round((sockets.length * 1000) / TICK_MS),
    mibPerSecond: totalBytes / seconds / 1024 / 1024,
    bytesPerSnapshot: Math.min(...received) / Math.floor(ticks - 1),
    viewersShort: received.filter((bytes) => bytes < (ticks - 2) * 60).length,
  };
}

function deliveryLines(d: Delivery): string[] {
  return [
    `viewers / rooms:  ${d.viewers} / ${ROOMS}, one snapshot per ${TICK_MS} ms tick`,
    `fan-out:          ${d.snapshotsPerSecond} snapshots/s, ${d.mibPerSecond.toFixed(2)} MiB/s (about ${d.bytesPerSnapshot.toFixed(0)} bytes each)`,
    `every snapshot:   ${d.viewersShort === 0 ? 'every viewer got every tick' : `${d.viewersShort} viewers MISSED ticks`}`,
    `tick to client:   p50 ${d.latencyP50Ms} ms, p99 ${d.latencyP99Ms} ms (receive time minus the point's ts, 500 sockets sampled${QUIET ? '; the others read after the window' : ''})`,
  ];
}

async function againstTarget(): Promise<void> {
  const target = TARGET!;
  const sockets = await joinVoteSocketsTo(target.endpoint, SOCKETS, spec, (user, room) => target.token(user, room));
  try {
    const delivery = await watch(sockets);
    if (!printJson({ bench: 'fanout', environment: environment(target), delivery })) {
      process.stdout.write(`${[`target:           ${target.url.origin}`, ...deliveryLines(delivery)].join('\n')}\n`);
    }
    if (delivery.viewersShort > 0) process.exitCode = 1;
  } finally {
    for (const socket of sockets) socket.socket.destroy();
  }
}

/** The same number of sockets on a bare uWS server that only publishes: CPU per delivery, the floor. */
async function floor(count: number): Promise<{ delivery: Delivery; cpuShare: number; usPerDelivery: number }> {
  const server = AppProcess.start(join(__dirname, 'uws-floor-server.js'), { FLOOR_TICK_MS: String(TICK_MS) });
  try {
    const port = Number((await server.waitForLog('floor listening', 10_000)).port);
    const sockets: RawSocket[] = [];
    for (let start = 0; start < count; start += 250) {
      sockets.push(...(await Promise.all(Array.from({ length: Math.min(250, count - start) }, () => openRaw(port, '/')))));
    }
    await sleep(2 * TICK_MS);
    const cpu = cpuSeconds(server.pid);
    const delivery = await watch(sockets);
    const used = cpuSeconds(server.pid) - cpu;
    for (const socket of sockets) socket.socket.destroy();
    return { delivery, cpuShare: used / delivery.seconds, usPerDelivery: (used * 1e6) / (delivery.snapshotsPerSecond * delivery.seconds) };
  } finally {
    await server.kill();
  }
}

/** Where a snapshot's time goes, from the ticker's tick log lines and the gateway's histograms. */
async function timeBreakdown(
  metricsPort: number,
  tickerLines: Record<string, unknown>[],
): Promise<{
  timerLateMsP50: number;
  tickMsP50: number;
  pubsubLagMs: { p50: number; p99: number };
  publishMs: { mean: number; p99: number };
}> {
  const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
  const ticks = tickerLines.filter((l) => l.msg === 'tick');
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const lag = histogram(text, 'banterbox_pubsub_lag_seconds');
  const publish = histogram(text, 'banterbox_publish_duration_seconds', 'endpoint="vote"');
  return {
    timerLateMsP50: median(ticks.map((l) => Number(l.lagMs))),
    tickMsP50: median(ticks.map((l) => Number(l.durationMs))),
    pubsubLagMs: { p50: lag.p50 * 1000, p99: lag.p99 * 1000 },
    publishMs: { mean: publish.mean * 1000, p99: publish.p99 * 1000 },
  };
}

/** The settings every app process of this bench runs with. */
function stackEnv(redis: { env: Record<string, string> }): Record<string, string> {
  return {
    ...redis.env,
    BANTERBOX_SECRET: SECRET,
    LOG_LEVEL: 'info',
    TICK_MS: String(TICK_MS),
    METRICS_PORT: '0',
    GATEWAY_LEASE_MS: '30000',
  };
}

/** A load generator child: resolves its lines as they come (one JSON object each). */
function loadgen(env: Record<string, string>): { child: ChildProcess; next: () => Promise<Record<string, unknown>> } {
  const child = spawn(process.execPath, [join(__dirname, 'fanout-loadgen.js')], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines: Record<string, unknown>[] = [];
  const waiting: ((line: Record<string, unknown>) => void)[] = [];
  let buffer = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n')) {
      const line = JSON.parse(buffer.slice(0, end)) as Record<string, unknown>;
      buffer = buffer.slice(end + 1);
      const waiter = waiting.shift();
      if (waiter) waiter(line);
      else lines.push(line);
    }
  });
  return { child, next: () => (lines.length > 0 ? Promise.resolve(lines.shift()!) : new Promise((resolve) => waiting.push(resolve))) };
}

/** Several gateways, each with its own load generator process. */
async function manyGateways(): Promise<void> {
  const redis = await benchRedis();
  const env = stackEnv(redis);
  const gateways = Array.from({ length: GATEWAYS }, () => startGateway({ ...env, PORT: '0', HOST: '127.0.0.1' }));
  const ticker = startTicker({ ...env, LEADER_TTL_MS: String(Math.max(5000, TICK_MS * 3)) });
  const generators: ReturnType<typeof loadgen>[] = [];
  try {
    const ports = await Promise.all(gateways.map(async (g) => Number((await g.waitForLog('gateway listening', 20_000)).port)));
    if (PIN !== undefined) for (const g of gateways) pin(g.pid, PIN);
    await ticker.waitForLog('leadership acquired', 20_000);
    const rssBefore = gateways.map((g) => rssMiB(g.pid));
    const share = Math.ceil(SOCKETS / GATEWAYS);
    ports.forEach((port, g) =>
      generators.push(
        loadgen({
          LOADGEN_PORT: String(port),
          LOADGEN_SOCKETS: String(Math.min(share, SOCKETS - g * share)),
          LOADGEN_FIRST: String(g * share),
          LOADGEN_SOURCE: `127.0.0.${2 + g}`,
          LOADGEN_ROOMS: String(ROOMS),
          LOADGEN_SECONDS: String(SECONDS),
          LOADGEN_SECRET: SECRET,
          LOADGEN_QUIET: QUIET ? '1' : '0',
        }),
      ),
    );
    await Promise.all(generators.map((l) => l.next()));
    await sleep(2 * TICK_MS);
    const rssAfter = gateways.map((g) => rssMiB(g.pid));
    const cpu = { gateways: gateways.map((g) => cpuSeconds(g.pid)), ticker: cpuSeconds(ticker.pid), redis: redis.cpuSeconds() };
    for (const l of generators) l.child.stdin?.write('go\n');
    const watched = (await Promise.all(generators.map((l) => l.next()))) as { seconds: number; received: number[]; latencies: number[] }[];
    const seconds = Math.max(...watched.map((w) => w.seconds));
    const gatewayCpu = gateways.map((g, i) => cpuSeconds(g.pid) - cpu.gateways[i]!);
    const tickerCpu = cpuSeconds(ticker.pid) - cpu.ticker;
    const redisNow = redis.cpuSeconds();
    const received = watched.flatMap((w) => w.received);
    const ticks = (seconds * 1000) / TICK_MS;
    const latencies = watched.flatMap((w) => w.latencies).sort((a, b) => a - b);
    const result = {
      viewers: received.length,
      gateways: GATEWAYS,
      seconds,
      viewersShort: received.filter((bytes) => bytes < (ticks - 2) * 60).length,
      latencyP50Ms: percentile(latencies, 0.5),
      latencyP99Ms: percentile(latencies, 0.99),
      usPerDelivery: (gatewayCpu.reduce((a, b) => a + b, 0) * 1e6) / (received.length * ticks),
      gatewayCpuShare: gatewayCpu.map((c) => c / seconds),
      tickerCpuShare: tickerCpu / seconds,
      redisCpuShare: redisNow === undefined || cpu.redis === undefined ? undefined : (redisNow - cpu.redis) / seconds,
      kibPerConnection: ((rssAfter.reduce((a, b) => a + b, 0) - rssBefore.reduce((a, b) => a + b, 0)) * 1024) / received.length,
    };
    const run = environment(undefined);
    if (!printJson({ bench: 'fanout', environment: run, redis: redis.label, ...result })) {
      const pct = (x: number | undefined): string => (x === undefined ? 'not measured' : `${(x * 100).toFixed(0)}%`);
      const lines = [
        `machine:          ${run.machine}`,
        `viewers:          ${result.viewers} over ${GATEWAYS} gateways in ${ROOMS} room(s), one load generator process per gateway, one snapshot per ${TICK_MS} ms tick`,
        `every snapshot:   ${result.viewersShort === 0 ? 'every viewer got every tick' : `${result.viewersShort} viewers MISSED ticks`}`,
        `tick to client:   p50 ${result.latencyP50Ms} ms, p99 ${result.latencyP99Ms} ms (300 sockets sampled per load generator${QUIET ? '; the others read after the window' : ''})`,
        ...(PIN === undefined
          ? []
          : [
              `pinned:           every gateway on CPU ${PIN}: ${result.viewers} sockets on one core, ${(result.gatewayCpuShare.reduce((a, b) => a + b, 0) * 100).toFixed(0)}% of it busy`,
            ]),
        `per delivery:     ${result.usPerDelivery.toFixed(2)} µs of gateway CPU per snapshot delivered`,
        `CPU:              gateways ${result.gatewayCpuShare.map(pct).join(' + ')}, ticker ${pct(result.tickerCpuShare)}, redis ${pct(result.redisCpuShare)} of one core`,
        `gateway memory:   ${result.kibPerConnection.toFixed(1)} KiB per connection`,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    if (result.viewersShort > 0) process.exitCode = 1;
  } finally {
    for (const l of generators) l.child.kill();
    await Promise.all([...gateways.map((g) => g.kill()), ticker.kill()]);
    await redis.stop();
  }
}

async function main(): Promise<void> {
  if (TARGET) {
    await againstTarget();
    return;
  }
  if (GATEWAYS > 1) {
    await manyGateways();
    return;
  }
  const redis = await benchRedis();
  const env = stackEnv(redis);
  const gateway = startGateway({ ...env, PORT: '0', HOST: '127.0.0.1' });
  // debug: the ticker logs every tick (its lateness and duration) for the breakdown below.
  const ticker = startTicker({
    ...env,
    LOG_LEVEL: 'debug',
    LEADER_TTL_MS: String(Math.max(5000, TICK_MS * 3)),
  });
  try {
    const port = Number((await gateway.waitForLog('gateway listening', 20_000)).port);
    const metricsPort = Number((await gateway.waitForLog('metrics listening', 20_000)).port);
    await ticker.waitForLog('leadership acquired', 20_000);
    await sleep(1000);
    const rssBefore = rssMiB(gateway.pid);
    // Half the sockets, then the other half: the second half's growth is what one more connection
    // costs, without the fixed costs of the first burst (the JS heap's high-water mark, buffers).
    const half = Math.floor(SOCKETS / 2);
    const sockets = await joinVoteSockets(port, half, spec, SECRET);
    await sleep(2 * TICK_MS);
    const rssHalf = rssMiB(gateway.pid);
    sockets.push(...(await joinVoteSockets(port, SOCKETS - half, (i) => spec(half + i), SECRET)));
    await sleep(2 * TICK_MS);
    const rssAfter = rssMiB(gateway.pid);
    if (!process.argv.includes('--json'))
      process.stdout.write(`connected ${sockets.length} viewers in ${ROOMS} room(s); measuring for ${SECONDS} s\n`);

    const cpu = { gateway: cpuSeconds(gateway.pid), redis: redis.cpuSeconds(), ticker: cpuSeconds(ticker.pid) };
    const tickLines = ticker.lines.length;
    const delivery = await watch(sockets);
    const breakdown = await timeBreakdown(metricsPort, ticker.lines.slice(tickLines));
    const share = (now: number | undefined, from: number | undefined): number | undefined =>
      now === undefined || from === undefined ? undefined : (now - from) / delivery.seconds;
    const cpuShare = {
      gateway: share(cpuSeconds(gateway.pid), cpu.gateway),
      ticker: share(cpuSeconds(ticker.pid), cpu.ticker),
      redis: share(redis.cpuSeconds(), cpu.redis),
    };
    const memory = {
      rssBeforeMiB: rssBefore,
      rssAfterMiB: rssAfter,
      kibPerConnection: ((rssAfter - rssBefore) * 1024) / sockets.length,
      marginalKibPerConnection: ((rssAfter - rssHalf) * 1024) / (sockets.length - half),
    };
    const pct = (x: number | undefined): string => (x === undefined ? 'not measured' : `${(x * 100).toFixed(0)}%`);
    for (const socket of sockets) socket.socket.destroy();
    const usPerDelivery = cpuShare.gateway === undefined ? undefined : (cpuShare.gateway * 1e6) / delivery.snapshotsPerSecond;
    const bare = process.env.BENCH_FLOOR === '1' ? await floor(sockets.length) : undefined;
    const run = environment(undefined);
    if (
      !printJson({
        bench: 'fanout',
        environment: run,
        redis: redis.label,
        delivery,
        memory,
        cpuShareOfOneCore: cpuShare,
        usPerDelivery,
        breakdown,
        floor: bare,
      })
    ) {
      const lines = [
        `machine:          ${run.machine}`,
        ...deliveryLines(delivery),
        `gateway memory:   ${rssBefore.toFixed(0)} MiB before, ${rssHalf.toFixed(0)} MiB at half, ${rssAfter.toFixed(0)} MiB after connecting: ${memory.kibPerConnection.toFixed(1)} KiB per connection overall, ${memory.marginalKibPerConnection.toFixed(1)} KiB for each of the second half`,
        `redis:            ${redis.label}`,
        `CPU:              gateway ${pct(cpuShare.gateway)}, ticker ${pct(cpuShare.ticker)}, redis ${pct(cpuShare.redis)} of one core`,
        `per delivery:     gateway ${usPerDelivery?.toFixed(2) ?? 'n/a'} µs of CPU per snapshot delivered`,
        `where time goes:  ticker timer lateness p50 ${breakdown.timerLateMsP50} ms; tick work (scripts and SPUBLISH) p50 ${breakdown.tickMsP50} ms; tick time to gateway (pub/sub lag) p50 ≤ ${breakdown.pubsubLagMs.p50} ms, p99 ≤ ${breakdown.pubsubLagMs.p99} ms; one uWS publish to all sockets ${breakdown.publishMs.mean.toFixed(2)} ms on average; the rest of the client's latency is the load generator reading`,
        ...(bare
          ? [
              `bare uWS floor:   ${bare.usPerDelivery.toFixed(2)} µs per delivery (${pct(bare.cpuShare)} of one core; tick to client p50 ${bare.delivery.latencyP50Ms} ms, p99 ${bare.delivery.latencyP99Ms} ms; ${bare.delivery.viewersShort === 0 ? 'every tick delivered' : `${bare.delivery.viewersShort} short`})`,
            ]
          : []),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    if (delivery.viewersShort > 0) process.exitCode = 1;
  } finally {
    await gateway.kill();
    await ticker.kill();
    await redis.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
