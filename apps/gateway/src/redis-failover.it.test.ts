import { gatewayService } from '@banterbox/gateway';
import { tickerService } from '@banterbox/ticker';
import { setTimeout as sleep } from 'node:timers/promises';
import { keys, keySlot, roomSlot } from '@banterbox/store';
import {
  createPokerRoom,
  Crowd,
  joinPokerRoom,
  joinRoom,
  named,
  PokerClient,
  TestCluster,
  TestSentinel,
  waitForPoint,
  type LocalTopology,
  type TestSocket,
  startInProcess,
} from '@banterbox/testkit';
import type { Gateway } from '@banterbox/gateway';
import type { Ticker } from '@banterbox/ticker';

const VOTERS = 12;
const VOTE_EVERY_MS = 300;
const env = { TICK_MS: '200', LEADER_TTL_MS: '2000', GATEWAY_LEASE_MS: '3000' };

/**
 * Users vote in a live room while Redis fails over or moves the room: snapshots must resume by
 * themselves within `resumeMs` of the fault, and every still-connected user's last vote must be
 * counted again.
 */
async function voteThrough(redis: LocalTopology, room: string, fault: () => Promise<void>, resumeMs: number): Promise<void> {
  const gateway: Gateway = await startInProcess(gatewayService, redis, env);
  const ticker: Ticker = await startInProcess(tickerService, redis, env);
  const sockets: TestSocket[] = [];
  try {
    const viewer = await joinRoom(gateway, 'viewer', room);
    sockets.push(viewer);
    const voters: [string, TestSocket][] = [];
    for (let i = 0; i < VOTERS; i += 1) voters.push([`voter-${i}`, await joinRoom(gateway, `voter-${i}`, room)]);
    sockets.push(...voters.map(([, s]) => s));
    const crowd = new Crowd(voters, VOTE_EVERY_MS);
    crowd.start();
    await waitForPoint(viewer, (p) => p.connected === VOTERS + 1, 10_000);

    const faultAt = Date.now();
    await fault();
    const from = viewer.frames.length;
    const resumed = await waitForPoint(viewer, (p) => p.ts > faultAt, resumeMs + 5_000, from);
    expect(resumed.data[0]!.ts - faultAt).toBeLessThanOrEqual(resumeMs);

    await sleep(1_000); // votes keep coming after the fault
    crowd.stop();
    await waitForPoint(
      viewer,
      (p) => p.connected === VOTERS + 1 && p.votes.yes === crowd.count('yes') && p.votes.no === crowd.count('no'),
      15_000,
      viewer.frames.length,
    );
    const readyz = await fetch(`http://127.0.0.1:${gateway.port}/readyz`);
    expect(readyz.status).toBe(200);
  } finally {
    sockets.forEach((s) => s.close());
    await gateway.stop();
    await ticker.stop();
  }
}

describe('recovery after Redis fails over or moves a live room (real topologies)', () => {
  it('Sentinel: SENTINEL FAILOVER while users vote: snapshots resume within 10 s, every last vote counted', async () => {
    const sentinel = await TestSentinel.start();
    try {
      await voteThrough(sentinel, 'sentinel-room', () => sentinel.failover(), 10_000);
    } finally {
      await sentinel.stop();
    }
  });

  describe('Cluster', () => {
    let cluster: TestCluster;
    beforeAll(async () => {
      cluster = await TestCluster.start();
    });
    afterAll(async () => {
      await cluster.stop();
    });

    it("the room's slot migrated to another master while users vote: snapshots resume within 5 s", async () => {
      const room = 'moving-room';
      const slot = roomSlot(room);
      await voteThrough(
        cluster,
        room,
        async () => {
          const target = cluster.masters().find((port) => port !== cluster.masterOf(slot))!;
          await cluster.migrateSlot(slot, target);
        },
        5_000,
      );
    });

    it("a poker room whose master is killed: members see the owner's next change, live or by rejoining", async () => {
      // Its own cluster: each master here has one replica, so each can fail over once.
      const cluster = await TestCluster.start();
      const gateway = await startInProcess(gatewayService, cluster, env);
      const roomId = 'poker-failover';
      try {
        const owner = await PokerClient.connect(gateway, 'pf-owner');
        const member = await PokerClient.connect(gateway, 'pf-member');
        await createPokerRoom(owner, roomId, { topic: 'Before' });
        await joinPokerRoom(member, roomId, [owner]);

        await cluster.failMasterOf(keySlot(keys.pokerRoom(roomId).room));
        // The owner's change goes through once the replica serves the slot (retried until then).
        const changed = async (): Promise<boolean> => {
          owner.send({ command: 'setTopic', roomId, topic: 'After' });
          return owner
            .until(
              named('roomUpdated', (e) => (e.room as { topic: string }).topic === 'After'),
              2_000,
            )
            .then(
              () => true,
              () => false,
            );
        };
        for (let attempt = 0; attempt < 10 && !(await changed()); attempt += 1) await sleep(500);
        // The member hears it live, or was told to rejoin (4010) and sees it in its new snapshot.
        const live = member
          .until(
            named('roomUpdated', (e) => (e.room as { topic: string }).topic === 'After'),
            10_000,
          )
          .then(() => 'live' as const);
        const resynced = member.socket.waitForClose(10_000).then((closed) => closed.code);
        const outcome = await Promise.race([live, resynced]);
        if (outcome !== 'live') {
          expect(outcome).toBe(4010);
          const again = await PokerClient.connect(gateway, 'pf-member');
          again.send({ request: 'joinRoom', roomId });
          const [room] = await again.snapshot();
          expect(room).toMatchObject({ event: 'roomUpdated', room: { topic: 'After' } });
          again.close();
        }
        owner.close();
        member.close();
      } finally {
        await gateway.stop();
        await cluster.stop();
      }
    });

    it("the master holding the room's slot killed: its replica takes over, snapshots resume within 10 s", async () => {
      const room = 'failover-room';
      const slot = roomSlot(room);
      await voteThrough(
        cluster,
        room,
        async () => {
          await cluster.failMasterOf(slot);
        },
        10_000,
      );
    });
  });
});
