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
): Promise<RawSocket[]> {
  const sockets: RawSocket[] = [];
  for (let start = 0; start < count; start += 250) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(250, count - start) }, async (_, j) => {
        const { user, room } = spec(start + j);
        const raw = await openRawTo(endpoint, '/api/vote_ws/');
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
