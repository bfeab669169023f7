import { setTimeout as sleep } from 'node:timers/promises';
import { VoteStore, keys, registerScripts, type RedisClient } from '@banterbox/store';
import { benchRedis, commandStats } from './bench-redis';
import { startGateway } from './bench-apps';
import { cpuSeconds, machine, rssMiB } from './proc-stats';
import { benchTarget, environment, printJson, type BenchTarget } from './target';
import { textFrame, type RawSocket } from './raw-ws';
import { joinVoteSockets, joinVoteSocketsTo, type VoteClientSpec } from './vote-clients';

/**
 * Ingest benchmark: BENCH_SOCKETS clients (one user each) on loopback vote as fast as the per-socket
 * limit allows (about 17 a second each, BENCH_BURST frames per write), spread over BENCH_ROOMS rooms, for BENCH_SECONDS. It prints the votes
 * per second applied in Redis — every user's stored vote must equal the last one sent, the tally
 * must match, and the gateway's own count of applied votes must equal the number sent — and the
 * gateway's CPU, Redis's CPU in all and per master. BENCH_VOTER_SHARDS (1) creates the rooms
 * with their voters in that many parts, so one room's ingest spreads over a Cluster's masters.
 *
 * BENCH_TARGET=https://host (with BANTERBOX_ADMIN_KEY) drives a deployed gateway or ingress
 * instead: it creates its rooms and mints its tokens through the admin API, and checks the result
 * through GET /api/rooms/<room> (each room's live tally must equal the last votes sent). It then
 * reports the offered rate and how long until every tally was exact; the deployment's CPU is for
 * its own dashboards.
 */
const SOCKETS = Number(process.env.BENCH_SOCKETS ?? 7000);
const ROOMS = Number(process.env.BENCH_ROOMS ?? 10);
const SHARDS = Math.max(1, Math.min(Number(process.env.BENCH_VOTER_SHARDS ?? 1), 64));
const SECONDS = Math.min(Number(process.env.BENCH_SECONDS ?? 10), 120);
/** Votes each socket sends per round, in one write (fewer syscalls for the load generator). */
const BURST = Math.max(1, Math.min(Number(process.env.BENCH_BURST ?? 4), 10));
/** About 17 votes a second per socket: under the 20/s limit even with timer jitter. */
const ROUND_MS = Math.ceil((BURST * 1000) / 17.4);
const SECRET = 'benchmark-secret-0123456789abcdef';
const TARGET = benchTarget();

interface Client {
  raw: RawSocket;
  user: string;
  room: string;
  seq: number;
}

async function connectClients(port: number): Promise<Client[]> {
  const spec = (i: number): VoteClientSpec => ({ user: `user-${i}`, room: `bench-${i % ROOMS}` });
  const sockets = await joinVoteSockets(port, SOCKETS, spec, SECRET, 30_000);
  return sockets.map((raw, i) => ({ raw, ...spec(i), seq: 0 }));
}

/** A hash of each of a room's voter parts (the room's own when it has one part). */
async function partsOf(
  room: string,
  read: (voters: ReturnType<typeof keys.voterKeys>) => Promise<Record<string, string>>,
): Promise<Record<string, string>[]> {
  return Promise.all(Array.from({ length: SHARDS }, (_, shard) => read(keys.voterKeys(room, shard, SHARDS))));
}

const voteValue = (seq: number): string => (seq % 2 === 1 ? 'yes' : 'no');

/** Users whose stored vote is not yet the last one sent (0 once Redis has applied everything). */
async function pending(redis: RedisClient, clients: Client[], base: number): Promise<number> {
  let behind = 0;
  for (let r = 0; r < ROOMS; r += 1) {
    const stored = Object.assign({}, ...(await partsOf(`bench-${r}`, (voters) => redis.hgetall(voters.votes)))) as Record<string, string>;
    for (const c of clients) {
      if (c.room === `bench-${r}` && stored[c.user] !== `${voteValue(c.seq)}|${base + c.seq}`) behind += 1;
    }
  }
  return behind;
}

