import { signToken } from '@banterbox/auth';
import { openRawTo, textFrame, type RawSocket } from './raw-ws';
import type { Endpoint } from './target';

export interface VoteClientSpec {
  user: string;
  room: string;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Opens `count` raw vote sockets on a gateway (250 at a time), authenticates socket i as
 * `spec(i)` with a token signed by `secret`, and waits until each has its history frame.
 */
export async function joinVoteSockets(port: number, count: number, spec: (i: number) => VoteClientSpec, secret: string, timeoutMs = 60_000): Promise<RawSocket[]> {
  const exp = Math.floor(Date.now() / 1000) + 3600;
  const endpoint: Endpoint = { host: '127.0.0.1', port, tls: false, hostHeader: `127.0.0.1:${port}` };
  return joinVoteSocketsTo(endpoint, count, spec, (user, room) => signToken({ sub: user, room, exp }, secret), timeoutMs);
}

/** The same against any endpoint, with tokens from `token` (the admin API of a BENCH_TARGET). */
export async function joinVoteSocketsTo(
  endpoint: Endpoint,
  count: number,
  spec: (i: number) => VoteClientSpec,
  token: (user: string, room: string) => Promise<string>,
  timeoutMs = 60_000,
  /** A loopback source address (127.0.0.x), for more ephemeral ports than one address has. */
  localAddress?: string,
): Promise<RawSocket[]> {
  const sockets: RawSocket[] = [];
  for (let start = 0; start < count; start += 250) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(250, count - start) }, async (_, j) => {
        const { user, room } = spec(start + j);
        const raw = await openRawTo(endpoint, '/api/vote_ws/', localAddress);
        raw.socket.write(textFrame(JSON.stringify({ auth: { user_id: user, room, token: await token(user, room) } })));
        return raw;
      }),
    );
    sockets.push(...batch);
  }
  const deadline = Date.now() + timeoutMs;
  while (sockets.some((s) => !s.received().includes('{"data"'))) {
    if (Date.now() > deadline) throw new Error('not every socket received its history frame');
    await sleep(50);
  }
  return sockets;
}

const POINT_TS = /"ts":(\d+)/g;

/** What a set of viewer sockets received while watched. */
export interface Watched {
  seconds: number;
  /** Bytes each socket received. */
  received: number[];
  /** Receive time minus each point's tick time, ms, on the first `sampleSize` sockets. */
  latencies: number[];
}

/** Watches `sockets` for `seconds`: what each received, and how late its snapshots were (sampled). */
export async function watchSnapshots(sockets: RawSocket[], seconds: number, sampleSize: number): Promise<Watched> {
  const start = sockets.map((s) => s.bytesReceived());
  const latencies: number[] = [];
  const listen = (chunk: Buffer): void => {
    const now = Date.now();
    for (const match of chunk.toString('latin1').matchAll(POINT_TS)) latencies.push(now - Number(match[1]));
  };
  const sample = sockets.slice(0, sampleSize);
  for (const s of sample) s.socket.on('data', listen);
  const began = Date.now();
  await sleep(seconds * 1000);
  for (const s of sample) s.socket.off('data', listen);
  return { seconds: (Date.now() - began) / 1000, received: sockets.map((s, i) => s.bytesReceived() - start[i]!), latencies };
}
