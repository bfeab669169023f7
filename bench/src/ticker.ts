import { setTimeout as sleep } from 'node:timers/promises';
import { VoteStore, registerScripts, renewLease, type ScriptedRedis } from '@banterbox/store';
import { benchRedis, commandStats, type BenchRedis } from './bench-redis';
import { startTicker } from './bench-apps';
import { cpuSeconds, machine } from './proc-stats';
import { percentile } from './percentile';

/**
 * Ticker benchmark: BENCH_ACTIVE_ROOMS (1000,10000,100000) active vote rooms, ticked by
 * BENCH_TICKERS (1,2) ticker replicas for BENCH_SECONDS (10) each. It prints how long a tick took
 * (the slowest replica's, per tick), how many rooms each replica stores per second of its own
 * tick time, and the CPU of the tickers and of Redis. Every tick must store every room once.
 * BENCH_SEGMENTS (0 to 8) gives every room that many segments, each counted apart in every tick.
 * "scripts per tick" is the Redis time of one tick's scripts for all the rooms (µs per room tick
 * times rooms): on one node they run one at a time, so no tick can take less.
 */
const ROOM_COUNTS = (process.env.BENCH_ACTIVE_ROOMS ?? '1000,10000,100000').split(',').map(Number);
const REPLICA_COUNTS = (process.env.BENCH_TICKERS ?? '1,2').split(',').map(Number);
const SECONDS = Math.min(Number(process.env.BENCH_SECONDS ?? 10), 120);
const TICK_MS = 1000;
/** BENCH_SEGMENTS (0): segments per room (SPEC §9), each counted apart in every tick. */
const SEGMENTS = Math.min(Math.max(0, Number(process.env.BENCH_SEGMENTS ?? 0)), 8);
const SEGMENTED = SEGMENTS > 0 ? { segments: Array.from({ length: SEGMENTS }, (_, i) => `s${i}`) } : {};
const GATEWAY = 'bench-gateway';
const CHUNK = 1000;

/** Creates `count` yes/no rooms and marks them active under one long-lived gateway lease. */
async function seedRooms(redis: ScriptedRedis, count: number): Promise<void> {
  const store = new VoteStore(redis, { historyLimit: 60, roomTtlMs: 3_600_000 });
  for (let start = 0; start < count; start += CHUNK) {
    const rooms = Array.from({ length: Math.min(CHUNK, count - start) }, (_, i) => `tick-${start + i}`);
    const batch = store.batch();
    const ensured = rooms.map((room) => store.addEnsureRoom(batch, room, { options: ['yes', 'no'], open: false, tickMs: 0, ...SEGMENTED }));
    await batch.exec();
    await Promise.all(ensured);
    await renewLease(redis, GATEWAY, 3_600_000, 'register', rooms);
  }
}

interface Run {
  rooms: number;
  replicas: number;
  ticks: number;
  complete: number;
  p50Ms: number;
  p99Ms: number;
  roomsPerSecondPerReplica: number;
  tickerCpu: number;
  redisCpu: number | undefined;
  /** Redis CPU per script call (`INFO commandstats` evalsha: almost all of them tick scripts), µs. */
  scriptUsPerCall: number;
  /** Redis CPU of all scripts per room stored (one room's tick), µs. */
  scriptUsPerRoom: number;
}

