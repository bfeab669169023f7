import { setTimeout as sleep } from 'node:timers/promises';
import { roomSlot } from '@banterbox/store';
import {
  AppProcess,
  Crowd,
  TestCluster,
  eventually,
  freePort,
  joinRoom,
  startGatewayApp,
  startTickerApp,
  waitForPoint,
  type RunningApp,
  type TestSocket,
} from '@banterbox/testkit';

/**
 * A Redis Cluster that failed over, then moves a live room (SPEC §2, §7), with the apps as
 * processes: a master is killed and its replica promoted, then the live room's slot is migrated to
 * another master while users vote through two gateways and three ticker replicas tick. Odd
 * iterations kill the room's own master and move the room on from its promoted replica; even ones
 * kill another master and move the room onto the replica promoted there. Each iteration runs on a
 * fresh 3-master + 3-replica cluster. CLUSTER_SOAK_ITERATIONS sets how many (2 by default;
 * `npm run soak:cluster` runs 10).
 */
const ITERATIONS = Number(process.env.CLUSTER_SOAK_ITERATIONS ?? 2);
const VOTERS = 12;
const VOTE_EVERY_MS = 300;
const PARTITIONS = 16;
const env = { TICK_MS: '200', LEADER_TTL_MS: '2000', GATEWAY_LEASE_MS: '3000' };

/** The partitions each ticker reports leading (banterbox_partition_leader == 1). */
async function ledPartitions(metricsPort: number): Promise<number[]> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  return [...text.matchAll(/^banterbox_partition_leader\{partition="(\d+)"[^}]*\} 1$/gm)].map((m) => Number(m[1]));
}

/** Log lines of a process that mention a cluster redirection. */
const redirectionLines = (proc: AppProcess): number => proc.lines.filter((l) => /MOVED|redirection/i.test(JSON.stringify(l))).length;

describe('a Redis Cluster after a failover, then a live room moved (real processes)', () => {
  it.each(Array.from({ length: ITERATIONS }, (_, i) => i + 1))(
    'iteration %i: snapshots resume, every last vote counts, one leader per partition',
    async (iteration) => {
      const killRoomsMaster = iteration % 2 === 1;
      const cluster = await TestCluster.start();
      const apps: RunningApp[] = [];
      const sockets: TestSocket[] = [];
      try {
        const tickerPorts = await Promise.all([freePort(), freePort(), freePort()]);
        const tickers = await Promise.all(tickerPorts.map((port) => startTickerApp(cluster, { ...env, METRICS_PORT: String(port) })));
        const gateways = await Promise.all([startGatewayApp(cluster, env), startGatewayApp(cluster, env)]);
        apps.push(...tickers, ...gateways);
        const room = `moving-${Date.now()}`;
        const slot = roomSlot(room);
        const viewers = await Promise.all(gateways.map((g, i) => joinRoom(g, `viewer-${i}`, room)));
        sockets.push(...viewers);
        const voters: [string, TestSocket][] = [];
        for (let i = 0; i < VOTERS; i += 1) voters.push([`voter-${i}`, await joinRoom(gateways[i % 2]!, `voter-${i}`, room)]);
        sockets.push(...voters.map(([, s]) => s));
        const crowd = new Crowd(voters, VOTE_EVERY_MS);
        crowd.start();
        await Promise.all(viewers.map((v) => waitForPoint(v, (p) => p.connected === VOTERS + 2, 10_000)));

        const exact = (v: TestSocket, from: number, timeoutMs: number): Promise<unknown> =>
          waitForPoint(
            v,
            (p) => p.connected === VOTERS + 2 && p.votes.yes === crowd.count('yes') && p.votes.no === crowd.count('no'),
            timeoutMs,
            from,
          );

        // 1. A master is killed (the room's, or another); its replica takes over.
        const roomMaster = cluster.masterOf(slot);
        const victim = killRoomsMaster ? roomMaster : cluster.masters().find((port) => port !== roomMaster)!;
        const victimSlot = killRoomsMaster ? slot : [0, 8191, 16383].find((s) => cluster.masterOf(s) === victim)!;
        const killedAt = Date.now();
        await cluster.failMasterOf(victimSlot);
        const promoted = cluster.masterOf(victimSlot);
        crowd.stop();
        let marks = viewers.map((v) => v.frames.length);
        await Promise.all(viewers.map((v, i) => exact(v, marks[i]!, 10_000)));
        const votesBackAfterFailoverMs = Date.now() - killedAt;
        crowd.start();
        await sleep(1_000);

        // 2. The live room's slot is migrated to another master while users vote.
        const redirectionsBefore = gateways.map((g) => redirectionLines(g.proc));
        const target = killRoomsMaster ? cluster.masters().find((port) => port !== promoted)! : promoted;
        await cluster.migrateSlot(slot, target);
        const movedAt = Date.now();
        marks = viewers.map((v) => v.frames.length);
        const resumed = await Promise.all(viewers.map((v, i) => waitForPoint(v, (p) => p.ts > movedAt, 10_000, marks[i]!)));
        const resumeMs = Math.max(...resumed.map((f) => f.data[0]!.ts - movedAt));
        expect(resumeMs).toBeLessThanOrEqual(5_000);
        await sleep(1_000);
        crowd.stop();
        marks = viewers.map((v) => v.frames.length);
        await Promise.all(viewers.map((v, i) => exact(v, marks[i]!, 10_000)));
        const votesBackAfterMoveMs = Date.now() - movedAt;
        // One line per topology change is enough; never one per redirected command.
        const redirections = gateways.map((g, i) => redirectionLines(g.proc) - redirectionsBefore[i]!);
        expect(Math.max(...redirections)).toBeLessThanOrEqual(2);

        // 3. Once leadership settles, each partition has exactly one leader.
        const leaders = await eventually(async () => {
          const led = await Promise.all(tickerPorts.map(ledPartitions));
          const all = led.flat().sort((a, b) => a - b);
          return all.length === PARTITIONS && new Set(all).size === PARTITIONS ? led : undefined;
        }, 10_000).catch(async (error: unknown) => {
          throw new Error(
            `${String(error)}: ${JSON.stringify(await Promise.all(tickerPorts.map(ledPartitions)))} ${tickers.map((t) => t.proc.tail(6)).join('\n')}`,
          );
        });
        // Never two at once from then on (a hand-over may leave one briefly unled, never doubly led).
        for (let look = 0; look < 10; look += 1) {
          const led = (await Promise.all(tickerPorts.map(ledPartitions))).flat();
          expect(new Set(led).size).toBe(led.length);
          await sleep(200);
        }
        process.stdout.write(
          `cluster soak: votes exact ${votesBackAfterFailoverMs} ms after the master kill, snapshots back ${resumeMs} ms and votes exact ${votesBackAfterMoveMs} ms after the move, redirection log lines ${redirections.join('/')}, partitions led ${leaders.map((l) => l.length).join('/')}\n`,
        );
      } finally {
        sockets.forEach((s) => s.close());
        await Promise.all(apps.map((app) => app.stop()));
        await cluster.stop();
      }
    },
  );
});
