import { spawnSync } from 'node:child_process';
import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import { LocalRedis, LoopbackRedis, freePort, pingRedis, until, type ThrowawayRedis } from '@banterbox/local-stack';
import { testkitLabels, useDocker } from './docker';

/** The image Redis containers are started from: BANTERBOX_TEST_REDIS_IMAGE, else the official `redis:7`. */
export function testRedisImage(): string {
  return process.env.BANTERBOX_TEST_REDIS_IMAGE ?? 'redis:7';
}

/**
 * One Redis server in a container started by testcontainers, on the host's network (no port is
 * published: the server listens on a free loopback port, as a redis-server process would). It can
 * be killed and started again on the same port, empty, like `LocalRedis`.
 */
export class ContainerRedis extends LoopbackRedis {
  private container: StartedTestContainer | undefined;

  private constructor(
    readonly image: string,
    port: number,
    private readonly bind: readonly string[],
  ) {
    super(port);
  }

  static async start(image: string, options: { bind?: readonly string[] } = {}): Promise<ContainerRedis> {
    const redis = new ContainerRedis(image, await freePort(), options.bind ?? []);
    await redis.launch();
    return redis;
  }

  /** The running container's id. */
  get id(): string | undefined {
    return this.container?.getId();
  }

  async kill(): Promise<void> {
    const container = this.container;
    this.container = undefined;
    if (!container) return;
    await container.stop({ timeout: 0 });
    live.delete(container.getId());
  }

  async restart(): Promise<void> {
    await this.kill();
    await this.launch();
  }

  stop(): Promise<void> {
    return this.kill();
  }

  private async launch(): Promise<void> {
    // The same settings as a redis-server process of the kit: loopback (and the test hosts'
    // addresses, if asked for), nothing persisted.
    const command = [
      'redis-server',
      '--port',
      String(this.port),
      '--bind',
      ['127.0.0.1', ...this.bind].join(' '),
      '--save',
      '',
      '--appendonly',
      'no',
    ];
    if (this.bind.length > 0) command.push('--protected-mode', 'no');
    this.container = await new GenericContainer(this.image)
      .withNetworkMode('host')
      .withCommand(command)
      .withLabels(testkitLabels('redis'))
      .withWaitStrategy(Wait.forLogMessage(/Ready to accept connections/))
      .withStartupTimeout(30_000)
      .start();
    removeOnExit(this.container.getId());
    await until(() => pingRedis(this.port), 10_000, `redis in container ${this.container.getId().slice(0, 12)} did not answer PING`);
  }
}

const live = new Set<string>();
let installed = false;

/** Removes the container when this process exits, if it is still there (a test that timed out). */
function removeOnExit(id: string): void {
  live.add(id);
  if (installed) return;
  installed = true;
  process.once('exit', () => {
    if (live.size > 0) spawnSync('docker', ['rm', '-f', ...live], { stdio: 'ignore' });
  });
}

let announced = false;

/**
 * A throwaway single Redis for a test: a container of `testRedisImage()` where Docker is used
 * (docker.ts), a redis-server process from PATH elsewhere. The first one a process starts says in
 * the test log which it is.
 */
export const TestRedis = {
  async start(options: { bind?: readonly string[] } = {}): Promise<ThrowawayRedis> {
    const containers = await useDocker();
    if (!announced) {
      announced = true;
      process.stderr.write(
        containers
          ? `testkit: Redis runs in containers of ${testRedisImage()} (testcontainers)\n`
          : 'testkit: Redis runs as redis-server processes from PATH (no Docker engine used)\n',
      );
    }
    return containers ? ContainerRedis.start(testRedisImage(), options) : LocalRedis.start(options);
  },
};

/** A Redis started by `TestRedis.start`. */
export type TestRedis = ThrowawayRedis;
