import { setTimeout as sleep } from 'node:timers/promises';
import { AppProcess, appTestEnv, eventually, TestCluster, TestRedis, gatewayProcess } from '@banterbox/testkit';

const NOT_USABLE = 'Redis is not usable as configured; /readyz stays 503';

interface Readyz {
  ready: boolean;
  topology: string;
}

async function readyz(port: number): Promise<{ status: number; body: Readyz }> {
  const response = await fetch(`http://127.0.0.1:${port}/readyz`);
  return { status: response.status, body: (await response.json()) as Readyz };
}

/** A gateway process whose Redis setting names the wrong topology: it must never half-work. */
describe('a Redis setting that names the wrong topology', () => {
  let single: TestRedis;
  let cluster: TestCluster;
  const processes: AppProcess[] = [];

  beforeAll(async () => {
    [single, cluster] = await Promise.all([TestRedis.start(), TestCluster.start()]);
  });
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.kill()));
    await Promise.all([single.stop(), cluster.stop()]);
  });

  async function gatewayOn(redisEnv: Record<string, string>): Promise<{ gateway: AppProcess; port: number }> {
    const env = { ...appTestEnv({ LOG_LEVEL: 'info' }), ...redisEnv };
    const gateway = gatewayProcess(env);
    processes.push(gateway);
    const port = Number((await gateway.waitForLog('gateway answering probes; waiting for Redis', 15_000)).port);
    return { gateway, port };
  }

  it.each([
    ['REDIS_CLUSTER_NODES at a plain Redis', () => ({ REDIS_CLUSTER_NODES: `127.0.0.1:${single.port}` }), 'without cluster mode'],
    ['REDIS_URL at a Cluster node', () => ({ REDIS_URL: `redis://127.0.0.1:${cluster.nodes[0]!.port}` }), 'set REDIS_CLUSTER_NODES'],
  ])('%s: /readyz stays 503 and says why in one log line', async (_case, redisEnv, why) => {
    const { gateway, port } = await gatewayOn(redisEnv());
    const line = await gateway.waitForLog(NOT_USABLE, 15_000);
    expect(String(line.problem)).toContain(why);
    // It keeps answering probes with 503 and the reason, and never starts serving.
    for (let look = 0; look < 4; look += 1) {
      const { status, body } = await readyz(port);
      expect(status).toBe(503);
      expect(body.ready).toBe(false);
      await sleep(500);
    }
    expect(gateway.lines.filter((l) => l.msg === NOT_USABLE)).toHaveLength(1);
    expect(gateway.hasLogged('gateway listening')).toBe(false);
  });

  it('a right setting turns ready', async () => {
    const { gateway, port } = await gatewayOn(cluster.env);
    await gateway.waitForLog('gateway listening', 15_000);
    await eventually(async () => ((await readyz(port)).status === 200 ? true : undefined), 5_000);
    expect((await readyz(port)).body).toMatchObject({ ready: true, topology: 'ok' });
  });
});
