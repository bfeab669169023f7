import { nanoid } from 'nanoid';
import type { Logger } from '@banterbox/logger';
import { signToken, type Secrets, type TokenRole } from '@banterbox/auth';
import {
  DEFAULT_OPTIONS,
  MAX_ROOM_HISTORY,
  MAX_VOTER_SHARDS,
  ProtocolError,
  MAX_MARKER_LABEL,
  isRecord,
  MAX_VOTE_TTL_S,
  isValidId,
  validateOptions,
  validateQuestion,
  validateSegments,
} from '@banterbox/protocol';
import type { RoomMeta, VoteStore } from '@banterbox/store';
import { HttpError, checkAdmin, checkRoomBearer, handleAsync, readJson, sendJson, type HttpRoutes, type Reply } from '../http/http';
import { sessionRequest, sessionUser } from '../http/session';
import type { WebhookEvents } from '../webhooks/webhook-events';

export interface VoteHttpDeps {
  store: VoteStore;
  secrets: Secrets;
  adminKey: string | undefined;
  tickMs: number;
  /** Points a room keeps unless it asks for its own number (HISTORY_LIMIT). */
  historyLimit: number;
  /** The open room the landing page's demo button opens; undefined for none. */
  demoRoom: string | undefined;
  webhooks: WebhookEvents;
  log: Logger;
}

const DEFAULT_TOKEN_TTL_S = 3600;
/** Guests' tokens are short-lived; the page fetches a new one on every reconnect. */
const GUEST_TOKEN_TTL_S = 3600;
const MAX_TOKEN_TTL_S = 30 * 24 * 3600;

function tokenRequest(body: unknown): { userId: string; room: string; ttlS: number; role: TokenRole; seg: string | undefined } {
  if (!isRecord(body)) throw new HttpError(400, 'body must be a JSON object');
  const { user_id: userId, room, ttl_s: ttl = DEFAULT_TOKEN_TTL_S, role = 'viewer', seg } = body;
  if (seg !== undefined && !isValidId(seg)) throw new HttpError(400, 'seg must be a segment name: 1-64 characters of [A-Za-z0-9_-]');
  if (!isValidId(userId)) throw new HttpError(400, 'user_id must be 1-64 characters of [A-Za-z0-9_-]');
  if (room !== '*' && !isValidId(room)) throw new HttpError(400, 'room must be a room id or *');
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TOKEN_TTL_S) {
    throw new HttpError(400, `ttl_s must be a whole number of seconds from 1 to ${MAX_TOKEN_TTL_S}`);
  }
  if (role !== 'viewer' && role !== 'moderator') throw new HttpError(400, 'role must be viewer or moderator');
  return { userId, room: room as string, ttlS: ttl, role, seg };
}

function roomRequest(body: unknown, tickMs: number): { roomId: string; meta: RoomMeta } {
  if (!isRecord(body)) throw new HttpError(400, 'body must be a JSON object');
  const {
    room = nanoid(8),
    options = DEFAULT_OPTIONS,
    tick_ms: roomTick = 0,
    open = false,
    voter_shards: shards = 1,
    history_limit: historyLimit = null,
    swing = null,
    segments = null,
    segment_question: ask = null,
    question = null,
    vote_ttl_s: voteTtlS = null,
  } = body;
  if (!isValidId(room)) throw new HttpError(400, 'room must be 1-64 characters of [A-Za-z0-9_-]');
  const validOptions = asHttpError(() => validateOptions(options));
  if (typeof roomTick !== 'number' || !Number.isInteger(roomTick) || roomTick < 0 || roomTick % tickMs !== 0 || roomTick > 3_600_000) {
    throw new HttpError(400, `tick_ms must be 0 (every tick) or a multiple of the service tick (${tickMs} ms), at most one hour`);
  }
  if (typeof open !== 'boolean') throw new HttpError(400, 'open must be true or false');
  if (typeof shards !== 'number' || !Number.isInteger(shards) || shards < 1 || shards > MAX_VOTER_SHARDS) {
    throw new HttpError(400, `voter_shards must be a whole number from 1 to ${MAX_VOTER_SHARDS}`);
  }
  if (
    historyLimit !== null &&
    (typeof historyLimit !== 'number' || !Number.isInteger(historyLimit) || historyLimit < 1 || historyLimit > MAX_ROOM_HISTORY)
  ) {
    throw new HttpError(400, `history_limit must be a whole number of points from 1 to ${MAX_ROOM_HISTORY}`);
  }
  if (voteTtlS !== null && (typeof voteTtlS !== 'number' || !Number.isInteger(voteTtlS) || voteTtlS < 1 || voteTtlS > MAX_VOTE_TTL_S)) {
    throw new HttpError(400, `vote_ttl_s must be a whole number of seconds from 1 to ${MAX_VOTE_TTL_S}`);
  }
  if (ask !== null && segments === null) throw new HttpError(400, 'segment_question needs segments');
  const meta: RoomMeta = {
    options: validOptions,
    open,
    tickMs: roomTick,
    shards,
    ...swingRequest(swing),
    ...(historyLimit === null ? {} : { historyLimit }),
    ...(segments === null ? {} : { segments: asHttpError(() => validateSegments(segments)) }),
    ...(ask === null ? {} : { ask: asHttpError(() => validateQuestion(ask, 'segment_question')) }),
    ...(question === null ? {} : { question: asHttpError(() => validateQuestion(question, 'question')) }),
    ...(voteTtlS === null ? {} : { voteTtlMs: voteTtlS * 1000 }),
  };
  return { roomId: room, meta };
}

