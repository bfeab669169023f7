import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { signSession } from '@banterbox/auth';
import { benchRedis } from './bench-redis';
import { startGateway } from './bench-apps';
import { cpuSeconds, rssMiB } from './proc-stats';
import { benchTarget, environment, printJson, type BenchTarget } from './target';
import { percentile } from './percentile';

/**
 * Poker fan-out benchmark: two gateway processes on one Redis, BENCH_POKER_ROOMS rooms of
 * BENCH_POKER_MEMBERS members each, half of every room on each gateway. The rooms are revealed
 * first, so every estimate is published with its value; each member then estimates
 * BENCH_POKER_RATE times a second for BENCH_SECONDS (spread evenly, not in bursts), with its
 * send time in the comment. One
 * observer per room (on gateway A) measures, for estimates sent through gateway B, the time from
 * send to the event arriving: request → Lua → pub/sub → the other gateway → socket. At the end
 * every observer must hold every member's last estimate.
 *
 * BENCH_TARGET=https://host drives a deployed gateway or ingress instead: each member gets its
 * session from GET /api/session there, the observer measures every other member's estimates
 * (which gateway each socket reached is the load balancer's choice), and the server's CPU is for
 * the deployment's own dashboards. `--json` prints the results as one JSON document.
 */
const ROOMS = Number(process.env.BENCH_POKER_ROOMS ?? 200);
const MEMBERS = Math.max(2, Number(process.env.BENCH_POKER_MEMBERS ?? 8));
const RATE = Math.min(Number(process.env.BENCH_POKER_RATE ?? 2), 15);
const SECONDS = Math.min(Number(process.env.BENCH_SECONDS ?? 10), 120);
const SECRET = 'benchmark-secret-0123456789abcdef';
const DECK = ['1', '2', '3', '5', '8', '13'];
/** Each interval is cut in this many slices, each sending for its share of the members. */
const SLICES = 25;
const TARGET = benchTarget();

/** A member's open /connect socket and the user id the server gave it (its connectionInfo). */
interface Opened {
  ws: WebSocket;
  userId: string;
}

/** Opens a member's /connect socket: through gateway A or B of the local stack, or to the target. */
type Opener = (userId: string, onB: boolean) => Promise<Opened>;

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

/** Opens a socket and waits for the server's first event, connectionInfo (it can arrive with the upgrade). */
function openWith(url: string, cookie: string): Promise<Opened> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: { cookie } });
    ws.once('message', (data) => {
      const hello = JSON.parse(data.toString()) as { event?: string; userId?: string };
      if (hello.event === 'connectionInfo' && hello.userId) resolve({ ws, userId: hello.userId });
      else reject(new Error(`expected connectionInfo first, got ${data.toString()}`));
    });
    ws.once('error', reject);
  });
}

/** The local stack's gateways: a session cookie signed with the bench's secret. */
const localOpener =
  (ports: [number, number]): Opener =>
  (userId, onB) =>
    openWith(`ws://127.0.0.1:${ports[onB ? 1 : 0]}/connect`, `bb_session=${signSession(userId, SECRET)}`);

/** A target's: a fresh session from its GET /api/session (the user id is the server's). */
function targetOpener(target: BenchTarget): Opener {
  const base = new URL('/connect', target.url);
  base.protocol = target.endpoint.tls ? 'wss:' : 'ws:';
  return async () => {
    const response = await fetch(new URL('/api/session', target.url));
    const cookie = /bb_session=[^;]+/.exec(response.headers.get('set-cookie') ?? '')?.[0];
    if (!response.ok || !cookie) throw new Error(`GET /api/session gave no session cookie (HTTP ${response.status})`);
    return openWith(base.toString(), cookie);
  };
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

async function setUpRoom(r: number, open: Opener, run: string): Promise<{ members: Member[]; observer: Observer }> {
  const roomId = `bench-${run}${r}`;
  const members: Member[] = [];
  for (let m = 0; m < MEMBERS; m += 1) {
    const onB = m % 2 === 1;
    // The server says who the socket is (a target's sessions get ids of its own).
    const { ws, userId } = await open(`p${r}-${m}`, onB);
    members.push({ ws, userId, roomId, onB, last: '' });
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
    // Locally: estimates sent through the other gateway. On a target: every other member's.
    const sender = members.find((m) => m.userId === event.userId);
    if (sender && sender !== owner && (TARGET !== undefined || sender.onB)) observer.latencies.push(Date.now() - sentAt);
  });
  return { members, observer };
}

/** What a run measured, local or against a target. */
interface Measured {
  members: Member[];
  sent: number;
  sendSeconds: number;
  elapsed: number;
  missing: number;
  latencies: number[];
  eventsPerSecond: number;
}