async function measure(redis: BenchRedis, rooms: number, replicas: number): Promise<Run> {
  const env = {
    ...redis.env,
    TICK_MS: String(TICK_MS),
    LEADER_TTL_MS: '5000',
    GATEWAY_LEASE_MS: '300000',
    LOG_LEVEL: 'debug',
    METRICS_PORT: '0',
    HISTORY_LIMIT: '60',
  };
  const tickers = Array.from({ length: replicas }, (_, i) => startTicker({ ...env, TICKER_ID: `bench-ticker-${i}` }));
  try {
    await Promise.all(tickers.map((t) => t.waitForLog('ticker started', 30_000)));
    // Wait until the partitions are spread and every room is stored each tick.
    const storedAt = (ts: number): number =>
      tickers
        .flatMap((t) => t.lines)
        .filter((l) => l.msg === 'tick' && l.ts === ts)
        .reduce((sum, l) => sum + Number(l.stored), 0);
    const deadline = Date.now() + 60_000;
    // (A tick longer than TICK_MS makes the clock skip boundaries, so look at any recent tick.)
    for (;;) {
      const recent = [...new Set(tickers.flatMap((t) => t.lines.filter((l) => l.msg === 'tick').map((l) => Number(l.ts))))].slice(-5);
      const everyReplicaTicks = tickers.every((t) => t.lines.some((l) => l.msg === 'tick'));
      if (everyReplicaTicks && recent.some((ts) => storedAt(ts) === rooms)) break;
      if (Date.now() > deadline)
        throw new Error(`ticks never covered all ${rooms} rooms (${recent.map(storedAt).join(', ')} in the last ticks)`);
      await sleep(200);
    }
    const from = tickers.map((t) => t.lines.length);
    const cpu = tickers.map((t) => cpuSeconds(t.pid));
    const redisCpu = redis.cpuSeconds();
    const stats = redis.client();
    await stats.config('RESETSTAT');
    const started = Date.now();
    await sleep(SECONDS * 1000 + TICK_MS);
    const elapsed = (Date.now() - started) / 1000;
    const lines = tickers.map((t, i) => t.lines.slice(from[i]).filter((l) => l.msg === 'tick'));
    const byTs = new Map<number, { stored: number; slowest: number }>();
    for (const l of lines.flat()) {
      const entry = byTs.get(Number(l.ts)) ?? { stored: 0, slowest: 0 };
      entry.stored += Number(l.stored);
      entry.slowest = Math.max(entry.slowest, Number(l.durationMs));
      byTs.set(Number(l.ts), entry);
    }
    const ticks = [...byTs.values()];
    const rate = lines.map((replicaLines) => {
      const stored = replicaLines.reduce((sum, l) => sum + Number(l.stored), 0);
      const busy = replicaLines.reduce((sum, l) => sum + Number(l.durationMs), 0) / 1000;
      return busy > 0 ? stored / busy : 0;
    });
    const redisNow = redis.cpuSeconds();
    const scripts = commandStats(await stats.info('commandstats'), 'evalsha');
    stats.disconnect();
    const stored = lines.flat().reduce((sum, l) => sum + Number(l.stored), 0);
    return {
      scriptUsPerCall: scripts.usPerCall,
      scriptUsPerRoom: stored > 0 ? scripts.usec / stored : 0,
      rooms,
      replicas,
      ticks: ticks.length,
      complete: ticks.filter((t) => t.stored === rooms).length,
      p50Ms: percentile(
        ticks.map((t) => t.slowest),
        0.5,
      ),
      p99Ms: percentile(
        ticks.map((t) => t.slowest),
        0.99,
      ),
      roomsPerSecondPerReplica: rate.reduce((a, b) => a + b, 0) / rate.length,
      tickerCpu: tickers.reduce((sum, t, i) => sum + cpuSeconds(t.pid) - cpu[i]!, 0) / elapsed,
      redisCpu: redisNow === undefined || redisCpu === undefined ? undefined : (redisNow - redisCpu) / elapsed,
    };
  } finally {
    // A graceful stop, so that a profiler given in BENCH_TICKER_NODE_ARGS writes its profile.
    await Promise.all(tickers.map((t) => t.stop(10_000)));
  }
}

async function main(): Promise<void> {
  process.stdout.write(`machine: ${machine()}\n`);
  process.stdout.write(
    'rooms    replicas  ticks (all rooms stored)  tick p50 / p99   rooms/s per replica  ticker CPU  redis CPU  µs per script call  redis µs per room tick  scripts per tick\n',
  );
  let failed = false;
  for (const rooms of ROOM_COUNTS) {
    const redis = await benchRedis();
    const client = registerScripts(redis.client());
    try {
      await seedRooms(client, rooms);
      for (const replicas of REPLICA_COUNTS) {
        const run = await measure(redis, rooms, replicas);
        failed ||= run.complete !== run.ticks;
        const pct = (x: number | undefined): string => (x === undefined ? 'n/a' : `${(x * 100).toFixed(0)}%`);
        process.stdout.write(
          `${String(rooms).padEnd(9)}${String(replicas).padEnd(10)}${`${run.ticks} (${run.complete})`.padEnd(26)}${`${run.p50Ms} / ${run.p99Ms} ms`.padEnd(17)}${String(Math.round(run.roomsPerSecondPerReplica)).padEnd(21)}${pct(run.tickerCpu).padEnd(12)}${pct(run.redisCpu).padEnd(11)}${run.scriptUsPerCall.toFixed(1).padEnd(21)}${run.scriptUsPerRoom.toFixed(1).padEnd(24)}${`${((run.scriptUsPerRoom * rooms) / 1000).toFixed(0)} ms`.padEnd(18)}[${redis.label}]\n`,
        );
      }
    } finally {
      client.disconnect();
      await redis.stop();
    }
  }
  if (failed) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