/** `check()`'s value; its ProtocolError as a 400. */
function asHttpError<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    throw new HttpError(400, error instanceof ProtocolError ? error.message : 'invalid request');
  }
}

/** `"swing": {"threshold", "window_s"}` of a room request: automatic swing markers, or none (null). */
function swingRequest(swing: unknown): Pick<RoomMeta, 'swing'> {
  if (swing === null) return {};
  const whole = (value: unknown, max: number): value is number =>
    typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= max;
  if (!isRecord(swing) || !whole(swing.threshold, 1_000_000_000) || !whole(swing.window_s, 3600)) {
    throw new HttpError(400, 'swing must be {"threshold": 1 or more, "window_s": 1 to 3600}');
  }
  return { swing: { threshold: swing.threshold, windowMs: swing.window_s * 1000 } };
}

function roomView(roomId: string, meta: RoomMeta, historyLimit: number): Record<string, unknown> {
  return {
    room: roomId,
    options: meta.options,
    open: meta.open,
    tick_ms: meta.tickMs,
    voter_shards: meta.shards ?? 1,
    history_limit: meta.historyLimit ?? historyLimit,
    swing: meta.swing ? { threshold: meta.swing.threshold, window_s: meta.swing.windowMs / 1000 } : null,
    closed: meta.closedAt !== undefined,
    segments: meta.segments ?? null,
    segment_question: meta.ask ?? null,
    question: meta.question ?? null,
    round: meta.round ?? 0,
    vote_ttl_s: meta.voteTtlMs === undefined ? null : meta.voteTtlMs / 1000,
  };
}

/** The label of `POST /api/rooms/<room>/markers`: 1 to MAX_MARKER_LABEL characters, trimmed, no control characters. */
function markerLabel(body: unknown): string {
  if (!isRecord(body) || typeof body.label !== 'string') throw new HttpError(400, 'body must be {"label": "..."}');
  const label = body.label.trim();
  if (label === '' || [...label].length > MAX_MARKER_LABEL || /\p{Cc}/u.test(label)) {
    throw new HttpError(400, `label must be 1-${MAX_MARKER_LABEL} characters without control characters`);
  }
  return label;
}

/**
 * `POST <path>` of a room that runs it (SPEC §9: close, open and reset voting, add markers): the
 * room id is checked and so is its bearer, the admin key or a moderator token for the room, before
 * `handler` runs.
 */
function moderatorRoute(app: HttpRoutes, path: string, deps: VoteHttpDeps, handler: (r: Reply, roomId: string) => Promise<void>): void {
  app.post(path, (res, req) => {
    const roomId = req.getParameter(0) ?? '';
    const authorization = req.getHeader('authorization');
    handleAsync(res, deps.log, async (r) => {
      if (!isValidId(roomId)) throw new HttpError(400, 'room must be 1-64 characters of [A-Za-z0-9_-]');
      await checkRoomBearer(authorization, roomId, { adminKey: deps.adminKey, secrets: deps.secrets, moderator: true });
      await handler(r, roomId);
    });
  });
}

