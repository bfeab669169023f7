import { setTimeout as sleep } from 'node:timers/promises';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { LocalStackError } from './errors';
import { killOnExit } from './orphans';

/**
 * `count` distinct free ports: all are held open at once while the OS hands them out, so none is
 * handed out twice (one at a time, the same port can come back, and a cluster node's bus port
 * would then collide with another node's port).
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  try {
    return await Promise.all(
      servers.map(
        (server) =>
          new Promise<number>((resolve, reject) => {
            server.on('error', reject);
            server.listen(0, '127.0.0.1', () => {
              const address = server.address();
              if (typeof address === 'object' && address) resolve(address.port);
              else reject(new LocalStackError('no port'));
            });
          }),
      ),
    );
  } finally {
    await Promise.all(
      servers.map((server) => new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()))),
    );
  }
}

/** Runs `attempt` up to `times` times: a throwaway topology whose ports were taken meanwhile is started afresh. */
export async function withRetries<T>(times: number, attempt: () => Promise<T>): Promise<T> {
  for (let i = 1; ; i += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (i >= times) throw error;
    }
  }
}

/** A free TCP port on 127.0.0.1, as the OS hands it out. */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port!;
}

export function redisServerAvailable(): boolean {
  return spawnSync('redis-server', ['--version']).status === 0;
}

export function requireRedisServer(): void {
  if (!redisServerAvailable()) {
    throw new LocalStackError('redis-server is not on PATH: install Redis 7 (Debian/Ubuntu: apt-get install redis-server)');
  }
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

/** Polls `probe` until it returns true, or throws `what` after `timeoutMs`. */
export async function until(probe: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new LocalStackError(`${what} within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** One redis-server process on a loopback port: started, killed with -9, started again. */
export class RedisProcess {
  private child: ChildProcess | undefined;

  /** `args` after the config file (or none): what makes this server a node, a replica, a sentinel. */
  constructor(
    readonly port: number,
    private readonly args: () => string[],
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null;
  }

  async launch(): Promise<void> {
    const child = spawn('redis-server', this.args(), { stdio: 'ignore' });
    child.on('error', () => undefined);
    killOnExit(child);
    this.child = child;
    const answers = async (): Promise<boolean> => {
      // A server that could not bind its ports exits at once: say so instead of waiting.
      if (child.exitCode !== null) throw new LocalStackError(`redis-server on port ${this.port} exited (${child.exitCode})`);
      return pingRedis(this.port);
    };
    await until(answers, 10_000, `redis-server on port ${this.port} did not answer PING`);
  }

  /** Kills the server at once (SIGKILL). */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }
}

/** The arguments every throwaway server shares: loopback only, nothing persisted. */
export function baseArgs(port: number, dir: string): string[] {
  return ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
}