/** Every client votes as fast as the rate limit allows for SECONDS; vote ts are base + seq. */
async function voteFor(clients: Client[]): Promise<{ base: number; started: number; sent: number; sendSeconds: number }> {
  const base = Date.now() - 600_000; // vote ts: base + seq, increasing and never in the future
  const started = Date.now();
  let sent = 0;
  while (Date.now() - started < SECONDS * 1000) {
    const round = Date.now();
    for (const c of clients) {
      const frames: Buffer[] = [];
      for (let k = 0; k < BURST; k += 1) {
        c.seq += 1;
        frames.push(textFrame(`{"vote":{"value":"${voteValue(c.seq)}","ts":${base + c.seq}}}`));
      }
      c.raw.socket.write(Buffer.concat(frames));
    }
    sent += clients.length * BURST;
    await sleep(Math.max(0, ROUND_MS - (Date.now() - round)));
  }
  return { base, started, sent, sendSeconds: (Date.now() - started) / 1000 };
}

/** Progress goes to stderr under --json, so stdout is one JSON document. */
const progress = (line: string): boolean => (process.argv.includes('--json') ? process.stderr : process.stdout).write(`${line}\n`);

/** The load against a BENCH_TARGET: votes through its sockets, exactness through its HTTP API. */
async function remote(target: BenchTarget): Promise<void> {
  const run = Date.now().toString(36);
  const roomOf = (r: number): string => `bench-${run}-${r}`;
  for (let r = 0; r < ROOMS; r += 1) await target.createRoom({ room: roomOf(r), options: ['yes', 'no'], voter_shards: SHARDS });
  const spec = (i: number): VoteClientSpec => ({ user: `bench-${run}-${i}`, room: roomOf(i % ROOMS) });
  const sockets = await joinVoteSocketsTo(target.endpoint, SOCKETS, spec, (user, room) => target.token(user, room));
  const clients: Client[] = sockets.map((raw, i) => ({ raw, ...spec(i), seq: 0 }));
  progress(`connected ${clients.length} sockets to ${target.url.origin} in ${ROOMS} rooms; voting for ${SECONDS} s`);
  await sleep(1_100); // the auth frame's rate window, as in the local run

  const { started, sent, sendSeconds } = await voteFor(clients);
  const expected = new Map<string, { yes: number; no: number; connected: number }>();
  for (const c of clients) {
    const room = expected.get(c.room) ?? { yes: 0, no: 0, connected: 0 };
    room[voteValue(c.seq) === 'yes' ? 'yes' : 'no'] += 1;
    room.connected += 1;
    expected.set(c.room, room);
  }
  const deadline = Date.now() + 60_000;
  let wrong: string[] = [];
  do {
    wrong = [];
    for (const [room, want] of expected) {
      const got = await target.liveTally(room);
      if (got.votes.yes !== want.yes || got.votes.no !== want.no || got.connected !== want.connected)
        wrong.push(
          `${room}: ${JSON.stringify(got.votes)} (${got.connected} connected), expected yes ${want.yes} no ${want.no} (${want.connected})`,
        );
    }
    if (wrong.length > 0) await sleep(100);
  } while (wrong.length > 0 && Date.now() < deadline);
  const elapsed = (Date.now() - started) / 1000;
  const exact = wrong.length === 0;
  const rateLimited = clients.filter((c) => c.raw.received().includes('rate_limited')).length;
  const result = {
    bench: 'ingest',
    environment: environment(target),
    sockets: clients.length,
    rooms: ROOMS,
    voterShards: SHARDS,
    votesSent: sent,
    offeredPerSecond: Math.round(sent / sendSeconds),
    secondsUntilExact: exact ? elapsed : undefined,
    appliedPerSecond: exact ? Math.round(sent / elapsed) : undefined,
    exact,
    rateLimitedSockets: rateLimited,
  };
  for (const c of clients) c.raw.socket.destroy();
  if (!exact) process.exitCode = 1;
  if (printJson(result)) return;
  const env = result.environment;
  process.stdout.write(
    [
      `machine:            ${env.machine}; target ${env.target}`,
      `sockets / rooms:    ${clients.length} / ${ROOMS} (${SHARDS} voter part${SHARDS === 1 ? '' : 's'} per room)`,
      `votes sent:         ${sent} in ${sendSeconds.toFixed(2)} s (${result.offeredPerSecond} votes/s offered)`,
      exact
        ? `tallies exact:      after ${elapsed.toFixed(2)} s (${result.appliedPerSecond} votes/s applied)`
        : `tallies:            MISMATCH after 60 s: ${wrong.slice(0, 3).join('; ')}`,
      `rate-limited socks: ${rateLimited}`,
    ].join('\n') + '\n',
  );
}

