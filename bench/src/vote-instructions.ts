import { VoteStore, renewLease, type RoomOp } from '@banterbox/store';
import { CallgrindRedis } from './callgrind-redis';

/**
 * The Redis cost of a vote in instructions (redis-server under callgrind, counting only inside
 * EVALSHA: the vote script): BENCH_VOTERS (2000) present voters of one room change their votes,
 * BENCH_CALLS (200) script calls of 500 vote ops each, as a gateway's batches do. It prints the
 * instructions per vote op. BENCH_SEGMENTS (0 to 8) gives the room that many segments, each voter
 * in one (their vote then moves their segment's count too); BENCH_VOTE_TTL_S sets the room's vote
 * expiry (each vote is then also scheduled to expire). Needs valgrind; a few seconds.
 */
const VOTERS = Math.min(Number(process.env.BENCH_VOTERS ?? 2000), 100_000);
const CALLS = Math.min(Number(process.env.BENCH_CALLS ?? 200), 10_000);
const OPS_PER_CALL = 500;
const SEGMENTS = Array.from({ length: Math.min(Math.max(0, Number(process.env.BENCH_SEGMENTS ?? 0)), 8) }, (_, i) => `s${i}`);
const VOTE_TTL_MS = Math.max(0, Number(process.env.BENCH_VOTE_TTL_S ?? 0)) * 1000;
const ROOM = 'votes';

async function main(): Promise<void> {
  const counter = await CallgrindRedis.start('bench-vote-instructions');
  try {
    const { redis } = counter;
    const store = new VoteStore(redis, { historyLimit: 60, roomTtlMs: 3_600_000 });
    const meta = {
      options: ['yes', 'no'],
      open: false,
      tickMs: 0,
      ...(SEGMENTS.length > 0 ? { segments: SEGMENTS } : {}),
      ...(VOTE_TTL_MS > 0 ? { voteTtlMs: VOTE_TTL_MS } : {}),
    };
    await store.ensureRoom(ROOM, meta);
    const grant = await renewLease(redis, 'bench-gateway', 3_600_000, 'register', [ROOM]);
    if (!grant) throw new Error('the bench gateway got no lease');
    const plan = { shards: 1, round: 0, voteTtlMs: VOTE_TTL_MS, segmented: SEGMENTS.length > 0 };
    const write = async (ops: RoomOp[]): Promise<void> => {
      const batch = store.batch();
      const applied = store.addRoomOps(batch, ROOM, grant, ops, plan);
      await batch.exec();
      await applied;
    };
    const voters = Array.from({ length: VOTERS }, (_, i) => `voter-${i}`);
    await write(voters.map((user) => ({ op: 'join', user, count: 1 })));
    if (SEGMENTS.length > 0) {
      await write(voters.map((user, i) => ({ op: 'segment', user, segment: SEGMENTS[i % SEGMENTS.length]!, claimed: true })));
    }
    let ts = 1;
    const counted = await counter.count(async () => {
      for (let call = 0; call < CALLS; call += 1) {
        const ops = Array.from({ length: OPS_PER_CALL }, (_, k): RoomOp => {
          const user = voters[(call * OPS_PER_CALL + k) % VOTERS]!;
          return { op: 'vote', user, value: k % 3 === 0 ? 'no' : 'yes', ts: (ts += 1) };
        });
        await write(ops);
      }
    });
    const room = `${SEGMENTS.length > 0 ? `, ${SEGMENTS.length} segments` : ''}${VOTE_TTL_MS > 0 ? `, votes expire after ${VOTE_TTL_MS / 1000} s` : ''}`;
    process.stdout.write(
      `${VOTERS} voters${room}, ${CALLS} calls of ${OPS_PER_CALL} votes counted: ${Math.round(counted / (CALLS * OPS_PER_CALL))} Redis instructions per vote (vote script only, callgrind)\n`,
    );
  } finally {
    await counter.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
