import { TickEngine, VoteStore } from '@banterbox/store';
import { CallgrindRedis } from './callgrind-redis';

/**
 * The Redis cost of a room tick in instructions, which unlike CPU time does not move with what
 * else the machine is doing: redis-server runs under valgrind's callgrind, counting only inside
 * EVALSHA (the tick scripts), while the ticker's engine ticks BENCH_ACTIVE_ROOMS (2000) yes/no
 * rooms of one node. After BENCH_WARM_TICKS (5) ticks, so that every room is steady, it counts
 * BENCH_TICKS (8) ticks and prints the instructions per room tick; BENCH_SEGMENTS (0 to 8) gives
 * every room that many segments (SPEC §9), each counted apart in every tick. Needs valgrind
 * (`apt-get install valgrind`); about a minute. Compare builds by running each build's copy.
 */
const ROOMS = Math.min(Number(process.env.BENCH_ACTIVE_ROOMS ?? 2000), 20_000);
const WARM_TICKS = Math.min(Number(process.env.BENCH_WARM_TICKS ?? 5), 100);
const TICKS = Math.min(Number(process.env.BENCH_TICKS ?? 8), 100);
const CHUNK = 1000;
const SETTINGS = { historyLimit: 60, roomTtlMs: 3_600_000 };
/** BENCH_SEGMENTS (0): segments per room (SPEC §9), each counted apart in every tick. */
const SEGMENTS = Math.min(Math.max(0, Number(process.env.BENCH_SEGMENTS ?? 0)), 8);
const SEGMENTED = SEGMENTS > 0 ? { segments: Array.from({ length: SEGMENTS }, (_, i) => `s${i}`) } : {};

async function main(): Promise<void> {
  const counter = await CallgrindRedis.start('bench-instructions');
  try {
    const { redis } = counter;
    const store = new VoteStore(redis, SETTINGS);
    const rooms = Array.from({ length: ROOMS }, (_, i) => `tick-${i}`);
    for (let start = 0; start < ROOMS; start += CHUNK) {
      const batch = store.batch();
      const ensured = rooms
        .slice(start, start + CHUNK)
        .map((room) => store.addEnsureRoom(batch, room, { options: ['yes', 'no'], open: false, tickMs: 0, ...SEGMENTED }));
      await batch.exec();
      await Promise.all(ensured);
    }
    const engine = new TickEngine(redis, SETTINGS);
    let ts = Math.floor(Date.now() / 1000) * 1000;
    const tickAll = async (): Promise<void> => {
      ts += 1000;
      for (let start = 0; start < ROOMS; start += CHUNK) await engine.tick(rooms.slice(start, start + CHUNK), 1, ts);
    };
    for (let i = 0; i < WARM_TICKS; i += 1) await tickAll();
    const counted = await counter.count(async () => {
      for (let i = 0; i < TICKS; i += 1) await tickAll();
    });
    process.stdout.write(
      `${ROOMS} rooms${SEGMENTS > 0 ? ` of ${SEGMENTS} segments` : ''}, ${TICKS} ticks counted: ${Math.round(counted / (ROOMS * TICKS))} Redis instructions per room tick (tick scripts only, callgrind)\n`,
    );
  } finally {
    await counter.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
