import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, EnvReader, type EnvSource } from './env-reader';
import { describeTopology, parseNode, readRedisTopology, type RedisTopology } from './redis-topology';

function read(source: EnvSource): RedisTopology {
  const env = new EnvReader(source);
  const topology = readRedisTopology(env);
  env.finish({});
  return topology;
}

function problems(source: EnvSource): string {
  try {
    read(source);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.join('\n');
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('Redis topology from the environment', () => {
  it('defaults to one local node, and takes REDIS_URL with TLS from rediss://', () => {
    expect(read({})).toMatchObject({ kind: 'single', url: 'redis://127.0.0.1:6379', tls: false });
    expect(read({ REDIS_URL: 'rediss://:pw@redis.example:6380' })).toMatchObject({ kind: 'single', tls: true });
    expect(describeTopology(read({ REDIS_URL: 'rediss://user:pw@redis.example:6380' }))).toBe('single rediss://***@redis.example:6380');
  });

  it('follows a Sentinel primary by name, with passwords and TLS', () => {
    const topology = read({
      REDIS_SENTINELS: 's1:26379, [::1]:26380',
      REDIS_SENTINEL_NAME: 'bb',
      REDIS_PASSWORD: 'p',
      REDIS_SENTINEL_PASSWORD: 'sp',
      REDIS_TLS: 'true',
    });
    expect(topology).toEqual({
      kind: 'sentinel',
      sentinels: [
        { host: 's1', port: 26379 },
        { host: '::1', port: 26380 },
      ],
      name: 'bb',
      sentinelPassword: 'sp',
      username: undefined,
      password: 'p',
      tls: true,
      tlsCa: undefined,
    });
    expect(problems({ REDIS_SENTINELS: 's1:26379' })).toContain('REDIS_SENTINEL_NAME is required');
  });

  it('discovers a Cluster from its seed nodes and reads a private CA', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bb-ca-'));
    writeFileSync(join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\n');
    const topology = read({ REDIS_CLUSTER_NODES: '10.0.0.1:7000,10.0.0.2:7000', REDIS_TLS: 'true', REDIS_TLS_CA: join(dir, 'ca.pem') });
    expect(topology).toMatchObject({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7000 },
      ],
      tls: true,
      tlsCa: '-----BEGIN CERTIFICATE-----\n',
    });
  });

  it('lists every problem at once: two topologies, bad nodes, an unreadable CA, a bad URL', () => {
    const listed = problems({
      REDIS_URL: 'http://x',
      REDIS_CLUSTER_NODES: 'a:1,nope,b:99999',
      REDIS_SENTINELS: 's:1',
      REDIS_SENTINEL_NAME: 'm',
      REDIS_TLS_CA: '/no/such/ca.pem',
    });
    expect(listed).toContain('set only one of REDIS_URL, REDIS_SENTINELS, REDIS_CLUSTER_NODES');
    expect(listed).toContain('REDIS_CLUSTER_NODES: "nope" is not host:port');
    expect(listed).toContain('REDIS_CLUSTER_NODES: "b:99999" is not host:port');
    expect(listed).toContain('REDIS_TLS_CA: cannot read /no/such/ca.pem');
    expect(problems({ REDIS_URL: 'http://x' })).toContain('REDIS_URL must start with redis:// or rediss://');
  });

  it('parses host:port and [v6]:port only', () => {
    expect(parseNode('redis-0.redis:6379')).toEqual({ host: 'redis-0.redis', port: 6379 });
    expect(parseNode('[fe80::1]:7000')).toEqual({ host: 'fe80::1', port: 7000 });
    for (const bad of ['redis', ':6379', 'a:0', 'a:b', 'a b:1']) expect(parseNode(bad)).toBeUndefined();
  });
});
