import { signToken } from '@banterbox/auth';
import { joinVoteSocketsTo, watchSnapshots, type VoteClientSpec } from './vote-clients';

/**
 * One load generator process of the fanout bench (several share a big run: a process may hold at
 * most ~20,000 sockets here, and one process cannot read 50,000 sockets a tick in time). Joins
 * LOADGEN_SOCKETS viewers to the gateway on LOADGEN_PORT from source address LOADGEN_SOURCE,
 * prints {"msg":"joined"}, waits for a line on stdin, watches for LOADGEN_SECONDS and prints what
 * each socket received and the tick-to-client latencies it sampled, as one JSON line. With
 * LOADGEN_QUIET=1 only the sampled sockets read while watching (see watchSnapshots).
 */
const PORT = Number(process.env.LOADGEN_PORT);
const COUNT = Number(process.env.LOADGEN_SOCKETS);
const FIRST = Number(process.env.LOADGEN_FIRST ?? 0);
const SOURCE = process.env.LOADGEN_SOURCE ?? '127.0.0.1';
const ROOMS = Number(process.env.LOADGEN_ROOMS ?? 1);
const SECONDS = Number(process.env.LOADGEN_SECONDS ?? 10);
const SECRET = process.env.LOADGEN_SECRET ?? '';
const QUIET = process.env.LOADGEN_QUIET === '1';

async function main(): Promise<void> {
  const exp = Math.floor(Date.now() / 1000) + 3600;
  const endpoint = { host: '127.0.0.1', port: PORT, tls: false, hostHeader: `127.0.0.1:${PORT}` };
  const spec = (i: number): VoteClientSpec => ({ user: `viewer-${FIRST + i}`, room: `fan-${(FIRST + i) % ROOMS}` });
  const sign = (user: string, room: string): Promise<string> => signToken({ sub: user, room, exp }, SECRET);
  const sockets = await joinVoteSocketsTo(endpoint, COUNT, spec, sign, 120_000, SOURCE);
  process.stdout.write(`${JSON.stringify({ msg: 'joined', sockets: sockets.length })}\n`);
  await new Promise((resolve) => process.stdin.once('data', resolve));
  const watched = await watchSnapshots(sockets, SECONDS, 300, QUIET);
  process.stdout.write(`${JSON.stringify({ msg: 'watched', ...watched })}\n`);
  for (const s of sockets) s.socket.destroy();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
