import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster } from 'ioredis';
import type { RedisTopology } from '@banterbox/config';
import { LocalStackError } from './errors';
import type { LocalTopology } from './local-redis';
import { RedisProcess, baseArgs, freePorts, requireRedisServer, until, withRetries } from './redis-process';

export interface LocalClusterOptions {
  masters?: number;
  replicasPerMaster?: number;
  /** cluster-node-timeout: how long a master may be unreachable before its replica takes over. */
  nodeTimeoutMs?: number;
}

/** `redis-cli` against one node; its output, or a LocalStackError. */
export function redisCli(port: number, ...args: string[]): string {
  const result = spawnSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8', timeout: 30_000 });
  if (result.status !== 0) throw new LocalStackError(`redis-cli -p ${port} ${args.join(' ')}: ${result.stderr || result.stdout}`);
  return result.stdout;
}

/**
 * A real Redis Cluster of throwaway redis-server processes on free loopback ports (3 masters with
 * a replica each by default), joined with `redis-cli --cluster create`. Nodes can be killed to
 * make a replica take over.
 */
export class LocalCluster implements LocalTopology {
  readonly name = 'cluster';
  private readonly dir = mkdtempSync(join(tmpdir(), 'banterbox-cluster-'));

  private constructor(readonly nodes: RedisProcess[]) {}

  static start(options: LocalClusterOptions = {}): Promise<LocalCluster> {
    requireRedisServer();
    return withRetries(3, () => LocalCluster.startOnce(options));
  }

