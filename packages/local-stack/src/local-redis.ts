import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { RedisTopology } from '@banterbox/config';
import { RedisProcess, baseArgs, freePort, requireRedisServer, withRetries } from './redis-process';

/** A throwaway Redis of any topology that the apps can be pointed at. */
export interface LocalTopology {
  readonly name: string;
  /** The environment variables that point an app at it (REDIS_URL or REDIS_CLUSTER_NODES, ...). */
  readonly env: Record<string, string>;
  readonly topology: RedisTopology;
  stop(): Promise<void>;
}

/** One throwaway Redis server (no cluster, no replicas) that a test can kill and start again. */
export interface ThrowawayRedis extends LocalTopology {
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** A new client of this server; the caller quits it. */
  client(): Redis;
  /** Kills the server at once (SIGKILL); everything it held is lost. */
  kill(): Promise<void>;
  /** Starts the server again on the same port, empty. */
  restart(): Promise<void>;
}

/**
 * What every throwaway single server shares: it listens on a loopback port, and the apps, tests
 * and clients reach it there. Subclasses say how it runs (a process, a container).
 */
export abstract class LoopbackRedis implements ThrowawayRedis {
  readonly name = 'single node';

  protected constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get env(): Record<string, string> {
    return { REDIS_URL: this.url };
  }

  /** This server as a topology the apps' connections take. */
  get topology(): RedisTopology {
    return { kind: 'single', url: this.url, username: undefined, password: undefined, tls: false, tlsCa: undefined };
  }

  /** A new client of this server; the caller quits it. */
  client(): Redis {
    return new Redis(this.url, { protocol: 2, maxRetriesPerRequest: 3 });
  }

  abstract kill(): Promise<void>;
  abstract restart(): Promise<void>;
  abstract stop(): Promise<void>;
}

/**
 * A throwaway redis-server on a free loopback port, owned by whoever started it (`npm start`, a
 * benchmark, a test file): it can be killed and started again on the same port (with its data
 * gone, as after a crash of a cache-only Redis), and is removed with its directory on `stop`.
 */
export class LocalRedis extends LoopbackRedis {
  private readonly dir = mkdtempSync(join(tmpdir(), 'banterbox-redis-'));
  private readonly server: RedisProcess;

  private constructor(port: number, bind: readonly string[]) {
    super(port);
    this.server = new RedisProcess(port, () => {
      const args = baseArgs(port, this.dir);
      // Addresses besides loopback (a test's own network namespace host), if asked for.
      // Protected mode refuses clients from anything but loopback when there is no password: off
      // for those addresses, which only this machine's own test hosts reach.
      if (bind.length > 0) {
        args[args.indexOf('--bind') + 1] = ['127.0.0.1', ...bind].join(' ');
        args.push('--protected-mode', 'no');
      }
      return args;
    });
  }

  /** Starts one on a free port, listening on loopback and on `bind` (addresses of this machine). */
  static start(options: { bind?: readonly string[] } = {}): Promise<LocalRedis> {
    requireRedisServer();
    return withRetries(3, async () => {
      const redis = new LocalRedis(await freePort(), options.bind ?? []);
      try {
        await redis.server.launch();
      } catch (error) {
        await redis.stop();
        throw error;
      }
      return redis;
    });
  }

  /** The server's process id while it runs. */
  get pid(): number | undefined {
    return this.server.pid;
  }

  /** Kills the server at once (SIGKILL); everything it held is lost. */
  kill(): Promise<void> {
    return this.server.kill();
  }

  /** Starts the server again on the same port, empty. */
  async restart(): Promise<void> {
    await this.server.kill();
    await this.server.launch();
  }

  async stop(): Promise<void> {
    await this.server.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
