import { randomBytes } from 'node:crypto';
import type { TemplatedApp } from 'uWebSockets.js';
import { signToken } from '@banterbox/auth';
import { DEFAULT_OPTIONS, ProtocolError, isValidId, validateOptions } from '@banterbox/protocol';
import type { RoomMeta, VoteStore } from '@banterbox/store';
import { HttpError, checkAdmin, handleAsync, isRecord, readJson, sendJson } from './http';

export interface HttpApiDeps {
  store: VoteStore;
  secret: string;
  adminKey: string | undefined;
  tickMs: number;
  readiness: () => { ready: boolean; checks: Record<string, unknown> };
}

const DEFAULT_TOKEN_TTL_S = 3600;
const MAX_TOKEN_TTL_S = 30 * 24 * 3600;

function tokenRequest(body: unknown): { userId: string; room: string; ttlS: number } {
  if (!isRecord(body)) throw new HttpError(400, 'body must be a JSON object');
  const { user_id: userId, room, ttl_s: ttl = DEFAULT_TOKEN_TTL_S } = body;
  if (!isValidId(userId)) throw new HttpError(400, 'user_id must be 1-64 characters of [A-Za-z0-9_-]');
  if (room !== '*' && !isValidId(room)) throw new HttpError(400, 'room must be a room id or *');
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TOKEN_TTL_S) {
    throw new HttpError(400, `ttl_s must be a whole number of seconds from 1 to ${MAX_TOKEN_TTL_S}`);
  }
  return { userId, room: room as string, ttlS: ttl };
}

function roomRequest(body: unknown, tickMs: number): { roomId: string; meta: RoomMeta } {
  if (!isRecord(body)) throw new HttpError(400, 'body must be a JSON object');
  const { room = randomBytes(6).toString('base64url'), options = DEFAULT_OPTIONS, tick_ms: roomTick = 0, open = false } = body;
  if (!isValidId(room)) throw new HttpError(400, 'room must be 1-64 characters of [A-Za-z0-9_-]');
  let validOptions: string[];
  try {
    validOptions = validateOptions(options);
  } catch (error) {
    throw new HttpError(400, error instanceof ProtocolError ? error.message : 'invalid options');
  }
  if (typeof roomTick !== 'number' || !Number.isInteger(roomTick) || roomTick < 0 || roomTick % tickMs !== 0 || roomTick > 3_600_000) {
    throw new HttpError(400, `tick_ms must be 0 (every tick) or a multiple of the service tick (${tickMs} ms), at most one hour`);
  }
  if (typeof open !== 'boolean') throw new HttpError(400, 'open must be true or false');
  return { roomId: room, meta: { options: validOptions, open, tickMs: roomTick } };
}

function roomView(roomId: string, meta: RoomMeta): Record<string, unknown> {
  return { room: roomId, options: meta.options, open: meta.open, tick_ms: meta.tickMs };
}

/** The HTTP API (SPEC §3, §4): tokens, rooms, health and readiness. */
export function mountHttpApi(app: TemplatedApp, deps: HttpApiDeps): void {
  const { store } = deps;

  app.get('/healthz', (res) => {
    res.writeHeader('content-type', 'text/plain').end('ok');
  });

  app.get('/readyz', (res) => {
    const { ready, checks } = deps.readiness();
    res.writeStatus(ready ? '200 OK' : '503 Service Unavailable').writeHeader('content-type', 'application/json');
    res.end(JSON.stringify({ ready, ...checks }));
  });

  app.post('/api/tokens', (res, req) => {
    const authorization = req.getHeader('authorization');
    handleAsync(res, async (r) => {
      checkAdmin(authorization, deps.adminKey);
      const { userId, room, ttlS } = tokenRequest(await readJson(r));
      const exp = Math.floor(Date.now() / 1000) + ttlS;
      sendJson(r, 200, { token: signToken({ sub: userId, room, exp }, deps.secret), expires_at: exp * 1000 });
    });
  });

  app.post('/api/rooms', (res, req) => {
    const authorization = req.getHeader('authorization');
    handleAsync(res, async (r) => {
      checkAdmin(authorization, deps.adminKey);
      const { roomId, meta } = roomRequest(await readJson(r), deps.tickMs);
      const { created, meta: stored } = await store.ensureRoom(roomId, meta);
      if (!created) throw new HttpError(409, `room ${roomId} already exists`);
      sendJson(r, 201, roomView(roomId, stored));
    });
  });

  app.get('/api/rooms/:room', (res, req) => {
    const roomId = req.getParameter(0);
    handleAsync(res, async (r) => {
      if (!isValidId(roomId)) throw new HttpError(400, 'room must be 1-64 characters of [A-Za-z0-9_-]');
      const meta = await store.getRoom(roomId);
      if (!meta) throw new HttpError(404, `room ${roomId} not found`);
      const tally = await store.liveTally(roomId, meta.options);
      sendJson(r, 200, { ...roomView(roomId, meta), ts: Date.now(), ...tally });
    });
  });
}
