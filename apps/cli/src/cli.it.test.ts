import { gatewayService } from '@banterbox/gateway';
import { tickerService } from '@banterbox/ticker';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ADMIN_KEY, isData, TestRedis, TestSocket, waitForPoint, startInProcess } from '@banterbox/testkit';
import type { Gateway } from '@banterbox/gateway';
import type { Ticker } from '@banterbox/ticker';
import { USAGE, runCli } from './cli';

const CLI_MAIN = join(__dirname, '..', 'dist', 'main.js');

describe('banterbox CLI against a real gateway', () => {
  let redis: TestRedis;
  let gateway: Gateway;
  let ticker: Ticker;
  let url: string;

  beforeAll(async () => {
    redis = await TestRedis.start();
    gateway = await startInProcess(gatewayService, redis);
    ticker = await startInProcess(tickerService, redis);
    url = `http://127.0.0.1:${gateway.port}`;
  });
  afterAll(async () => {
    await gateway.stop();
    await ticker.stop();
    await redis.stop();
  });

  async function run(args: string[], extra: { watchLimit?: number } = {}): Promise<string[]> {
    const out: string[] = [];
    await runCli(args, {
      env: { BANTERBOX_URL: url, BANTERBOX_ADMIN_KEY: ADMIN_KEY },
      out: (text) => out.push(text),
      sleep: async () => undefined,
      ...extra,
    });
    return out;
  }

  it('creates a room, mints a token that opens it, and shows its tally', async () => {
    expect(await run(['room', 'create', '--room', 'cli-room', '--options', 'left,right', '--open'])).toEqual([
      'created cli-room (options left, right, open to guests)',
    ]);
    expect(await run(['room', 'create', '--room', 'cli-giant', '--voter-shards', '8'])).toEqual([
      'created cli-giant (options yes, no, voters in 8 parts)',
    ]);
    const [token] = await run(['token', '--user', 'cli-user', '--room', 'cli-room', '--ttl', '60']);
    const socket = await TestSocket.open(`ws://127.0.0.1:${gateway.port}/api/vote_ws/`);
    socket.send({ auth: { token, room: 'cli-room' } });
    await socket.waitFor(isData);
    socket.send({ vote: { value: 'right' } });
    await waitForPoint(socket, (p) => p.votes.right === 1);

    const [line] = await run(['tally', 'cli-room']);
    expect(line).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z {2}left 0 {2}right 1 {2}connected 1$/);
    const [json] = await run(['room', 'show', 'cli-room', '--json']);
    expect(JSON.parse(json!)).toMatchObject({
      room: 'cli-room',
      options: ['left', 'right'],
      open: true,
      votes: { left: 0, right: 1 },
      connected: 1,
    });
    expect(await run(['tally', 'cli-room', '--watch'], { watchLimit: 3 })).toHaveLength(3);
    expect(await run(['room', 'close', 'cli-room'])).toEqual(['voting in cli-room is closed']);
    expect(await run(['room', 'close', 'cli-room'])).toEqual(['voting in cli-room is closed (it was already)']);
    socket.send({ vote: { value: 'left' } });
    await socket.waitFor((frame) => (frame as { error?: { code: string } }).error?.code === 'closed');
    expect(JSON.parse((await run(['room', 'show', 'cli-room', '--json']))[0]!)).toMatchObject({ closed: true, votes: { right: 1 } });
    expect(await run(['room', 'open', 'cli-room'])).toEqual(['voting in cli-room is open']);
    const [moderator] = await run(['token', '--user', 'cli-mod', '--room', 'cli-room', '--moderator']);
    const closedByModerator = await fetch(`http://127.0.0.1:${gateway.port}/api/rooms/cli-room/close`, {
      method: 'POST',
      headers: { authorization: `Bearer ${moderator}` },
    });
    expect(await closedByModerator.json()).toMatchObject({ closed: true, changed: true });
    expect(await run(['room', 'open', 'cli-room'])).toEqual(['voting in cli-room is open']);
    const [marked] = await run(['marker', 'cli-room', 'the', 'big', 'reveal']);
    expect(marked).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z {2}the big reveal$/);
    socket.close();

    // The room's stored points, as CSV and as JSON, the vote in the newest.
    const [csv] = await run(['export', 'cli-room', '--csv']);
    const rows = csv!.split('\n');
    expect(rows[0]).toBe('ts,time,left,right,connected,markers');
    // The marker is there whether or not a point was stored after it (then on a row of its own).
    expect(rows.some((row) => row.endsWith(',the big reveal'))).toBe(true);
    const pointRows = rows.slice(1).filter((row) => row.split(',')[2] !== '');
    expect(pointRows.length).toBeGreaterThan(0);
    const [exported] = await run(['export', 'cli-room', '--since', '0']);
    const points = (JSON.parse(exported!) as { points: { ts: number; votes: Record<string, number> }[] }).points;
    expect(points.length).toBeGreaterThanOrEqual(pointRows.length);
    expect(points.some((p) => p.votes.right === 1)).toBe(true);

    // A room with segments and a question; a viewer token naming a segment; a new round; the first round's export.
    expect(
      await run(['room', 'create', '--room', 'cli-teams', '--segments', 'red,blue', '--question', 'Who wins?', '--vote-ttl', '60']),
    ).toEqual(['created cli-teams (options yes, no, segments red, blue)']);
    const [teamToken] = await run(['token', '--user', 'cli-red', '--room', 'cli-teams', '--seg', 'red']);
    const teams = await TestSocket.open(`ws://127.0.0.1:${gateway.port}/api/vote_ws/`);
    teams.send({ auth: { token: teamToken, room: 'cli-teams' } });
    await teams.waitFor((frame) => (frame as { state?: { segment?: string } }).state?.segment === 'red', 10_000);
    teams.send({ vote: { value: 'yes' } });
    await teams.waitFor(
      (frame) => (frame as { data?: { segments?: { red?: { yes?: number } } }[] }).data?.[0]?.segments?.red?.yes === 1,
      10_000,
    );
    const [shown] = await run(['room', 'show', 'cli-teams']);
    expect(shown!.split('\n')).toEqual([
      'cli-teams: options yes, no',
      'question: Who wins?',
      expect.stringMatching(/ yes 1 {2}no 0 {2}connected 1$/),
      '  red: yes 1  no 0',
      '  blue: yes 0  no 0',
    ]);
    expect(await run(['room', 'reset', 'cli-teams', 'And', 'now?'])).toEqual(['cli-teams: round 1 open, "And now?"']);
    expect((await run(['room', 'show', 'cli-teams']))[0]!.split('\n').slice(0, 2)).toEqual([
      'cli-teams: options yes, no, round 1',
      'question: And now?',
    ]);
    teams.close();
    const [first] = await run(['export', 'cli-teams', '--round', '0', '--csv']);
    expect(first!.split('\n')[0]).toBe('ts,time,yes,no,connected,red:yes,red:no,blue:yes,blue:no,markers');
    expect(first!.split('\n').some((row) => row.includes(',1,0,1,1,0,0,0,'))).toBe(true);
    await expect(run(['room', 'reset', 'cli-teams'])).rejects.toThrow("room reset needs a room id and the new round's question");

    // The webhook delivery log (this gateway has no WEBHOOK_URLS: nothing pending, nothing to replay).
    expect(await run(['webhooks'])).toEqual(['0 pending']);
    await expect(run(['webhooks', 'replay', 'evt_1-0'])).rejects.toThrow('HTTP 409: no WEBHOOK_URLS on this gateway');
  });

  /** Runs the built bin (asynchronously: the gateway it talks to runs in this process). */
  function bin(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [CLI_MAIN, ...args], { env });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });
  }

  it('exits 2 on bad usage and 1 when the server refuses, with the reason on stderr (the built bin)', async () => {
    const env = { PATH: process.env.PATH ?? '', BANTERBOX_URL: url, BANTERBOX_ADMIN_KEY: 'wrong-key-0123456789' };
    const usage = await bin([], env);
    expect(usage.status).toBe(2);
    expect(usage.stdout).toContain(USAGE.split('\n')[0]);
    const refused = await bin(['token', '--user', 'u', '--room', 'r'], env);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toBe('banterbox: POST /api/tokens: HTTP 401: admin key required\n');
    const missing = await bin(['tally', 'no-such-room'], env);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('HTTP 404');
    const unknown = await bin(['tally', 'x', '--frobnicate'], env);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('--frobnicate');
    const room = await bin(['room'], env);
    expect(room.status).toBe(2);
    expect(room.stderr).toContain(
      'room needs a subcommand: room create …, room show <room>, room close <room>, room open <room> or room reset <room> <question>',
    );
    const help = await bin(['--help'], env);
    expect(help.status).toBe(0);
  });
});
