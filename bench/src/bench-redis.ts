import { EnvReader, REDIS_TOPOLOGY_CHOICES, readRedisTopology, type RedisTopology } from '@banterbox/config';
import { LocalCluster, LocalRedis } from '@banterbox/local-stack';
import { connectRedis, type RedisClient } from '@banterbox/store';
import { cpuSeconds } from './proc-stats';

/** The Redis a benchmark runs on. */
export interface BenchRedis {
  /** What it is, for the printed figures. */
  label: string;
  /** The variables that point the apps at it. */
  env: Record<string, string>;
  topology: RedisTopology;
  /** CPU seconds its processes used so far (all nodes of a cluster); undefined for an external Redis. */
  cpuSeconds(): number | undefined;
  /** CPU seconds each master used so far, by port (a cluster's masters; the one node otherwise); empty for an external Redis. */
  masterCpuSeconds(): Map<number, number>;
  /** A client for checking what was stored; the caller disconnects it. */
  client(): RedisClient;
  stop(): Promise<void>;
}

/**
 * With REDIS_URL, REDIS_SENTINELS or REDIS_CLUSTER_NODES set (the apps' own variables), the
 * existing Redis they name; otherwise a throwaway one on this machine: one node, or with
 * BENCH_REDIS=cluster a 3-master cluster with a replica each.
 */
export async function benchRedis(): Promise<BenchRedis> {
  // Every REDIS_* variable goes to the apps as given; the topology ones decide whether to use it.
  const given = Object.fromEntries(
    Object.entries(process.env).filter((entry): entry is [string, string] => entry[0].startsWith('REDIS_') && entry[1] !== undefined),
  );
  if (REDIS_TOPOLOGY_CHOICES.some((name) => given[name] !== undefined)) {
    const env = new EnvReader(given);
    const topology = readRedisTopology(env);
    env.finish({});
    return {
      label: `external ${topology.kind}`,
      env: given,
      topology,
      cpuSeconds: () => undefined,
      masterCpuSeconds: () => new Map(),
      client: () => inspector(topology),
      stop: async () => undefined,
    };
  }
  const local = process.env.BENCH_REDIS === 'cluster' ? await LocalCluster.start() : await LocalRedis.start();
  const pids = (): number[] => (local instanceof LocalCluster ? local.pids : local.pid === undefined ? [] : [local.pid]);
  return {
    label: local instanceof LocalCluster ? `local cluster (${local.masters().length} masters + replicas)` : 'local single node',
    env: local.env,
    topology: local.topology,
    cpuSeconds: () => pids().reduce((sum, pid) => sum + cpuSeconds(pid), 0),
    masterCpuSeconds: () => {
      if (!(local instanceof LocalCluster)) return new Map(local.pid === undefined ? [] : [[local.port, cpuSeconds(local.pid)]]);
      const masters = new Set(local.masters());
      return new Map(local.nodes.filter((n) => masters.has(n.port) && n.pid !== undefined).map((n) => [n.port, cpuSeconds(n.pid!)]));
    },
    client: () => inspector(local.topology),
    stop: () => local.stop(),
  };
}

function inspector(topology: RedisTopology): RedisClient {
  return connectRedis(topology, { name: 'bench-inspect', queueWhileDisconnected: true });
}

/** One command's calls and CPU time from `INFO commandstats` (zeros if it never ran). */
export function commandStats(info: string, command: string): { calls: number; usec: number; usPerCall: number } {
  const line = new RegExp(`cmdstat_${command}:calls=(\\d+),usec=(\\d+)`).exec(info);
  const calls = Number(line?.[1] ?? 0);
  const usec = Number(line?.[2] ?? 0);
  return { calls, usec, usPerCall: calls > 0 ? usec / calls : 0 };
}
