import { gatewayService } from '@banterbox/gateway';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN_KEY, isData, TestRedis, TestSocket, startInProcess } from '@banterbox/testkit';
import type { Gateway } from '@banterbox/gateway';
import { defaultWebDir } from './http/static-site';

describe('web pages, guests and the demo room', () => {
  let redis: TestRedis;
  let gateway: Gateway;
  let base: string;

  beforeAll(async () => {
    redis = await TestRedis.start();
    gateway = await startInProcess(gatewayService, redis, { DEMO_ROOM: 'lobby' });
    base = `http://127.0.0.1:${gateway.port}`;
  });
  afterAll(async () => {
    await gateway.stop();
    await redis.stop();
  });

  it('serves every page with the session cookie and a strict content security policy', async () => {
    for (const path of ['/', '/room/lobby', '/overlay/lobby', '/poker', '/poker/abc', '/studio', '/replay/lobby']) {
      const response = await fetch(`${base}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('set-cookie')).toMatch(/^bb_session=.+; HttpOnly; SameSite=Lax$/);
      expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(await response.text()).toMatch(/<script type="module" src="\/assets\/[a-z]+-[A-Z0-9]+\.js"><\/script>/);
    }
  });

  it('answers a room page whose id breaks the id rule with 404 (the page says so), not 200', async () => {
    for (const path of ['/room/a%20b', '/overlay/no.dots', `/poker/${'x'.repeat(65)}`, '/room/%F0%9F%8E%89']) {
      const response = await fetch(`${base}${path}`);
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    }
    expect((await fetch(`${base}/room/${'y'.repeat(64)}`)).status).toBe(200);
  });

  it('serves the hashed assets as immutable and nothing else', async () => {
    const manifest = JSON.parse(readFileSync(join(defaultWebDir(), 'manifest.json'), 'utf8')) as { assets: string[] };
    const script = manifest.assets.find((file) => file.startsWith('room-') && file.endsWith('.js'))!;
    const response = await fetch(`${base}/assets/${script}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await fetch(`${base}/assets/nope.js`)).status).toBe(404);
    expect((await fetch(`${base}/assets/..%2Fpackage.json`)).status).toBe(404);
  });

  it('keeps an open demo room and lets a browser join it as a guest with its session id', async () => {
    // A guest may arrive straight at /room/lobby, before anyone asked for the demo.
    const first = await fetch(`${base}/api/rooms/lobby/guest`, { method: 'POST' });
    expect(await (await fetch(`${base}/api/demo`)).json()).toEqual({ room: 'lobby' });
    expect(first.status).toBe(200);
    const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
    const guest = (await first.json()) as { user_id: string; token: string };
    // The same browser keeps its id, and gets no new cookie.
    const again = await fetch(`${base}/api/rooms/lobby/guest`, { method: 'POST', headers: { cookie } });
    expect(again.headers.get('set-cookie')).toBeNull();
    expect(((await again.json()) as { user_id: string }).user_id).toBe(guest.user_id);

    const socket = await TestSocket.open(`ws://127.0.0.1:${gateway.port}/api/vote_ws/`);
    socket.send({ auth: { token: guest.token, room: 'lobby' } });
    await socket.waitFor(isData);
    socket.close();
  });

  it('refuses guests in rooms that are not open or do not exist', async () => {
    const created = await fetch(`${base}/api/rooms`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ room: 'members-only' }),
    });
    expect(created.status).toBe(201);
    expect((await fetch(`${base}/api/rooms/members-only/guest`, { method: 'POST' })).status).toBe(403);
    expect((await fetch(`${base}/api/rooms/nowhere/guest`, { method: 'POST' })).status).toBe(404);
  });
});
