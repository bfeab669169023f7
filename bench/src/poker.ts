import { join } from 'node:path';
import WebSocket from 'ws';
import { signSession } from '@banterbox/auth';
import { AppProcess } from '@banterbox/local-stack';
import { benchRedis } from './bench-redis';
import { cpuSeconds, machine, rssMiB } from './proc-stats';

/**
 * Poker fan-out benchmark: two gateway processes on one Redis, BENCH_POKER_ROOMS rooms of
 * BENCH_POKER_MEMBERS members each, half of every room on each gateway. The rooms are revealed
 * first, so every estimate is published with its value; each member then estimates
 * BENCH_POKER_RATE times a second for BENCH_SECONDS (spread evenly, not in bursts), with its
 * send time in the comment. One
 * observer per room (on gateway A) measures, for estimates sent through gateway B, the time from
 * send to the event arriving: request → Lua → pub/sub → the other gateway → socket. At the end
 * every observer must hold every member's last estimate.
 */
const ROOMS = Number(process.env.BENCH_POKER_ROOMS ?? 200);
const MEMBERS = Math.max(2, Number(process.env.BENCH_POKER_MEMBERS ?? 8));
const RATE = Math.min(Number(process.env.BENCH_POKER_RATE ?? 2), 15);
const SECONDS = Math.min(Number(process.env.BENCH_SECONDS ?? 10), 120);
const SECRET = 'benchmark-secret-0123456789abcdef';
const GATEWAY_MAIN = join(__dirname, '..', '..', 'apps', 'gateway', 'dist', 'main.js');
const DECK = ['1', '2', '3', '5', '8', '13'];
/** Each interval is cut in this many slices, each sending for its share of the members. */
const SLICES = 25;

interface Member {
  ws: WebSocket;
  userId: string;
  roomId: string;
  onB: boolean;
  last: string;
}

interface Observer {
  /** userId → the newest estimate value this observer has seen. */
  seen: Map<string, string>;
  latencies: number[];
  events: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function open(port: number, userId: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/connect`, { headers: { cookie: `bb_session=${signSession(userId, SECRET)}` } });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Sends a request and resolves on the first event that matches. */
function request(ws: WebSocket, body: unknown, until: (event: Record<string, unknown>) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer to ${JSON.stringify(body)}`)), 15_000);
    const listen = (data: WebSocket.RawData): void => {
      const event = JSON.parse(data.toString()) as Record<string, unknown>;
      if (event.event === 'error') reject(new Error(`error answer to ${JSON.stringify(body)}: ${String(event.message)}`));
      if (!until(event)) return;
      clearTimeout(timer);
      ws.off('message', listen);
      resolve();
    };
    ws.on('message', listen);
    ws.send(JSON.stringify(body));
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function setUpRoom(r: number, ports: [number, number]): Promise<{ members: Member[]; observer: Observer }> {
  const roomId = `bench-${r}`;
  const members: Member[] = [];
  for (let m = 0; m < MEMBERS; m += 1) {
    const userId = `p${r}-${m}`;
    const onB = m % 2 === 1;
    members.push({ ws: await open(ports[onB ? 1 : 0], userId), userId, roomId, onB, last: '' });
  }
  const owner = members[0]!;
  await request(owner.ws, { request: 'createRoom', roomId, deck: DECK }, (e) => e.event === 'roomCreated');
  for (const member of members.slice(1)) {
    await request(member.ws, { request: 'joinRoom', roomId }, (e) => e.event === 'roomUpdated');
  }
  await request(owner.ws, { request: 'reveal', roomId }, (e) => e.event === 'roomRevealed');
  const observer: Observer = { seen: new Map(), latencies: [], events: 0 };
  owner.ws.on('message', (data) => {
    const event = JSON.parse(data.toString()) as { event: string; userId?: string; estimate?: { value: string; comment: string } | null };
    observer.events += 1;
    if (event.event !== 'estimateUpdated' || !event.estimate || !event.userId) return;
    observer.seen.set(event.userId, event.estimate.value);
    const sentAt = Number(event.estimate.comment);
    const sentThroughB = Number(event.userId.split('-')[1]) % 2 === 1;
    if (sentThroughB) observer.latencies.push(Date.now() - sentAt);
  });
  return { members, observer };
}

