import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { machine } from './proc-stats';

/** Where the load goes: host, port, TLS, and the Host header the handshake sends. */
export interface Endpoint {
  host: string;
  port: number;
  tls: boolean;
  hostHeader: string;
}

/**
 * A deployed gateway or ingress to drive instead of a local stack (BENCH_TARGET=https://host,
 * with BANTERBOX_ADMIN_KEY to mint tokens). The bench then measures what a client sees; the
 * server's CPU and Redis are the deployment's own dashboards' business.
 */
export interface BenchTarget {
  url: URL;
  endpoint: Endpoint;
  /** Mints a token for `user` in `room` through the admin API. */
  token(user: string, room: string): Promise<string>;
  /** Creates a vote room through the admin API (`body` as POST /api/rooms takes it). */
  createRoom(body: Record<string, unknown>): Promise<void>;
  /** A room's live tally through GET /api/rooms/<room>. */
  liveTally(room: string): Promise<{ votes: Record<string, number>; connected: number }>;
}

export function benchTarget(): BenchTarget | undefined {
  const raw = process.env.BENCH_TARGET;
  if (!raw) return undefined;
  const url = new URL(raw);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`BENCH_TARGET must be an http(s) URL, not ${raw}`);
  const adminKey = process.env.BANTERBOX_ADMIN_KEY;
  if (!adminKey) throw new Error('BENCH_TARGET needs BANTERBOX_ADMIN_KEY (the bench mints its viewers tokens through the admin API)');
  const tls = url.protocol === 'https:';
  const port = Number(url.port || (tls ? 443 : 80));
  const admin = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };
  return {
    url,
    endpoint: { host: url.hostname, port, tls, hostHeader: url.host },
    async token(user, room) {
      const response = await fetch(new URL('/api/tokens', url), {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({ user_id: user, room, ttl_s: 3600 }),
      });
      if (!response.ok) throw new Error(`POST /api/tokens: HTTP ${response.status} ${await response.text()}`);
      return ((await response.json()) as { token: string }).token;
    },
    async createRoom(body) {
      const response = await fetch(new URL('/api/rooms', url), { method: 'POST', headers: admin, body: JSON.stringify(body) });
      if (!response.ok) throw new Error(`POST /api/rooms: HTTP ${response.status} ${await response.text()}`);
    },
    async liveTally(room) {
      const response = await fetch(new URL(`/api/rooms/${encodeURIComponent(room)}`, url));
      if (!response.ok) throw new Error(`GET /api/rooms/${room}: HTTP ${response.status}`);
      return (await response.json()) as { votes: Record<string, number>; connected: number };
    },
  };
}

/** Runs `count` async jobs, `concurrency` at a time. */
export async function inParallel<T>(count: number, concurrency: number, job: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array<T>(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await job(i);
      }
    }),
  );
  return results;
}

/** What a result needs to be reproduced: the machine, and the versions of Node, Redis and uWS. */
export function environment(target: BenchTarget | undefined): Record<string, string> {
  let redis = 'remote (BENCH_TARGET)';
  if (!target) {
    try {
      redis = execFileSync('redis-server', ['--version'], { encoding: 'utf8' }).trim();
    } catch {
      redis = 'unknown';
    }
  }
  let uws = 'unknown';
  try {
    uws = (JSON.parse(readFileSync(require.resolve('uWebSockets.js/package.json'), 'utf8')) as { version: string }).version;
  } catch {
    // not installed here (a load machine aiming at a deployment): nothing to report
  }
  // The command that reproduces the run: its BENCH_* settings (never the admin key), the script, its flags.
  const settings = Object.entries(process.env)
    .filter(([name]) => name.startsWith('BENCH_'))
    .map(([name, value]) => `${name}=${value}`);
  const script = relative(process.cwd(), process.argv[1] ?? '');
  const command = [...settings, 'node', script, ...process.argv.slice(2)].join(' ');
  return { machine: machine(), node: process.version, redis, uws, target: target ? target.url.origin : 'local stack', command };
}

/** With `--json` on the command line, prints `result` as one JSON document and returns true. */
export function printJson(result: unknown): boolean {
  if (!process.argv.includes('--json')) return false;
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  return true;
}