/** The vote rooms' HTTP API (SPEC §3, §4, §9): tokens, rooms, closing, opening and resetting voting, guests and the demo room. */
export function mountVoteHttp(app: HttpRoutes, deps: VoteHttpDeps): void {
  const { store } = deps;
  /** The demo room exists and is open whenever someone asks for it (it may have expired). */
  const demoMeta = async (): Promise<RoomMeta> =>
    (await store.ensureRoom(deps.demoRoom!, { options: [...DEFAULT_OPTIONS], open: true, tickMs: 0 })).meta;

  app.post('/api/tokens', (res, req) => {
    const authorization = req.getHeader('authorization');
    handleAsync(res, deps.log, async (r) => {
      checkAdmin(authorization, deps.adminKey);
      const { userId, room, ttlS, role, seg } = tokenRequest(await readJson(r));
      const exp = Math.floor(Date.now() / 1000) + ttlS;
      const claims = seg === undefined ? { sub: userId, room, exp, role } : { sub: userId, room, exp, role, seg };
      sendJson(r, 200, { token: await signToken(claims, deps.secrets), expires_at: exp * 1000 });
    });
  });

  app.post('/api/rooms', (res, req) => {
    const authorization = req.getHeader('authorization');
    handleAsync(res, deps.log, async (r) => {
      checkAdmin(authorization, deps.adminKey);
      const { roomId, meta } = roomRequest(await readJson(r), deps.tickMs);
      const { created, meta: stored } = await store.ensureRoom(roomId, meta);
      if (!created) throw new HttpError(409, `room ${roomId} already exists`);
      deps.webhooks.roomCreated(roomId, stored, 'api');
      sendJson(r, 201, roomView(roomId, stored, deps.historyLimit));
    });
  });

  app.post('/api/rooms/:room/guest', (res, req) => {
    const roomId = req.getParameter(0);
    const session = sessionRequest(req);
    handleAsync(res, deps.log, async (r) => {
      if (!isValidId(roomId)) throw new HttpError(400, 'room must be 1-64 characters of [A-Za-z0-9_-]');
      const meta = roomId === deps.demoRoom ? await demoMeta() : await store.getRoom(roomId);
      if (!meta) throw new HttpError(404, `room ${roomId} not found`);
      if (!meta.open) throw new HttpError(403, `room ${roomId} is not open to guests`);
      const { userId, setCookie } = sessionUser(session, deps.secrets);
      const exp = Math.floor(Date.now() / 1000) + GUEST_TOKEN_TTL_S;
      const token = await signToken({ sub: userId, room: roomId, exp }, deps.secrets);
      sendJson(r, 200, { user_id: userId, token, expires_at: exp * 1000 }, setCookie === undefined ? {} : { 'set-cookie': setCookie });
    });
  });

  for (const action of ['close', 'open'] as const) {
    moderatorRoute(app, `/api/rooms/:room/${action}`, deps, async (r, roomId) => {
      const now = Date.now();
      const done = await store.setVoting(roomId, action === 'close', now);
      if (!done) throw new HttpError(404, `room ${roomId} not found`);
      if (done.changed) deps.webhooks.voting(roomId, action === 'close', now);
      sendJson(r, 200, { room: roomId, closed: action === 'close', closed_at: done.closedAt ?? null, changed: done.changed });
    });
  }

  moderatorRoute(app, '/api/rooms/:room/reset', deps, async (r, roomId) => {
    const body = await readJson(r);
    if (!isRecord(body)) throw new HttpError(400, 'body must be {"question": "..."}');
    const question = asHttpError(() => validateQuestion(body.question, 'question'));
    const now = Date.now();
    const done = await store.resetRound(roomId, question, now);
    if (!done) throw new HttpError(404, `room ${roomId} not found`);
    if (done.conflict) throw new HttpError(409, `room ${roomId} moved to round ${done.round} meanwhile; try again`);
    deps.webhooks.round(roomId, done.round, question, now);
    sendJson(r, 200, { room: roomId, round: done.round, question, opened_at: now });
  });

  app.get('/api/rooms/:room/rounds', (res, req) => {
    const roomId = req.getParameter(0) ?? '';
    handleAsync(res, deps.log, async (r) => {
      if (!isValidId(roomId)) throw new HttpError(400, 'room must be 1-64 characters of [A-Za-z0-9_-]');
      const [meta, rounds, anchor] = await Promise.all([store.getRoom(roomId), store.rounds(roomId), store.anchor(roomId)]);
      if (!meta || !rounds) throw new HttpError(404, `room ${roomId} not found`);
      const current = { round: meta.round ?? 0, question: meta.question ?? '', opened_at: anchor ?? null, ended_at: null };
      sendJson(r, 200, { room: roomId, rounds: [...rounds, current] });
    });
  });

  moderatorRoute(app, '/api/rooms/:room/markers', deps, async (r, roomId) => {
    const label = markerLabel(await readJson(r));
    const marker = await store.addMarker(roomId, label);
    if (marker === null) throw new HttpError(404, `room ${roomId} not found`);
    sendJson(r, 201, JSON.parse(marker));
  });

  app.get('/api/demo', (res) => {
    handleAsync(res, deps.log, async (r) => {
      if (deps.demoRoom === undefined) throw new HttpError(404, 'no demo room on this server');
      await demoMeta();
      sendJson(r, 200, { room: deps.demoRoom });
    });
  });

  app.get('/api/rooms/:room', (res, req) => {
    const roomId = req.getParameter(0);
    handleAsync(res, deps.log, async (r) => {
      if (!isValidId(roomId)) throw new HttpError(400, 'room must be 1-64 characters of [A-Za-z0-9_-]');
      const meta = roomId === deps.demoRoom ? await demoMeta() : await store.getRoom(roomId);
      if (!meta) throw new HttpError(404, `room ${roomId} not found`);
      const { votes, connected, segments } = await store.liveTally(roomId, meta);
      const bySegment = segments === undefined ? {} : { segments_tally: segments };
      sendJson(r, 200, { ...roomView(roomId, meta, deps.historyLimit), ts: Date.now(), votes, connected, ...bySegment });
    });
  });
}