async function main(): Promise<void> {
  const redis = await benchRedis();
  const env = { ...redis.env, PORT: '0', HOST: '127.0.0.1', METRICS_PORT: '0', BANTERBOX_SECRET: SECRET, LOG_LEVEL: 'info', GATEWAY_LEASE_MS: '30000' };
  const gateways = [AppProcess.start(GATEWAY_MAIN, env), AppProcess.start(GATEWAY_MAIN, env)] as const;
  try {
    const ports = (await Promise.all(gateways.map(async (g) => Number((await g.waitForLog('gateway listening', 20_000)).port)))) as [number, number];
    const rooms: Awaited<ReturnType<typeof setUpRoom>>[] = [];
    for (let r = 0; r < ROOMS; r += 10) rooms.push(...(await Promise.all(Array.from({ length: Math.min(10, ROOMS - r) }, (_, i) => setUpRoom(r + i, ports)))));
    const members = rooms.flatMap((room) => room.members);
    process.stdout.write(`${ROOMS} rooms x ${MEMBERS} members on 2 gateways; estimating ${RATE}/s each for ${SECONDS} s\n`);

    const cpu = { a: cpuSeconds(gateways[0].pid), b: cpuSeconds(gateways[1].pid), redis: redis.cpuSeconds() };
    const started = Date.now();
    let sent = 0;
    // Each member estimates once per interval, members spread evenly over it (no bursts).
    const sliceMs = 1000 / RATE / SLICES;
    for (let slice = 0; Date.now() - started < SECONDS * 1000; slice += 1) {
      for (let i = slice % SLICES; i < members.length; i += SLICES) {
        const member = members[i]!;
        const value = DECK[(i + Math.floor(slice / SLICES)) % DECK.length]!;
        member.last = value;
        member.ws.send(JSON.stringify({ command: 'submitEstimate', roomId: member.roomId, estimate: { value, comment: String(Date.now()) } }));
        sent += 1;
      }
      await sleep(Math.max(0, started + (slice + 1) * sliceMs - Date.now()));
    }
    const sendSeconds = (Date.now() - started) / 1000;
    const behind = (): number => rooms.reduce((n, room) => n + room.members.filter((m) => room.observer.seen.get(m.userId) !== m.last).length, 0);
    const deadline = Date.now() + 30_000;
    while (behind() > 0 && Date.now() < deadline) await sleep(20);
    const elapsed = (Date.now() - started) / 1000;
    const missing = behind();
    const latencies = rooms.flatMap((room) => room.observer.latencies).sort((a, b) => a - b);
    const events = rooms.reduce((n, room) => n + room.observer.events, 0) * MEMBERS;
    const share = (pid: number, start: number): string => `${(((cpuSeconds(pid) - start) / elapsed) * 100).toFixed(0)}%`;
    const lines = [
      `machine:             ${machine()}`,
      `rooms x members:     ${ROOMS} x ${MEMBERS} = ${members.length} sockets, half on each gateway`,
      `estimates sent:      ${sent} in ${sendSeconds.toFixed(2)} s (${Math.round(sent / sendSeconds)} requests/s)`,
      `events delivered:    about ${Math.round(events / elapsed)} /s (observer counts x members)`,
      `cross-gateway delay: p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms, max ${latencies[latencies.length - 1]} ms (${latencies.length} samples)`,
      `last estimates:      ${missing === 0 ? 'every observer holds every member\'s last estimate' : `${missing} MISSING`}`,
      `gateway CPU:         A ${share(gateways[0].pid, cpu.a)}, B ${share(gateways[1].pid, cpu.b)} of one core; RSS A ${rssMiB(gateways[0].pid).toFixed(0)} MiB, B ${rssMiB(gateways[1].pid).toFixed(0)} MiB`,
      `redis CPU:           ${redis.cpuSeconds() === undefined || cpu.redis === undefined ? 'not measured (external Redis)' : `${(((redis.cpuSeconds()! - cpu.redis) / elapsed) * 100).toFixed(0)}%`} of one core (${redis.label})`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    for (const member of members) member.ws.terminate();
    if (missing > 0) process.exitCode = 1;
  } finally {
    await Promise.all(gateways.map((g) => g.kill()));
    await redis.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
