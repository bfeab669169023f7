import { setTimeout as sleep } from 'node:timers/promises';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, TestRedis } from '@banterbox/testkit';

const MAIN = join(__dirname, '..', 'dist', 'main.js');

/** `npm start` as a user runs it (the built launcher), with its output collected. */
class Launcher {
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  constructor(env: Record<string, string>) {
    this.child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  async running(timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!this.stdout.includes('banterbox is running')) {
      if (Date.now() > until) throw new Error(`no banner: ${this.stdout} ${this.stderr}`);
      if (this.child.exitCode !== null) throw new Error(`launcher exited ${this.child.exitCode}: ${this.stderr}`);
      await sleep(100);
    }
  }

  async stop(): Promise<number | null> {
    this.child.kill('SIGINT');
    return this.exited;
  }
}

describe('npm start (the launcher)', () => {
  let redis: TestRedis;
  let devFile: string;
  let env: Record<string, string>;
  let port: number;

  beforeAll(async () => {
    redis = await TestRedis.start();
    devFile = join(mkdtempSync(join(tmpdir(), 'banterbox-launcher-')), 'dev.json');
    port = await freePort();
    env = { ...redis.env, PORT: String(port), GATEWAY_METRICS_PORT: '0', TICKER_METRICS_PORT: '0', BANTERBOX_DEV_FILE: devFile };
  });
  afterAll(() => redis.stop());

  it('prints its banner once the demo room exists, on loopback, with the admin key to export, and keeps its secret across restarts', async () => {
    const first = new Launcher(env);
    await first.running();
    const kept = JSON.parse(readFileSync(devFile, 'utf8')) as { secret: string; adminKey: string };
    expect(first.stdout).toContain(`export BANTERBOX_ADMIN_KEY=${kept.adminKey}`);
    expect(first.stdout).toContain(`export BANTERBOX_URL=http://127.0.0.1:${port}`);
    // The printed tally command answers at once: the demo room exists before the banner.
    const demo = await fetch(`http://127.0.0.1:${port}/api/rooms/demo`);
    expect(demo.status).toBe(200);
    expect(await demo.json()).toMatchObject({ room: 'demo', options: ['yes', 'no'], open: true });
    const session = await fetch(`http://127.0.0.1:${port}/api/session`);
    const cookie = session.headers.get('set-cookie')!.split(';')[0]!;
    const { user_id: userId } = (await session.json()) as { user_id: string };
    expect(await first.stop()).toBe(0);

    const second = new Launcher(env);
    await second.running();
    // The browser's cookie from the first run is still its session: no new cookie, same user.
    const again = await fetch(`http://127.0.0.1:${port}/api/session`, { headers: { cookie } });
    expect(again.headers.get('set-cookie')).toBeNull();
    expect(await again.json()).toEqual({ user_id: userId });
    expect(JSON.parse(readFileSync(devFile, 'utf8'))).toEqual(kept);
    expect(await second.stop()).toBe(0);
  });

  it('refuses to start on a taken port and names the variable that moves it', async () => {
    const blocker: Server = createServer();
    const taken = await freePort();
    await new Promise<void>((resolve) => blocker.listen(taken, '127.0.0.1', resolve));
    try {
      const launcher = new Launcher({ ...env, TICKER_METRICS_PORT: String(taken) });
      expect(await launcher.exited).toBe(1);
      expect(launcher.stderr).toContain(`127.0.0.1:${taken}`);
      expect(launcher.stderr).toContain(`set TICKER_METRICS_PORT=<another port>`);
      expect(launcher.stdout).not.toContain('banterbox is running');
    } finally {
      blocker.close();
    }
  });
});
