import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import {
  AppProcess,
  NetnsHost,
  PokerClient,
  TestRedis,
  createPokerRoom,
  sessionCookie,
  spawnGateway,
  untilStatus,
  type GatewayProcess,
} from '@banterbox/testkit';

/**
 * A poker member who reads too slowly through a reveal (SPEC §6, §7). Poker events are changes,
 * not full states, so a socket that misses one is wrong from then on: the gateway must close it
 * with 4010 (the page rejoins from a fresh snapshot) rather than drop a frame and carry on. The
 * gateway and the reader run on a test host of their own (a network namespace) whose TCP buffers
 * are 4 KiB, and the reader stops reading after its join, so the gateway's own send buffer
 * really fills.
 */
const READER = `
const WebSocket = require('ws');
const events = [];
let closed = null;
const ws = new WebSocket(process.env.URL, { headers: { cookie: process.env.COOKIE } });
ws.on('open', () => ws.send(JSON.stringify({ request: 'joinRoom', roomId: process.env.ROOM })));
ws.on('message', (data) => {
  const event = JSON.parse(data.toString());
  events.push(event);
  if (event.event === 'userJoined' && event.user.id === process.env.ME) {
    console.log(JSON.stringify({ joined: true }));
    ws._socket.pause();
    setTimeout(() => ws._socket.resume(), Number(process.env.PAUSE_MS));
  }
});
ws.on('close', (code) => { closed = code; });
ws.on('error', () => undefined);
setTimeout(() => { console.log(JSON.stringify({ events, closed })); process.exit(0); }, Number(process.env.PAUSE_MS) + 4000);
`;

describe('a poker member reading too slowly through a reveal (real processes, a 4 KiB receive window)', () => {
  let host: NetnsHost;
  let redis: TestRedis;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    host = NetnsHost.create(78);
    host.exec('sysctl', ['-q', '-w', 'net.ipv4.tcp_rmem=4096 4096 4096']);
    host.exec('sysctl', ['-q', '-w', 'net.ipv4.tcp_wmem=4096 4096 4096']);
    redis = await TestRedis.start({ bind: [host.hostAddress] });
    // Slow sockets are closed by the sweep only after a minute: what closes this one is the rule under test.
    const settings = {
      REDIS_URL: `redis://${host.hostAddress}:${redis.port}`,
      MAX_BACKPRESSURE_BYTES: '4096',
      SLOW_CONSUMER_MS: '60000',
      LOG_LEVEL: 'info',
    };
    gateway = await spawnGateway(redis, settings, [], host);
    await untilStatus(gateway, '/readyz', 200, 15_000);
  });
  afterAll(async () => {
    await gateway?.proc.kill();
    await redis?.stop();
    host?.destroy();
  });

  it('closes it with 4010 instead of letting it miss an event, and the rejoin shows the reveal', async () => {
    const roomId = 'slow-reader';
    const owner = await PokerClient.connect(gateway, 'sr-owner');
    await createPokerRoom(owner, roomId);
    const reader = AppProcess.start(
      '-',
      {
        URL: `ws://127.0.0.1:${gateway.port}/connect`,
        COOKIE: sessionCookie('sr-reader'),
        ROOM: roomId,
        ME: 'sr-reader',
        PAUSE_MS: '2000',
        NODE_PATH: join(__dirname, '..', '..', '..', '..', 'node_modules'),
      },
      ['-e', READER],
      host.prefix,
    );
    await eventuallyJoined(reader);

    // The owner's four tabs change the topic 70 times a second (each tab under the rate limit).
    const tabs = [owner, ...(await Promise.all([1, 2, 3].map(() => PokerClient.connect(gateway, 'sr-owner'))))];
    for (let round = 0; round < 60; round += 1) {
      tabs.forEach((tab, i) => tab.send({ command: 'setTopic', roomId, topic: `${round}-${i}-${'x'.repeat(180)}` }));
      await sleep(57);
    }
    owner.send({ request: 'estimate', roomId, value: '8' });
    owner.send({ request: 'reveal', roomId });

    const result = (await waitForResult(reader)) as unknown as { events: { event: string }[]; closed: number | null };
    const revealed = result.events.some((e) => e.event === 'roomRevealed');
    const metricsPort = Number(gateway.proc.lines.find((l) => l.msg === 'metrics listening')?.port);
    const metrics = await (await fetch(`http://${host.address}:${metricsPort}/metrics`)).text();
    const closedWith4010 = /^banterbox_disconnects_total\{endpoint="poker",code="4010"[^}]*\} 1$/m.test(metrics);
    process.stdout.write(
      `slow poker reader: ${result.events.length} events read, the gateway closed it with 4010: ${closedWith4010}, the reader saw ${String(result.closed)}, saw the reveal: ${revealed}\n`,
    );
    // Closed to rejoin, never left open with a hole in its events. The gateway closes with 4010;
    // the reader sees 4010, or 1006 when uWS gave up on the closing handshake before the reader
    // drained its full buffer (the page rejoins either way: see apps/web/src/lib/poker-connection.ts).
    expect(closedWith4010).toBe(true);
    expect([4010, 1006]).toContain(result.closed);
    expect(revealed).toBe(false);
    // Its rejoin (what the page does on 4010) shows the room as it is: revealed.
    const again = await PokerClient.connect(gateway, 'sr-reader');
    again.send({ request: 'joinRoom', roomId });
    const [room] = await again.snapshot();
    expect(room).toMatchObject({ event: 'roomUpdated', room: { isRevealed: true } });
    [again, ...tabs].forEach((c) => c.close());
  });
});

async function eventuallyJoined(reader: AppProcess): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!reader.lines.some((l) => l.joined === true)) {
    if (Date.now() > deadline || reader.exited !== undefined) throw new Error(`reader did not join: ${reader.tail()}`);
    await sleep(20);
  }
}

async function waitForResult(reader: AppProcess): Promise<Record<string, unknown>> {
  await reader.waitForExit(20_000);
  const line = reader.lines.find((l) => 'events' in l);
  if (!line) throw new Error(`reader printed no result: ${reader.tail()}`);
  return line;
}