  private static async startOnce({ masters = 3, replicasPerMaster = 1, nodeTimeoutMs = 1000 }: LocalClusterOptions): Promise<LocalCluster> {
    const count = masters * (1 + replicasPerMaster);
    const free = await freePorts(2 * count);
    const ports: [number, number][] = Array.from({ length: count }, (_, i) => [free[2 * i]!, free[2 * i + 1]!]);
    const cluster = new LocalCluster([]);
    for (const [port, bus] of ports) {
      cluster.nodes.push(
        new RedisProcess(port, () => [
          ...baseArgs(port, cluster.dir),
          '--cluster-enabled',
          'yes',
          '--cluster-port',
          String(bus),
          '--cluster-config-file',
          join(cluster.dir, `nodes-${port}.conf`),
          '--cluster-node-timeout',
          String(nodeTimeoutMs),
        ]),
      );
    }
    try {
      await Promise.all(cluster.nodes.map((node) => node.launch()));
      redisCli(
        cluster.nodes[0]!.port,
        '--cluster',
        'create',
        ...cluster.nodes.map((n) => `127.0.0.1:${n.port}`),
        '--cluster-replicas',
        String(replicasPerMaster),
        '--cluster-yes',
      );
      await cluster.waitHealthy(30_000);
      // A replica can only take over once it has synced with its master.
      await until(
        () =>
          cluster.nodes.every(
            (n) =>
              !/role:slave/.test(redisCli(n.port, 'info', 'replication')) ||
              /master_link_status:up/.test(redisCli(n.port, 'info', 'replication')),
          ),
        30_000,
        'the replicas did not sync',
      );
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  /** Process ids of the running nodes (for CPU accounting). */
  get pids(): number[] {
    return this.nodes.flatMap((n) => (n.pid === undefined || !n.running ? [] : [n.pid]));
  }

  get env(): Record<string, string> {
    return { REDIS_CLUSTER_NODES: this.nodes.map((n) => `127.0.0.1:${n.port}`).join(',') };
  }

  get topology(): RedisTopology {
    return {
      kind: 'cluster',
      nodes: this.nodes.map((n) => ({ host: '127.0.0.1', port: n.port })),
      username: undefined,
      password: undefined,
      tls: false,
      tlsCa: undefined,
    };
  }

  /** A new cluster client; the caller quits it. */
  client(): Cluster {
    return new Cluster(this.topology.kind === 'cluster' ? this.topology.nodes : [], { redisOptions: { protocol: 2 } });
  }

  /** Every running node says the cluster is ok and every slot is served. */
  async waitHealthy(timeoutMs: number): Promise<void> {
    await until(
      () =>
        this.nodes
          .filter((n) => n.running)
          .every((n) => {
            try {
              const info = redisCli(n.port, 'cluster', 'info');
              return /cluster_state:ok/.test(info) && /cluster_slots_ok:16384/.test(info);
            } catch {
              return false;
            }
          }),
      timeoutMs,
      'the cluster did not become healthy',
    );
  }

  /** The port of the master serving `slot` now. */
  masterOf(slot: number): number {
    const running = this.nodes.find((n) => n.running);
    if (!running) throw new LocalStackError('no node is running');
    for (const line of redisCli(running.port, 'cluster', 'nodes').split('\n')) {
      const [, address, flags, , , , , state, ...ranges] = line.split(' ');
      if (!flags?.includes('master') || flags.includes('fail') || state !== 'connected') continue;
      for (const range of ranges) {
        const [from, to = from] = range.split('-').map(Number);
        if (from !== undefined && to !== undefined && slot >= from && slot <= to) return Number(address?.split(':')[1]?.split('@')[0]);
      }
    }
    throw new LocalStackError(`no master serves slot ${slot}`);
  }

  /** The node id of the node on `port`. */
  nodeId(port: number): string {
    return redisCli(port, 'cluster', 'myid').trim();
  }

  /** Masters serving slots now, by port. */
  masters(): number[] {
    const running = this.nodes.find((n) => n.running);
    if (!running) return [];
    return redisCli(running.port, 'cluster', 'nodes')
      .split('\n')
      .map((line) => line.split(' '))
      .filter((f) => f[2]?.includes('master') && !f[2].includes('fail') && f.length > 8)
      .map((f) => Number(f[1]?.split(':')[1]?.split('@')[0]));
  }

  /**
   * Moves one slot, with its keys, from its master to `toPort` the way `redis-cli --cluster
   * reshard` does: IMPORTING/MIGRATING, MIGRATE in batches, then SETSLOT NODE everywhere.
   */
  async migrateSlot(slot: number, toPort: number): Promise<void> {
    const fromPort = this.masterOf(slot);
    if (fromPort === toPort) return;
    const [fromId, toId] = [this.nodeId(fromPort), this.nodeId(toPort)];
    redisCli(toPort, 'cluster', 'setslot', String(slot), 'importing', fromId);
    redisCli(fromPort, 'cluster', 'setslot', String(slot), 'migrating', toId);
    for (;;) {
      const keys = redisCli(fromPort, 'cluster', 'getkeysinslot', String(slot), '100')
        .split('\n')
        .filter((k) => k !== '');
      if (keys.length === 0) break;
      redisCli(fromPort, 'migrate', '127.0.0.1', String(toPort), '', '0', '5000', 'KEYS', ...keys);
    }
    for (const port of [toPort, fromPort, ...this.masters().filter((p) => p !== toPort && p !== fromPort)]) {
      redisCli(port, 'cluster', 'setslot', String(slot), 'node', toId);
    }
    await until(() => this.masterOf(slot) === toPort, 10_000, `slot ${slot} did not move to ${toPort}`);
  }

  /**
   * Kills the master serving `slot` with -9 and waits until its replica serves the slot and the
   * cluster is healthy again; resolves with the killed port.
   */
  async failMasterOf(slot: number, timeoutMs = 30_000): Promise<number> {
    const killed = this.masterOf(slot);
    await this.kill(killed);
    const promoted = (): boolean => {
      try {
        return this.masterOf(slot) !== killed;
      } catch {
        return false; // nobody serves the slot yet
      }
    };
    await until(promoted, timeoutMs, `no replica took over slot ${slot}`);
    await this.waitHealthy(timeoutMs);
    return killed;
  }

  /** Kills a node with -9 (a replica of it takes over after the node timeout). */
  async kill(port: number): Promise<void> {
    const node = this.nodes.find((n) => n.port === port);
    if (!node) throw new LocalStackError(`no node on port ${port}`);
    await node.kill();
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.kill()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