/** Sets up the rooms, has every member estimate for SECONDS, and waits for every last estimate. */
async function measure(open: Opener, run: string, onStart: () => void): Promise<Measured> {
  const rooms: Awaited<ReturnType<typeof setUpRoom>>[] = [];
  for (let r = 0; r < ROOMS; r += 10)
    rooms.push(...(await Promise.all(Array.from({ length: Math.min(10, ROOMS - r) }, (_, i) => setUpRoom(r + i, open, run)))));
  const members = rooms.flatMap((room) => room.members);
  const where = TARGET ? `at ${TARGET.url.origin}` : 'on 2 gateways';
  (process.argv.includes('--json') ? process.stderr : process.stdout).write(
    `${ROOMS} rooms x ${MEMBERS} members ${where}; estimating ${RATE}/s each for ${SECONDS} s\n`,
  );
  onStart();
  const started = Date.now();
  let sent = 0;
  // Each member estimates once per interval, members spread evenly over it (no bursts).
  const sliceMs = 1000 / RATE / SLICES;
  for (let slice = 0; Date.now() - started < SECONDS * 1000; slice += 1) {
    for (let i = slice % SLICES; i < members.length; i += SLICES) {
      const member = members[i]!;
      const value = DECK[(i + Math.floor(slice / SLICES)) % DECK.length]!;
      member.last = value;
      member.ws.send(
        JSON.stringify({ command: 'submitEstimate', roomId: member.roomId, estimate: { value, comment: String(Date.now()) } }),
      );
      sent += 1;
    }
    await sleep(Math.max(0, started + (slice + 1) * sliceMs - Date.now()));
  }
  const sendSeconds = (Date.now() - started) / 1000;
  const behind = (): number =>
    rooms.reduce((n, room) => n + room.members.filter((m) => room.observer.seen.get(m.userId) !== m.last).length, 0);
  const deadline = Date.now() + 30_000;
  while (behind() > 0 && Date.now() < deadline) await sleep(20);
  const elapsed = (Date.now() - started) / 1000;
  const events = rooms.reduce((n, room) => n + room.observer.events, 0) * MEMBERS;
  return {
    members,
    sent,
    sendSeconds,
    elapsed,
    missing: behind(),
    latencies: rooms.flatMap((room) => room.observer.latencies).sort((a, b) => a - b),
    eventsPerSecond: Math.round(events / elapsed),
  };
}

/** The lines and JSON fields every run reports. */
function report(m: Measured): { lines: string[]; result: Record<string, unknown> } {
  const delay = {
    p50: percentile(m.latencies, 0.5),
    p99: percentile(m.latencies, 0.99),
    max: m.latencies[m.latencies.length - 1],
    samples: m.latencies.length,
  };
  return {
    result: {
      rooms: ROOMS,
      members: MEMBERS,
      estimatesSent: m.sent,
      requestsPerSecond: Math.round(m.sent / m.sendSeconds),
      eventsPerSecond: m.eventsPerSecond,
      delayMs: delay,
      missing: m.missing,
    },
    lines: [
      `estimates sent:      ${m.sent} in ${m.sendSeconds.toFixed(2)} s (${Math.round(m.sent / m.sendSeconds)} requests/s)`,
      `events delivered:    about ${m.eventsPerSecond} /s (observer counts x members)`,
      `${TARGET ? 'estimate delay:     ' : 'cross-gateway delay:'} p50 ${delay.p50} ms, p99 ${delay.p99} ms, max ${delay.max} ms (${delay.samples} samples)`,
      `last estimates:      ${m.missing === 0 ? "every observer holds every member's last estimate" : `${m.missing} MISSING`}`,
    ],
  };
}

async function main(): Promise<void> {
  if (TARGET) {
    const measured = await measure(targetOpener(TARGET), `${Date.now().toString(36)}-`, () => undefined);
    const { lines, result } = report(measured);
    for (const member of measured.members) member.ws.terminate();
    if (measured.missing > 0) process.exitCode = 1;
    const env = environment(TARGET);
    if (!printJson({ bench: 'poker', environment: env, ...result }))
      process.stdout.write(`${[`machine:             ${env.machine}; target ${env.target}`, ...lines].join('\n')}\n`);
    return;
  }
  const redis = await benchRedis();
  const env = {
    ...redis.env,
    PORT: '0',
    HOST: '127.0.0.1',
    METRICS_PORT: '0',
    BANTERBOX_SECRET: SECRET,
    LOG_LEVEL: 'info',
    GATEWAY_LEASE_MS: '30000',
  };
  const gateways = [startGateway(env), startGateway(env)] as const;
  try {
    const ports = (await Promise.all(gateways.map(async (g) => Number((await g.waitForLog('gateway listening', 20_000)).port)))) as [
      number,
      number,
    ];
    let cpu = { a: 0, b: 0, redis: undefined as number | undefined };
    const measured = await measure(
      localOpener(ports),
      '',
      () => (cpu = { a: cpuSeconds(gateways[0].pid), b: cpuSeconds(gateways[1].pid), redis: redis.cpuSeconds() }),
    );
    const { lines, result } = report(measured);
    const share = (pid: number, start: number): number => (cpuSeconds(pid) - start) / measured.elapsed;
    const redisNow = redis.cpuSeconds();
    const cpuShare = {
      gatewayA: share(gateways[0].pid, cpu.a),
      gatewayB: share(gateways[1].pid, cpu.b),
      redis: redisNow === undefined || cpu.redis === undefined ? undefined : (redisNow - cpu.redis) / measured.elapsed,
    };
    const rss = { a: rssMiB(gateways[0].pid), b: rssMiB(gateways[1].pid) };
    for (const member of measured.members) member.ws.terminate();
    if (measured.missing > 0) process.exitCode = 1;
    const run = environment(undefined);
    if (printJson({ bench: 'poker', environment: run, redis: redis.label, ...result, cpuShareOfOneCore: cpuShare, rssMiB: rss })) return;
    const pct = (x: number | undefined): string => (x === undefined ? 'not measured (external Redis)' : `${(x * 100).toFixed(0)}%`);
    process.stdout.write(
      `${[
        `machine:             ${run.machine}`,
        `rooms x members:     ${ROOMS} x ${MEMBERS} = ${measured.members.length} sockets, half on each gateway`,
        ...lines,
        `gateway CPU:         A ${pct(cpuShare.gatewayA)}, B ${pct(cpuShare.gatewayB)} of one core; RSS A ${rss.a.toFixed(0)} MiB, B ${rss.b.toFixed(0)} MiB`,
        `redis CPU:           ${pct(cpuShare.redis)} of one core (${redis.label})`,
      ].join('\n')}\n`,
    );
  } finally {
    await Promise.all(gateways.map((g) => g.kill()));
    await redis.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
