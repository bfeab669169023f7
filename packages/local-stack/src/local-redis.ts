import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { RedisTopology } from '@banterbox/config';
import { LocalStackError } from './errors';

/** A free TCP port on 127.0.0.1, as the OS hands it out. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new LocalStackError('no port'))));
    });
  });
}

export function redisServerAvailable(): boolean {
  return spawnSync('redis-server', ['--version']).status === 0;
}

/** One raw RESP PING over TCP; resolves true on +PONG. (A failed ioredis connect leaves timers.) */
export function pingRedis(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

async function waitForPing(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await pingRedis(port))) {
    if (Date.now() > deadline) throw new LocalStackError(`redis-server on port ${port} did not answer PING`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * A throwaway redis-server on a free loopback port, owned by whoever started it (`npm start`, a
 * benchmark, a test file): it can be killed and started again on the same port (with its data
 * gone, as after a crash of a cache-only Redis), and is removed with its directory on `stop`.
 */
export class LocalRedis {
  private process: ChildProcess | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'banterbox-redis-'));

  private constructor(readonly port: number) {}

  static async start(): Promise<LocalRedis> {
    if (!redisServerAvailable()) {
      throw new LocalStackError('redis-server is not on PATH: install Redis 7 (Debian/Ubuntu: apt-get install redis-server)');
    }
    const redis = new LocalRedis(await freePort());
    await redis.launch();
    return redis;
  }

  /** The server's process id while it runs. */
  get pid(): number | undefined {
    return this.process?.pid;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** This server as a topology the apps' connections take. */
  get topology(): RedisTopology {
    return { kind: 'single', url: this.url, username: undefined, password: undefined, tls: false, tlsCa: undefined };
  }

  private async launch(): Promise<void> {
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir],
      { stdio: 'ignore' },
    );
    child.on('error', () => undefined);
    this.process = child;
    await waitForPing(this.port, 10_000);
  }

  /** A new client of this server; the caller quits it. */
  client(): Redis {
    return new Redis(this.url, { protocol: 2, maxRetriesPerRequest: 3 });
  }

  /** Kills the server at once (SIGKILL); everything it held is lost. */
  async kill(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  /** Starts the server again on the same port, empty. */
  async restart(): Promise<void> {
    await this.kill();
    await this.launch();
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