async function main(): Promise<void> {
  if (TARGET) return remote(TARGET);
  const redis = await benchRedis();
  const gateway = startGateway(
    {
      ...redis.env,
      PORT: '0',
      HOST: '127.0.0.1',
      METRICS_PORT: '0',
      BANTERBOX_SECRET: SECRET,
      LOG_LEVEL: 'info',
      GATEWAY_LEASE_MS: '30000',
      VOTE_FLUSH_MS: process.env.BENCH_VOTE_FLUSH_MS ?? '2',
    },
    process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [],
  );
  const inspect = redis.client();
  try {
    const port = Number((await gateway.waitForLog('gateway listening', 20_000)).port);
    const rooms = new VoteStore(registerScripts(inspect), { historyLimit: 3600, roomTtlMs: 3_600_000 });
    for (let r = 0; r < ROOMS; r += 1)
      await rooms.ensureRoom(`bench-${r}`, { options: ['yes', 'no'], open: false, tickMs: 0, shards: SHARDS });
    const clients = await connectClients(port);
    progress(`connected ${clients.length} sockets in ${ROOMS} rooms; voting for ${SECONDS} s`);
    // The auth frame counts towards a socket's first one-second rate window: let it pass, or a
    // small run (where joining is quick) sends 21 frames in that window and one vote is dropped.
    await sleep(1_100);

    const cpuStart = cpuSeconds(gateway.pid);
    const redisCpuStart = redis.cpuSeconds();
    const masterCpuStart = redis.masterCpuSeconds();
    await inspect.config('RESETSTAT');
    const { base, started, sent, sendSeconds } = await voteFor(clients);
    const applyDeadline = Date.now() + 60_000;
    let behind: number;
    while ((behind = await pending(inspect, clients, base)) > 0) {
      if (Date.now() > applyDeadline) {
        const limited = clients.filter((c) => c.raw.received().includes('rate_limited')).length;
        const closed = clients.filter((c) => c.raw.socket.destroyed || c.raw.socket.readyState !== 'open').length;
        throw new Error(`${behind} users' last votes missing after 60 s (${limited} sockets rate-limited, ${closed} closed)`);
      }
      await sleep(20);
    }
    const elapsed = (Date.now() - started) / 1000;
    const gatewayCpu = cpuSeconds(gateway.pid) - cpuStart;
    const redisCpuEnd = redis.cpuSeconds();
    const redisCpu = redisCpuEnd === undefined || redisCpuStart === undefined ? undefined : redisCpuEnd - redisCpuStart;
    const masterCpu = [...redis.masterCpuSeconds()].map(([port, seconds]) => ({
      port,
      seconds: seconds - (masterCpuStart.get(port) ?? seconds),
    }));
    const gatewayRss = rssMiB(gateway.pid);
    const scripts = commandStats(await inspect.info('commandstats'), 'evalsha');

    let expectedYes = 0;
    for (const c of clients) if (voteValue(c.seq) === 'yes') expectedYes += 1;
    let yes = 0;
    let no = 0;
    for (let r = 0; r < ROOMS; r += 1) {
      for (const tally of await partsOf(`bench-${r}`, (voters) => inspect.hgetall(voters.tally))) {
        yes += Number(tally.yes ?? 0);
        no += Number(tally.no ?? 0);
      }
    }
    const rateLimited = clients.filter((c) => c.raw.received().includes('rate_limited')).length;

    gateway.signal('SIGTERM');
    const stopped = await gateway.waitForLog('vote writes drained', 20_000);
    // A vote coalesced away in the gateway (a newer one of the same user in the same batch) took effect too.
    const coalesced = Number(stopped.votesCoalesced ?? 0);
    const applied = Number(stopped.votesApplied) + coalesced;
    const exact = yes === expectedYes && no === clients.length - expectedYes && applied === sent;

    const result = {
      bench: 'ingest',
      environment: environment(undefined),
      redis: redis.label,
      sockets: clients.length,
      rooms: ROOMS,
      voterShards: SHARDS,
      votesSent: sent,
      votesApplied: applied,
      votesCoalesced: coalesced,
      appliedPerSecond: Math.round(sent / elapsed),
      exact,
      rateLimitedSockets: rateLimited,
      gatewayCpuSecondsPer100k: (gatewayCpu / sent) * 100_000,
      redisCpuSecondsPer100k: redisCpu === undefined ? undefined : (redisCpu / sent) * 100_000,
      redisMasterCpuSecondsPer100k: Object.fromEntries(masterCpu.map(({ port, seconds }) => [port, (seconds / sent) * 100_000])),
      scriptSecondsPer100k: (scripts.usec / 1e6 / sent) * 100_000,
      gatewayRssMiB: gatewayRss,
    };
    if (printJson(result)) {
      for (const c of clients) c.raw.socket.destroy();
      if (!exact) process.exitCode = 1;
      return;
    }
    const lines = [
      `machine:            ${machine()}`,
      `redis:              ${redis.label}`,
      `sockets / rooms:    ${clients.length} / ${ROOMS} (${SHARDS} voter part${SHARDS === 1 ? '' : 's'} per room)`,
      `votes sent:         ${sent} in ${sendSeconds.toFixed(2)} s (${Math.round(sent / sendSeconds)} votes/s offered)`,
      `votes applied:      ${applied} (gateway count: ${coalesced} of them coalesced in the gateway), all in Redis after ${elapsed.toFixed(2)} s`,
      `applied rate:       ${Math.round(sent / elapsed)} votes/s`,
      `tally check:        yes ${yes} / ${expectedYes} expected, no ${no} / ${clients.length - expectedYes} expected -> ${exact ? 'EXACT' : 'MISMATCH'}`,
      `rate-limited socks: ${rateLimited}`,
      `gateway CPU:        ${((gatewayCpu / elapsed) * 100).toFixed(0)}% of one core (${gatewayCpu.toFixed(2)} s, ${((gatewayCpu / sent) * 100_000).toFixed(2)} s per 100k votes), RSS ${gatewayRss.toFixed(0)} MiB`,
      `redis CPU:          ${redisCpu === undefined ? 'not measured (external Redis)' : `${((redisCpu / elapsed) * 100).toFixed(0)}% of one core (${redisCpu.toFixed(2)} s, ${((redisCpu / sent) * 100_000).toFixed(2)} s per 100k votes)`}`,
      `redis per master:   ${masterCpu.map(({ port, seconds }) => `${port}: ${((seconds / elapsed) * 100).toFixed(0)}% (${((seconds / sent) * 100_000).toFixed(2)} s per 100k)`).join(', ') || 'not measured'}`,
      `batches:            ${String(stopped.batches)} (${(Number(stopped.opsWritten) / Number(stopped.batches)).toFixed(0)} ops per batch on average)`,
      `redis scripts:      ${scripts.calls} calls, ${scripts.usPerCall.toFixed(1)} µs per call, ${((scripts.usec / 1e6 / sent) * 100_000).toFixed(2)} s per 100k votes (INFO commandstats, evalsha)`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    for (const c of clients) c.raw.socket.destroy();
    if (!exact) process.exitCode = 1;
  } finally {
    inspect.disconnect();
    await gateway.kill();
    await redis.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
