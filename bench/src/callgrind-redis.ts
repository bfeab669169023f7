import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { EnvReader, readRedisTopology } from '@banterbox/config';
import { freePort, pingRedis } from '@banterbox/local-stack';
import { connectRedis, registerScripts, type ScriptedRedis } from '@banterbox/store';

/**
 * A redis-server under valgrind's callgrind, counting instructions only inside EVALSHA (the
 * scripts): a cost that, unlike CPU time, does not move with what else the machine is doing.
 * `count(work)` zeroes the counters, runs `work` and returns the instructions it cost Redis.
 * Needs valgrind (`apt-get install valgrind`).
 */
export class CallgrindRedis {
  private constructor(
    private readonly server: ChildProcess,
    private readonly dir: string,
    readonly redis: ScriptedRedis,
  ) {}

  static async start(name: string): Promise<CallgrindRedis> {
    const dir = mkdtempSync(join(tmpdir(), 'bb-callgrind-'));
    const port = await freePort();
    const server = spawn(
      'valgrind',
      [
        '--tool=callgrind',
        '--toggle-collect=evalShaCommand',
        `--callgrind-out-file=${join(dir, 'callgrind.out')}`,
        'redis-server',
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
      ],
      { stdio: 'ignore' },
    );
    for (let waited = 0; !(await pingRedis(port)); waited += 200) {
      if (waited > 30_000 || server.exitCode !== null) {
        server.kill('SIGINT');
        throw new Error('redis-server under valgrind did not start (is valgrind installed?)');
      }
      await sleep(200);
    }
    const topology = readRedisTopology(new EnvReader({ REDIS_URL: `redis://127.0.0.1:${port}` }));
    return new CallgrindRedis(server, dir, registerScripts(connectRedis(topology, { name, queueWhileDisconnected: true })));
  }

  /** The Redis instructions inside scripts that `work` cost. */
  async count(work: () => Promise<void>): Promise<number> {
    execFileSync('callgrind_control', ['--zero', String(this.server.pid)], { stdio: 'ignore' });
    await work();
    execFileSync('callgrind_control', ['--dump', String(this.server.pid)], { stdio: 'ignore' });
    const dumps = readdirSync(this.dir).filter((file) => file.startsWith('callgrind.out'));
    const totals = dumps.map((file) => Number(/^(?:summary|totals): (\d+)/m.exec(readFileSync(join(this.dir, file), 'utf8'))?.[1] ?? 0));
    return Math.max(...totals);
  }

  async stop(): Promise<void> {
    this.redis.disconnect();
    this.server.kill('SIGINT');
    if (this.server.exitCode === null) await new Promise((resolve) => this.server.once('exit', resolve));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
