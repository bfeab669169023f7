import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gatewayService } from '@banterbox/gateway';
import { tickerService } from '@banterbox/ticker';
import { ADMIN_KEY, startInProcess, TestRedis } from '@banterbox/testkit';
import type { Gateway } from '@banterbox/gateway';
import type { Ticker } from '@banterbox/ticker';

const K6 = join(__dirname, '..');
const ADAPTER = join(K6, 'adapter', 'run.mjs');

interface AdapterResult {
  ok: boolean;
  checks: { name: string; passes: number; fails: number }[];
  thresholds: { metric: string; expression: string; ok: boolean }[];
  errors: string[];
}

/**
 * Each k6 script, run once at tiny size by the Node adapter (k6 itself cannot be installed here)
 * against a real gateway, ticker and Redis: the scripts speak the protocol right, their own checks
 * pass, their thresholds are evaluated, and their JSON summary is written. This verifies the
 * scripts; it measures nothing.
 */
describe('k6 scripts (through the Node adapter)', () => {
  let redis: TestRedis;
  let gateway: Gateway;
  let ticker: Ticker;
  let dir: string;
  const TICK = { TICK_MS: '200' };

  beforeAll(async () => {
    redis = await TestRedis.start();
    gateway = await startInProcess(gatewayService, redis, TICK);
    ticker = await startInProcess(tickerService, redis, TICK);
    dir = mkdtempSync(join(tmpdir(), 'banterbox-k6-'));
  });
  afterAll(async () => {
    await gateway.stop();
    await ticker.stop();
    await redis.stop();
  });

  function run(script: string, env: Record<string, string>): Promise<{ code: number | null; result: AdapterResult; stdout: string }> {
    const args = [ADAPTER, join(K6, script)];
    const all = {
      BANTERBOX_URL: `http://127.0.0.1:${gateway.port}`,
      TICK_MS: TICK.TICK_MS,
      SUMMARY_JSON: join(dir, `${script}.json`),
      ...env,
    };
    for (const [name, value] of Object.entries(all)) args.push('-e', `${name}=${value}`);
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => {
        const start = stdout.lastIndexOf('\n{\n');
        if (start < 0) reject(new Error(`no result from the adapter (exit ${code}): ${stdout} ${stderr}`));
        else resolve({ code, result: JSON.parse(stdout.slice(start + 1)) as AdapterResult, stdout });
      });
    });
  }

  function expectPassed(script: string, { code, result }: { code: number | null; result: AdapterResult }): void {
    expect(result.errors).toEqual([]);
    expect(result.checks.length).toBeGreaterThan(0);
    for (const check of result.checks)
      expect({ check: check.name, fails: check.fails, passed: check.passes > 0 }).toEqual({ check: check.name, fails: 0, passed: true });
    expect(result.thresholds.filter((t) => !t.ok)).toEqual([]);
    expect(code).toBe(0);
    const summary = JSON.parse(readFileSync(join(dir, `${script}.json`), 'utf8')) as { metrics: Record<string, unknown> };
    expect(Object.keys(summary.metrics)).toEqual(expect.arrayContaining(['checks', 'protocol_errors']));
  }

  it('vote-audience.js: viewers in rooms made with the admin key join, vote and get every tick', async () => {
    const run1 = await run('vote-audience.js', { BANTERBOX_ADMIN_KEY: ADMIN_KEY, ROOMS: '2', VUS: '4', HOLD_S: '2', VOTES_PER_MIN: '120' });
    expectPassed('vote-audience.js', run1);
    expect(run1.result.thresholds.map((t) => t.metric)).toEqual(expect.arrayContaining(['snapshot_latency', 'missed_ticks']));
  });

  it('vote-audience.js with SEGMENTS: every viewer claims a segment and every point carries each segment', async () => {
    const result = await run('vote-audience.js', {
      BANTERBOX_ADMIN_KEY: ADMIN_KEY,
      ROOMS: '1',
      VUS: '4',
      HOLD_S: '2',
      SEGMENTS: '3',
      VOTER_SHARDS: '2',
    });
    expectPassed('vote-audience.js', result);
    expect(result.result.checks.map((c) => c.name)).toContain('points carry every segment');
  });

  it('fanout-viewers.js: silent guests in the demo room (no admin key) get every tick', async () => {
    expectPassed('fanout-viewers.js', await run('fanout-viewers.js', { VUS: '4', HOLD_S: '2' }));
  });

  it('join-storm.js: joins get the history', async () => {
    const storm = await run('join-storm.js', { VUS: '6' });
    expectPassed('join-storm.js', storm);
    expect(storm.stdout).toMatch(/join_time: avg=/);
  });

  it('poker-teams.js: teams create their rooms, estimate, reveal with every estimate and clear', async () => {
    expectPassed('poker-teams.js', await run('poker-teams.js', { VUS: '5', TEAM_SIZE: '3', ROUNDS: '2', TIMEOUT_S: '30' }));
  });

  it('fails the run when a threshold fails', async () => {
    const strict = await run('fanout-viewers.js', { VUS: '2', HOLD_S: '1', P99_MS: '0' });
    expect(strict.code).toBe(1);
    expect(strict.result.ok).toBe(false);
    expect(strict.result.thresholds).toContainEqual(
      expect.objectContaining({ metric: 'snapshot_latency', expression: 'p(99)<0', ok: false }),
    );
    expect(existsSync(join(dir, 'fanout-viewers.js.json'))).toBe(true);
  });
});
