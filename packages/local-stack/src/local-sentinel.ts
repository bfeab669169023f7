import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RedisTopology } from '@banterbox/config';
import { redisCli } from './local-cluster';
import type { LocalTopology } from './local-redis';
import { RedisProcess, baseArgs, freePorts, requireRedisServer, until, withRetries } from './redis-process';

/** The master name the sentinels monitor. */
const NAME = 'banterbox';

/**
 * A real Sentinel group of throwaway processes on free loopback ports: a primary, a replica and
 * three sentinels (quorum 2, down after 1 s), so a failover can be forced or caused by a kill.
 */
export class LocalSentinel implements LocalTopology {
  readonly name = 'sentinel';
  private readonly dir = mkdtempSync(join(tmpdir(), 'banterbox-sentinel-'));

  private constructor(
    readonly servers: RedisProcess[],
    readonly sentinels: RedisProcess[],
  ) {}

  static start(): Promise<LocalSentinel> {
    requireRedisServer();
    return withRetries(3, () => LocalSentinel.startOnce());
  }

  private static async startOnce(): Promise<LocalSentinel> {
    const [primaryPort = 0, replicaPort = 0, ...sentinelPorts] = await freePorts(5);
    const group = new LocalSentinel([], []);
    group.servers.push(new RedisProcess(primaryPort, () => baseArgs(primaryPort, group.dir)));
    group.servers.push(
      new RedisProcess(replicaPort, () => [...baseArgs(replicaPort, group.dir), '--replicaof', '127.0.0.1', String(primaryPort)]),
    );
    for (const port of sentinelPorts) {
      const conf = join(group.dir, `sentinel-${port}.conf`);
      writeFileSync(
        conf,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${group.dir}`,
          `sentinel monitor ${NAME} 127.0.0.1 ${primaryPort} 2`,
          `sentinel down-after-milliseconds ${NAME} 1000`,
          `sentinel failover-timeout ${NAME} 5000`,
          `sentinel parallel-syncs ${NAME} 1`,
          '',
        ].join('\n'),
      );
      group.sentinels.push(new RedisProcess(port, () => [conf, '--sentinel']));
    }
    try {
      for (const server of group.servers) await server.launch();
      await Promise.all(group.sentinels.map((s) => s.launch()));
      await until(() => /master_link_status:up/.test(redisCli(replicaPort, 'info', 'replication')), 15_000, 'the replica did not sync');
      await until(
        () => group.sentinels.every((s) => /127\.0\.0\.1/.test(redisCli(s.port, 'sentinel', 'replicas', NAME))),
        15_000,
        'the sentinels did not find the replica',
      );
    } catch (error) {
      await group.stop();
      throw error;
    }
    return group;
  }

  get env(): Record<string, string> {
    return { REDIS_SENTINELS: this.sentinels.map((s) => `127.0.0.1:${s.port}`).join(','), REDIS_SENTINEL_NAME: NAME };
  }

  get topology(): RedisTopology {
    return {
      kind: 'sentinel',
      sentinels: this.sentinels.map((s) => ({ host: '127.0.0.1', port: s.port })),
      name: NAME,
      sentinelPassword: undefined,
      username: undefined,
      password: undefined,
      tls: false,
      tlsCa: undefined,
    };
  }

  /** The port of the primary as the sentinels see it now. */
  primaryPort(): number {
    return Number(redisCli(this.sentinels[0]!.port, 'sentinel', 'get-master-addr-by-name', NAME).split('\n')[1]);
  }

  /** `SENTINEL FAILOVER`, then waits until the other server is the primary and the old one follows it. */
  async failover(): Promise<void> {
    const before = this.primaryPort();
    redisCli(this.sentinels[0]!.port, 'sentinel', 'failover', NAME);
    await until(() => this.primaryPort() !== before, 15_000, 'the sentinels did not promote the replica');
    await until(
      () => /role:master/.test(redisCli(this.primaryPort(), 'info', 'replication')),
      15_000,
      'the new primary did not take the role',
    );
  }

  async stop(): Promise<void> {
    await Promise.all([...this.sentinels, ...this.servers].map((p) => p.kill()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
