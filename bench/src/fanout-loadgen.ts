import { signToken } from '@banterbox/auth';
import { openRawTo, textFrame, type RawSocket } from './raw-ws';

/**
 * One load generator process of the fanout bench (several share a big run: a process may hold at
 * most ~20,000 sockets here, and one process cannot read 50,000 sockets a tick in time). Joins
 * LOADGEN_SOCKETS viewers to the gateway on LOADGEN_PORT from source address LOADGEN_SOURCE,
 * prints {"msg":"joined"}, waits for a line on stdin, watches for LOADGEN_SECONDS and prints what
 * each socket received and the tick-to-client latencies it sampled, as one JSON line.
 */
const PORT = Number(process.env.LOADGEN_PORT);
const COUNT = Number(process.env.LOADGEN_SOCKETS);
const FIRST = Number(process.env.LOADGEN_FIRST ?? 0);
const SOURCE = process.env.LOADGEN_SOURCE ?? '127.0.0.1';
const ROOMS = Number(process.env.LOADGEN_ROOMS ?? 1);
const SECONDS = Number(process.env.LOADGEN_SECONDS ?? 10);
const SECRET = process.env.LOADGEN_SECRET ?? '';
const TS = /"ts":(\d+)/g;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const exp = Math.floor(Date.now() / 1000) + 3600;
  const endpoint = { host: '127.0.0.1', port: PORT, tls: false, hostHeader: `127.0.0.1:${PORT}` };
  const sockets: RawSocket[] = [];
  for (let start = 0; start < COUNT; start += 250) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(250, COUNT - start) }, async (_, j) => {
        const i = FIRST + start + j;
        const room = `fan-${i % ROOMS}`;
        const raw = await openRawTo(endpoint, '/api/vote_ws/', SOURCE);
        raw.socket.write(textFrame(JSON.stringify({ auth: { room, token: await signToken({ sub: `viewer-${i}`, room, exp }, SECRET) } })));
        return raw;
      }),
    );
    sockets.push(...batch);
  }
  while (sockets.some((s) => !s.received().includes('{"data"'))) await sleep(50);
  process.stdout.write(`${JSON.stringify({ msg: 'joined', sockets: sockets.length })}\n`);
  await new Promise((resolve) => process.stdin.once('data', resolve));

  const start = sockets.map((s) => s.bytesReceived());
  const latencies: number[] = [];
  const listen = (chunk: Buffer): void => {
    const now = Date.now();
    for (const match of chunk.toString('latin1').matchAll(TS)) latencies.push(now - Number(match[1]));
  };
  const sample = sockets.slice(0, 300);
  for (const s of sample) s.socket.on('data', listen);
  const began = Date.now();
  await sleep(SECONDS * 1000);
  for (const s of sample) s.socket.off('data', listen);
  const received = sockets.map((s, i) => s.bytesReceived() - start[i]!);
  process.stdout.write(`${JSON.stringify({ msg: 'watched', seconds: (Date.now() - began) / 1000, received, latencies })}\n`);
  for (const s of sockets) s.socket.destroy();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
