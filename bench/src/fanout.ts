import { join } from 'node:path';
import { AppProcess } from '@banterbox/local-stack';
import { benchRedis } from './bench-redis';
import { cpuSeconds, machine, rssMiB } from './proc-stats';
import { joinVoteSockets } from './vote-clients';

/**
 * Fan-out and memory benchmark, for sizing gateways: BENCH_SOCKETS viewers (no votes) in
 * BENCH_ROOMS rooms on one gateway process, a real ticker ticking every BENCH_TICK_MS. It prints
 * the gateway's memory per connection (RSS before and after connecting) and its CPU while every
 * tick's snapshot goes out to every socket, and checks every socket got every snapshot.
 */
const SOCKETS = Number(process.env.BENCH_SOCKETS ?? 10_000);
const ROOMS = Number(process.env.BENCH_ROOMS ?? 1);
const SECONDS = Math.min(Number(process.env.BENCH_SECONDS ?? 10), 120);
const TICK_MS = Number(process.env.BENCH_TICK_MS ?? 1000);
const SECRET = 'benchmark-secret-0123456789abcdef';
const APPS = join(__dirname, '..', '..', 'apps');

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));


async function main(): Promise<void> {
  const redis = await benchRedis();
  const env = { ...redis.env, BANTERBOX_SECRET: SECRET, LOG_LEVEL: 'info', TICK_MS: String(TICK_MS), METRICS_PORT: '0', GATEWAY_LEASE_MS: '30000' };
  const gateway = AppProcess.start(join(APPS, 'gateway', 'dist', 'main.js'), { ...env, PORT: '0', HOST: '127.0.0.1' });
  const ticker = AppProcess.start(join(APPS, 'ticker', 'dist', 'main.js'), { ...env, LEADER_TTL_MS: String(Math.max(5000, TICK_MS * 3)) });
  try {
    const port = Number((await gateway.waitForLog('gateway listening', 20_000)).port);
    await ticker.waitForLog('leadership acquired', 20_000);
    await sleep(1000);
    const rssBefore = rssMiB(gateway.pid);
    const sockets = await joinVoteSockets(port, SOCKETS, (i) => ({ user: `viewer-${i}`, room: `fan-${i % ROOMS}` }), SECRET);
    await sleep(2 * TICK_MS);
    const rssAfter = rssMiB(gateway.pid);
    process.stdout.write(`connected ${sockets.length} viewers in ${ROOMS} room(s); measuring for ${SECONDS} s\n`);

    const bytesAtStart = sockets.map((s) => s.bytesReceived());
    const cpu = { gateway: cpuSeconds(gateway.pid), redis: redis.cpuSeconds(), ticker: cpuSeconds(ticker.pid) };
    const started = Date.now();
    await sleep(SECONDS * 1000);
    const elapsed = (Date.now() - started) / 1000;
    const share = (pid: number, from: number): string => `${(((cpuSeconds(pid) - from) / elapsed) * 100).toFixed(0)}%`;
    const redisShare = (from: number | undefined): string => {
      const now = redis.cpuSeconds();
      return from === undefined || now === undefined ? 'not measured' : `${(((now - from) / elapsed) * 100).toFixed(0)}%`;
    };
    const received = sockets.map((s, i) => s.bytesReceived() - bytesAtStart[i]!);
    // A snapshot frame of one yes/no point is about 70 bytes; every socket must have had one per tick.
    const ticks = (elapsed * 1000) / TICK_MS;
    const frameBytes = Math.min(...received) / Math.floor(ticks - 1);
    const short = received.filter((bytes) => bytes < (ticks - 2) * 60).length;
    const totalBytes = received.reduce((a, b) => a + b, 0);
    const lines = [
      `machine:          ${machine()}`,
      `viewers / rooms:  ${sockets.length} / ${ROOMS}, one snapshot per ${TICK_MS} ms tick`,
      `gateway memory:   ${rssBefore.toFixed(0)} MiB before, ${rssAfter.toFixed(0)} MiB after connecting: ${(((rssAfter - rssBefore) * 1024) / sockets.length).toFixed(1)} KiB per connection`,
      `fan-out:          ${Math.round((sockets.length * 1000) / TICK_MS)} snapshots/s, ${((totalBytes / elapsed) / 1024 / 1024).toFixed(2)} MiB/s (about ${frameBytes.toFixed(0)} bytes each)`,
      `every snapshot:   ${short === 0 ? 'every viewer got every tick' : `${short} viewers MISSED ticks`}`,
      `redis:            ${redis.label}`,
      `CPU:              gateway ${share(gateway.pid, cpu.gateway)}, ticker ${share(ticker.pid, cpu.ticker)}, redis ${redisShare(cpu.redis)} of one core`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    for (const socket of sockets) socket.socket.destroy();
    if (short > 0) process.exitCode = 1;
  } finally {
    await gateway.kill();
    await ticker.kill();
    await redis.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
