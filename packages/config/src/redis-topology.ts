import { readFileSync } from 'node:fs';
import type { EnvReader } from './env-reader';

export interface RedisNode {
  host: string;
  port: number;
}

/** Credentials and TLS shared by every topology. */
export interface RedisAccess {
  username: string | undefined;
  password: string | undefined;
  /** Connect with TLS (rediss://, or REDIS_TLS=true for sentinel and cluster nodes). */
  tls: boolean;
  /** PEM of a private CA to trust (REDIS_TLS_CA), read at boot. */
  tlsCa: string | undefined;
}

/**
 * Which Redis to use (SPEC §3), chosen by configuration:
 * - `single`: one node at REDIS_URL (`redis://` or `rediss://` with TLS, user and password in it);
 * - `sentinel`: the primary of REDIS_SENTINEL_NAME as the sentinels at REDIS_SENTINELS say, followed
 *   through failovers;
 * - `cluster`: a Redis Cluster discovered from REDIS_CLUSTER_NODES.
 */
export type RedisTopology =
  | ({ kind: 'single'; url: string } & RedisAccess)
  | ({ kind: 'sentinel'; sentinels: RedisNode[]; name: string; sentinelPassword: string | undefined } & RedisAccess)
  | ({ kind: 'cluster'; nodes: RedisNode[] } & RedisAccess);

const DEFAULT_URL = 'redis://127.0.0.1:6379';

/** The variables that each choose a topology; set exactly one (none means the default URL). */
export const REDIS_TOPOLOGY_CHOICES = ['REDIS_URL', 'REDIS_SENTINELS', 'REDIS_CLUSTER_NODES'] as const;

/** `host:port`, `[v6]:port`; undefined if it is neither. */
export function parseNode(text: string): RedisNode | undefined {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[3]);
  if (!match || port < 1 || port > 65535) return undefined;
  return { host: match[1] ?? match[2]!, port };
}

function nodes(env: EnvReader, name: string): RedisNode[] {
  return env.list(name).flatMap((text) => {
    const node = parseNode(text);
    if (!node) env.problem(`${name}: "${text}" is not host:port`);
    return node ? [node] : [];
  });
}

function readCa(env: EnvReader): string | undefined {
  const path = env.optionalString('REDIS_TLS_CA');
  if (path === undefined) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch {
    env.problem(`REDIS_TLS_CA: cannot read ${path}`);
    return undefined;
  }
}

/** Reads the Redis topology; every problem goes to `env` (reported together at boot). */
export function readRedisTopology(env: EnvReader): RedisTopology {
  const url = env.optionalString('REDIS_URL');
  const sentinels = nodes(env, 'REDIS_SENTINELS');
  const cluster = nodes(env, 'REDIS_CLUSTER_NODES');
  const set = [url !== undefined, sentinels.length > 0, cluster.length > 0];
  const chosen = REDIS_TOPOLOGY_CHOICES.filter((_, i) => set[i]);
  if (chosen.length > 1) env.problem(`set only one of ${chosen.join(', ')}: they choose different Redis topologies`);
  // Every variable is read whatever the topology, so the set a process reads is the same for all.
  const tlsCa = readCa(env);
  const access = { username: env.optionalString('REDIS_USERNAME'), password: env.optionalString('REDIS_PASSWORD'), tlsCa };
  const name = env.optionalString('REDIS_SENTINEL_NAME');
  const sentinelPassword = env.optionalString('REDIS_SENTINEL_PASSWORD');
  const tls = env.bool('REDIS_TLS', false);
  if (sentinels.length > 0) {
    if (name === undefined)
      env.problem('REDIS_SENTINEL_NAME is required with REDIS_SENTINELS (the name of the primary the sentinels monitor)');
    return { kind: 'sentinel', sentinels, name: name ?? '', sentinelPassword, tls, ...access };
  }
  if (cluster.length > 0) return { kind: 'cluster', nodes: cluster, tls, ...access };
  const single = url ?? DEFAULT_URL;
  if (!/^rediss?:\/\//.test(single)) env.problem('REDIS_URL must start with redis:// or rediss://');
  return { kind: 'single', url: single, tls: single.startsWith('rediss://'), ...access };
}

/** Where the topology points, without credentials, for logs. */
export function describeTopology(topology: RedisTopology): string {
  const list = (nodes: RedisNode[]): string => nodes.map((n) => `${n.host}:${n.port}`).join(',');
  if (topology.kind === 'sentinel') return `sentinel ${topology.name} via ${list(topology.sentinels)}`;
  if (topology.kind === 'cluster') return `cluster via ${list(topology.nodes)}`;
  return `single ${topology.url.replace(/\/\/[^@/]*@/, '//***@')}`;
}
