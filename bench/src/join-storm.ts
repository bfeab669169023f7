import { setTimeout as sleep } from 'node:timers/promises';
import { signToken } from '@banterbox/auth';
import { LocalRedis } from '@banterbox/local-stack';
import { cpuSeconds } from './proc-stats';
import { startGateway, startTicker } from './bench-apps';
import { openRawTo, textFrame, type RawSocket } from './raw-ws';
import { commandStats } from './bench-redis';
import { seedHistory } from './seed-history';
import { benchTarget, environment, inParallel, printJson, type Endpoint } from './target';
import { percentile } from './percentile';

/**
 * A join storm: BENCH_JOINS viewers (default 18,000) join one vote room holding an hour of history
 * (3600 points) as fast as one load generator can open sockets, first asking for the plain history
 * frame, then (new sockets) for the compact one. Per form it prints the time until every viewer
 * had its history, join latency, bytes per join, the gateway's CPU per join and how often Redis
 * was asked for the history; `--json` prints it all as JSON with the machine and versions.
 *
 * BENCH_TARGET=https://host (with BANTERBOX_ADMIN_KEY) storms a deployed gateway or ingress
 * instead, in room BENCH_ROOM (default demo), and reports what the clients saw.
 */
const JOINS = Number(process.env.BENCH_JOINS ?? 18_000);
const CONCURRENCY = Number(process.env.BENCH_CONNECT_CONCURRENCY ?? 500);
const SECRET = 'benchmark-secret-0123456789abcdef';
const TARGET = benchTarget();
const ROOM = TARGET ? (process.env.BENCH_ROOM ?? 'demo') : 'storm';

/** Resolves with the first frame's size once it has fully arrived (header and payload). */
function firstFrame(raw: RawSocket): Promise<number> {
  return new Promise((resolve) => {
    const check = (): boolean => {
      const head = Buffer.from(raw.received().slice(0, 10), 'latin1');
      if (head.length < 2) return false;
      const short = head[1]! & 0x7f;
      const headerLength = short < 126 ? 2 : short === 126 ? 4 : 10;
      if (head.length < headerLength) return false;
      const payload = short < 126 ? short : short === 126 ? head.readUInt16BE(2) : Number(head.readBigUInt64BE(2));
      if (raw.bytesReceived() < headerLength + payload) return false;
      resolve(headerLength + payload);
      return true;
    };
    if (check()) return;
    const onData = (): void => {
      if (check()) raw.socket.off('data', onData);
    };
    raw.socket.on('data', onData);
  });
}

interface Phase {
  form: 'plain' | 'compact';
  joins: number;
  seconds: number;
  p50: number;
  p99: number;
  bytesPerJoin: number;
  gatewayCpuMsPerJoin: number | undefined;
  loadgenCpuSeconds: number;
  loadgenSysSeconds: number;
  historyReads: number | undefined;
}

/** The stack the storm hits: a local one it measures too, or a BENCH_TARGET it only drives. */
interface Stack {
  endpoint: Endpoint;
  /** Source addresses to spread over (only on loopback). */
  sources: string[] | undefined;
  tokens(count: number, prefix: string): Promise<string[]>;
  gatewayPid: number | undefined;
  inspect: ReturnType<LocalRedis['client']> | undefined;
}

async function storm(stack: Stack, compact: boolean): Promise<Phase> {
  const tokens = await stack.tokens(JOINS, `viewer-${compact ? 'c' : 'p'}-${Date.now().toString(36)}`);
  await stack.inspect?.config('RESETSTAT');
  const gatewayCpu = stack.gatewayPid === undefined ? 0 : cpuSeconds(stack.gatewayPid);
  const loadgenCpu = process.cpuUsage();
  const started = performance.now();
  const joins = await inParallel(JOINS, CONCURRENCY, async (i) => {
    const begun = performance.now();
    // Source addresses 127.0.0.2-9 on loopback: eight times the ephemeral ports of one address.
    const raw = await openRawTo(stack.endpoint, '/api/vote_ws/', stack.sources?.[i % stack.sources.length]);
    raw.socket.write(textFrame(JSON.stringify({ auth: { token: tokens[i], room: ROOM, compact } })));
    const size = await firstFrame(raw);
    return { raw, size, latency: performance.now() - begun };
  });
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(loadgenCpu);
  const cpu = stack.gatewayPid === undefined ? undefined : cpuSeconds(stack.gatewayPid) - gatewayCpu;
  const stats = await stack.inspect?.info('commandstats');
  const historyReads = stats === undefined ? undefined : commandStats(stats, 'lrange').calls;
  for (const { raw } of joins) raw.socket.destroy();
  await sleep(2000); // let the gateway see them go before the next phase
  const latencies = joins.map((j) => j.latency).sort((a, b) => a - b);
  const sizes = joins.map((j) => j.size);
  return {
    form: compact ? 'compact' : 'plain',
    joins: JOINS,
    seconds,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    bytesPerJoin: sizes.reduce((a, b) => a + b, 0) / sizes.length,
    gatewayCpuMsPerJoin: cpu === undefined ? undefined : (cpu * 1000) / JOINS,
    loadgenCpuSeconds: (used.user + used.system) / 1e6,
    loadgenSysSeconds: used.system / 1e6,
    historyReads,
  };
}

