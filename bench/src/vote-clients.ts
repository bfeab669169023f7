import { setTimeout as sleep } from 'node:timers/promises';
import { signToken } from '@banterbox/auth';
import { openRawTo, textFrame, type RawSocket } from './raw-ws';
import type { Endpoint } from './target';

export interface VoteClientSpec {
  user: string;
  room: string;
}

/**
 * Opens `count` raw vote sockets on a gateway (250 at a time), authenticates socket i as
 * `spec(i)` with a token signed by `secret`, and waits until each has its history frame.
 */
export async function joinVoteSockets(
  port: number,
  count: number,
  spec: (i: number) => VoteClientSpec,
  secret: string,
  timeoutMs = 60_000,
): Promise<RawSocket[]> {
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
  /** Receive time minus each point's tick time, ms, on `sampleSize` sockets spread evenly over all. */
  latencies: number[];
}

/**
 * Watches `sockets` for `seconds`: what each received, and how late its snapshots were, on a
 * sample spread evenly over the sockets (so over the order the server writes them in).
 *
 * `quiet`: the sockets outside the sample do not read during the window (their snapshots wait in
 * the kernel; the server's work to send them is the same), and are read afterwards to check that
 * every tick arrived. The sample's latency is then the server's and the network's, not this
 * process's time to read every socket: on one machine the load generator would otherwise be
 * most of it.
 */
export async function watchSnapshots(sockets: RawSocket[], seconds: number, sampleSize: number, quiet = false): Promise<Watched> {
  const start = sockets.map((s) => s.bytesReceived());
  const latencies: number[] = [];
  const listen = (chunk: Buffer): void => {
    const now = Date.now();
    for (const match of chunk.toString('latin1').matchAll(POINT_TS)) latencies.push(now - Number(match[1]));
  };
  const every = Math.max(1, Math.floor(sockets.length / Math.max(1, sampleSize)));
  const sampled = new Set(sockets.filter((_, i) => i % every === 0).slice(0, sampleSize));
  const rest = quiet ? sockets.filter((s) => !sampled.has(s)) : [];
  for (const s of rest) s.socket.pause();
  for (const s of sampled) s.socket.on('data', listen);
  const began = Date.now();
  await sleep(seconds * 1000);
  const watchedSeconds = (Date.now() - began) / 1000;
  for (const s of sampled) s.socket.off('data', listen);
  if (rest.length > 0) {
    // Read what waited, until nothing more comes in for a moment (bounded: at most 10 s).
    for (const s of rest) s.socket.resume();
    const until = Date.now() + 10_000;
    let last = -1;
    for (let total = 0; total !== last && Date.now() < until; await sleep(300)) {
      last = total;
      total = rest.reduce((sum, s) => sum + s.bytesReceived(), 0);
    }
  }
  return { seconds: watchedSeconds, received: sockets.map((s, i) => s.bytesReceived() - start[i]!), latencies };
}
