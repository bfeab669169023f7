import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { signToken } from '@banterbox/auth';
import { REDIS_TOPOLOGY_CHOICES } from '@banterbox/config';
import { AppProcess, LocalRedis, pingRedis, redisServerAvailable } from '@banterbox/local-stack';

/**
 * `npm start`: the whole service on one machine for trying it out. Uses REDIS_URL, else a Redis
 * answering on 127.0.0.1:6379, else a throwaway redis-server on a free port; then one ticker and
 * one gateway (port 8080 unless PORT is set), and prints how to connect.
 */
const APPS = join(__dirname, '..', '..');
const DEMO_ROOM = 'demo';


async function redisEnv(): Promise<{ env: Record<string, string>; where: string; owned: LocalRedis | undefined }> {
  // Any of the apps' own topology variables set (SPEC §3) means "use that Redis".
  const given = REDIS_TOPOLOGY_CHOICES.filter((name) => process.env[name]);
  if (given.length > 0) return { env: {}, where: `as configured (${given.join(', ')})`, owned: undefined };
  if (await pingRedis(6379, '127.0.0.1', 500)) return { env: { REDIS_URL: 'redis://127.0.0.1:6379' }, where: 'redis://127.0.0.1:6379', owned: undefined };
  if (!redisServerAvailable()) {
    process.stderr.write(
      'No Redis: REDIS_URL is not set, nothing answers on 127.0.0.1:6379, and redis-server is not on PATH.\n' +
        'Install Redis 7 (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis) or set REDIS_URL.\n',
    );
    process.exit(1);
  }
  const owned = await LocalRedis.start();
  return { env: owned.env, where: `throwaway redis-server on port ${owned.port}`, owned };
}

async function banner(port: string, secret: string, adminKey: string): Promise<string> {
  const base = `http://127.0.0.1:${port}`;
  const token = await signToken({ sub: 'demo-user', room: DEMO_ROOM, exp: Math.floor(Date.now() / 1000) + 24 * 3600 }, secret);
  return [
    '',
    'banterbox is running. Open it in a browser:',
    `  start here  ${base}/`,
    `  vote        ${base}/room/${DEMO_ROOM}  (the open demo room: anyone can vote)`,
    `  overlay     ${base}/overlay/${DEMO_ROOM}?w=800&h=300  (add it to your stream as a browser source)`,
    `  poker       ${base}/poker`,
    '',
    `  gateway     ${base}  (health ${base}/healthz, readiness ${base}/readyz)`,
    `  vote socket ws://127.0.0.1:${port}/api/vote_ws/`,
    `  poker       ws://127.0.0.1:${port}/connect  (needs the session cookie from ${base}/api/session)`,
    `  demo room   ${DEMO_ROOM}  (yes/no, open to guests; tally: curl ${base}/api/rooms/${DEMO_ROOM})`,
    '',
    'Vote from a terminal (npx wscat -c ws://127.0.0.1:' + port + '/api/vote_ws/), then send:',
    `  {"auth": {"user_id": "demo-user", "token": "${token}", "room": "${DEMO_ROOM}"}}`,
    '  {"vote": {"value": "yes"}}',
    '',
    'Play planning poker from a terminal:',
    `  cookie=$(curl -s -o /dev/null -c - ${base}/api/session | awk '/bb_session/ {print $6"="$7}')`,
    `  npx wscat -H "Cookie: $cookie" -c ws://127.0.0.1:${port}/connect`,
    '  {"request": "createRoom", "topic": "First story"}',
    '',
    'Mint a token for another user or room:',
    `  curl -s -X POST ${base}/api/tokens -H 'Authorization: Bearer ${adminKey}' \\`,
    `       -H 'content-type: application/json' -d '{"user_id": "alice", "room": "${DEMO_ROOM}", "ttl_s": 3600}'`,
    '',
    'Ctrl-C stops everything.',
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const { env: redis, where, owned } = await redisEnv();
  const secret = process.env.BANTERBOX_SECRET ?? randomBytes(24).toString('base64url');
  const adminKey = process.env.BANTERBOX_ADMIN_KEY ?? randomBytes(18).toString('base64url');
  const port = process.env.PORT ?? '8080';
  const env = {
    ...Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined)),
    ...redis,
    BANTERBOX_SECRET: secret,
    BANTERBOX_ADMIN_KEY: adminKey,
    PORT: port,
    DEMO_ROOM: DEMO_ROOM,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  };
  const ticker = AppProcess.start(join(APPS, 'ticker', 'dist', 'main.js'), env);
  const gateway = AppProcess.start(join(APPS, 'gateway', 'dist', 'main.js'), { ...env, LOG_LEVEL: 'info' });
  ticker.child.stdout?.pipe(process.stdout);
  ticker.child.stderr?.pipe(process.stderr);
  gateway.child.stderr?.pipe(process.stderr);

  let stopping = false;
  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    gateway.signal('SIGTERM');
    ticker.signal('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await Promise.all([gateway.kill(), ticker.kill()]);
    await owned?.stop();
    process.exit(code);
  };
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));
  for (const proc of [gateway, ticker]) {
    proc.child.once('exit', (status) => {
      if (!stopping) {
        process.stderr.write(`a banterbox process exited (${String(status)}); stopping\n${proc.tail()}\n`);
        void stop(1);
      }
    });
  }

  try {
    await gateway.waitForLog('gateway listening', 20_000);
  } catch (error) {
    process.stderr.write(`gateway did not start: ${String(error)}\n`);
    await stop(1);
    return;
  }
  gateway.child.stdout?.on('data', (chunk: Buffer) => {
    if (env.LOG_LEVEL !== 'warn') process.stdout.write(chunk);
  });
  process.stdout.write(`Redis: ${where}\n`);
  process.stdout.write(await banner(port, secret, adminKey));
}

void main();