function report(stack: Stack, phases: Phase[]): void {
  const env = environment(TARGET);
  if (printJson({ bench: 'join-storm', room: ROOM, environment: env, concurrency: CONCURRENCY, phases })) return;
  process.stdout.write(`${env.machine}; Redis ${env.redis}; uWS ${env.uws}; target ${env.target}\n`);
  process.stdout.write(`${JOINS} joins into room ${ROOM}, ${CONCURRENCY} connecting at a time, one load generator process\n\n`);
  process.stdout.write(
    '| history frame | all joined in | join p50 / p99 | bytes per join | gateway CPU per join | Redis history reads | load generator CPU |\n| --- | --- | --- | --- | --- | --- | --- |\n',
  );
  for (const r of phases) {
    const cpu = r.gatewayCpuMsPerJoin === undefined ? 'n/a (remote)' : `${r.gatewayCpuMsPerJoin.toFixed(3)} ms`;
    process.stdout.write(
      `| ${r.form} | ${r.seconds.toFixed(2)} s | ${r.p50.toFixed(0)} / ${r.p99.toFixed(0)} ms | ${Math.round(r.bytesPerJoin).toLocaleString('en')} | ${cpu} | ${r.historyReads ?? 'n/a'} | ${r.loadgenCpuSeconds.toFixed(1)} s (${r.loadgenSysSeconds.toFixed(1)} s in the kernel) |\n`,
    );
  }
  if (stack.sources === undefined && JOINS > 20_000)
    process.stdout.write('(one source address: past ~28k sockets the load machine runs out of ephemeral ports)\n');
}

async function runAgainst(stack: Stack): Promise<void> {
  const phases: Phase[] = [];
  for (const compact of [false, true]) phases.push(await storm(stack, compact));
  report(stack, phases);
}

async function main(): Promise<void> {
  if (TARGET) {
    const loopback = /^127\./.test(TARGET.endpoint.host) || TARGET.endpoint.host === 'localhost';
    await runAgainst({
      endpoint: TARGET.endpoint,
      sources: loopback ? Array.from({ length: 8 }, (_, i) => `127.0.0.${2 + i}`) : undefined,
      tokens: (count, prefix) => inParallel(count, 64, (i) => TARGET.token(`${prefix}-${i}`, ROOM)),
      gatewayPid: undefined,
      inspect: undefined,
    });
    return;
  }
  const redis = await LocalRedis.start();
  await seedHistory(redis, ROOM);
  const env = {
    ...redis.env,
    BANTERBOX_SECRET: SECRET,
    LOG_LEVEL: 'info',
    TICK_MS: '1000',
    METRICS_PORT: '0',
    PORT: '0',
    HOST: '127.0.0.1',
    GATEWAY_LEASE_MS: '30000',
  };
  const gateway = startGateway(env);
  const ticker = startTicker(env);
  const inspect = redis.client();
  try {
    const port = Number((await gateway.waitForLog('gateway listening', 20_000)).port);
    await ticker.waitForLog('ticker started', 20_000);
    const exp = Math.floor(Date.now() / 1000) + 3600;
    await runAgainst({
      endpoint: { host: '127.0.0.1', port, tls: false, hostHeader: `127.0.0.1:${port}` },
      sources: Array.from({ length: 8 }, (_, i) => `127.0.0.${2 + i}`),
      tokens: (count, prefix) =>
        Promise.all(Array.from({ length: count }, (_, i) => signToken({ sub: `${prefix}-${i}`, room: ROOM, exp }, SECRET))),
      gatewayPid: gateway.pid,
      inspect,
    });
  } finally {
    inspect.disconnect();
    await Promise.all([gateway.kill(), ticker.kill()]);
    await redis.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
