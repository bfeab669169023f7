import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pingRedis } from './redis-process';

describe('throwaway servers do not outlive their starter', () => {
  it('kills a redis-server its process never stopped when that process exits', async () => {
    // A starter that leaves its server running and exits, as a test runner's worker does when a
    // test timed out before its cleanup ran.
    const dist = join(__dirname, '..', 'dist', 'index.js');
    const starter = `const { LocalRedis } = require(${JSON.stringify(dist)}); LocalRedis.start().then((r) => { console.log(r.port); process.exit(0); });`;
    const run = spawnSync(process.execPath, ['-e', starter], { encoding: 'utf8', timeout: 30_000 });
    const port = Number(run.stdout.trim());
    expect(port).toBeGreaterThan(0);
    expect(await pingRedis(port)).toBe(false);
  });
});
