import { timingSafeEqual } from 'node:crypto';
import type { HttpRequest, HttpResponse } from 'uWebSockets.js';
import { verifyToken, type Secrets, type VerifiedToken } from '@banterbox/auth';
import type { Logger } from '@banterbox/logger';

/** Bodies larger than this are refused with 413. */
export const MAX_BODY_BYTES = 16 * 1024;

export class HttpError extends Error {
  readonly code = 'http_error';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

const STATUS_TEXT: Record<number, string> = {
  200: '200 OK',
  201: '201 Created',
  400: '400 Bad Request',
  401: '401 Unauthorized',
  403: '403 Forbidden',
  404: '404 Not Found',
  409: '409 Conflict',
  413: '413 Payload Too Large',
  500: '500 Internal Server Error',
  503: '503 Service Unavailable',
};

/** A response that knows whether the client went away, so async handlers never write to it after. */
export interface Reply {
  res: HttpResponse;
  aborted: boolean;
}

export function reply(res: HttpResponse): Reply {
  const state: Reply = { res, aborted: false };
  res.onAborted(() => {
    state.aborted = true;
  });
  return state;
}

export function sendJson(r: Reply, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (r.aborted) return;
  r.res.cork(() => {
    r.res.writeStatus(STATUS_TEXT[status] ?? `${status} Status`);
    for (const [name, value] of Object.entries(headers)) r.res.writeHeader(name, value);
    r.res.writeHeader('content-type', 'application/json').writeHeader('cache-control', 'no-store').end(JSON.stringify(body));
  });
}

/** Answers an HttpError with its status; anything else is logged and answered with a bare 500. */
function sendError(r: Reply, error: unknown, log: Logger): void {
  if (error instanceof HttpError) {
    sendJson(r, error.status, { error: error.message });
    return;
  }
  log.error({ err: error }, 'HTTP request failed');
  sendJson(r, 500, { error: 'internal error' });
}

/** Reads and parses a JSON body (at most MAX_BODY_BYTES). */
export function readJson(r: Reply): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    r.res.onData((chunk, isLast) => {
      size += chunk.byteLength;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, `body larger than ${MAX_BODY_BYTES} bytes`));
        return;
      }
      chunks.push(Buffer.from(chunk.slice(0)));
      if (!isLast) return;
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') {
        resolve({});
        return;
      }
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new HttpError(400, 'body is not valid JSON'));
      }
    });
  });
}

/** What `Authorization: Bearer …` carries; empty for anything else. */
const bearerOf = (authorization: string): string => (authorization.startsWith('Bearer ') ? authorization.slice(7) : '');

/** Whether `Authorization: Bearer …` holds the admin key, compared in constant time. */
export function isAdmin(authorization: string, adminKey: string | undefined): boolean {
  if (adminKey === undefined) return false;
  const given = Buffer.from(bearerOf(authorization));
  const expected = Buffer.from(adminKey);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Checks `Authorization: Bearer <admin key>` in constant time. Read the header synchronously. */
export function checkAdmin(authorization: string, adminKey: string | undefined): void {
  if (adminKey === undefined) throw new HttpError(403, 'admin API disabled: BANTERBOX_ADMIN_KEY is not set');
  if (!isAdmin(authorization, adminKey)) throw new HttpError(401, 'admin key required');
}

/**
 * Checks `Authorization: Bearer …` for one room: the admin key, or a token for that room (or for
 * any room, `*`); with `moderator`, a token with the moderator role (SPEC §9). Read the header
 * synchronously.
 */
export async function checkRoomBearer(
  authorization: string,
  roomId: string,
  access: { adminKey: string | undefined; secrets: Secrets; moderator: boolean },
): Promise<void> {
  const given = bearerOf(authorization);
  const refused = `the admin key or a ${access.moderator ? 'moderator ' : ''}token for this room is required`;
  if (given === '') throw new HttpError(401, refused);
  if (isAdmin(authorization, access.adminKey)) return;
  let token: VerifiedToken;
  try {
    token = await verifyToken(given, access.secrets);
  } catch {
    throw new HttpError(401, refused);
  }
  if (access.moderator && token.role !== 'moderator') throw new HttpError(403, 'the token is not a moderator token');
  if (token.room !== roomId && token.room !== '*') throw new HttpError(403, `the token is for room ${token.room}`);
}

/** Runs an async handler, answering its errors; registers onAborted before any await. */
export function handleAsync(res: HttpResponse, log: Logger, handler: (r: Reply) => Promise<void>): void {
  const r = reply(res);
  handler(r).catch((error: unknown) => sendError(r, error, log));
}

type Handler = (res: HttpResponse, req: HttpRequest) => void;

/** Where HTTP routes are mounted: the uWS app itself, or the draining guard around it. */
export interface HttpRoutes {
  get(pattern: string, handler: Handler): unknown;
  post(pattern: string, handler: Handler): unknown;
  any(pattern: string, handler: Handler): unknown;
}

/**
 * Routes that answer 503 and close the connection once the gateway drains, so that clients on a
 * kept-alive connection move to another gateway instead of talking to one that left Redis.
 */
export function drainingGuard(routes: HttpRoutes, draining: () => boolean): HttpRoutes {
  const guard =
    (handler: Handler): Handler =>
    (res, req) => {
      if (!draining()) {
        handler(res, req);
        return;
      }
      res.cork(() => {
        res.writeStatus('503 Service Unavailable').writeHeader('retry-after', '1').end('draining', true);
      });
    };
  return {
    get: (pattern, handler) => routes.get(pattern, guard(handler)),
    post: (pattern, handler) => routes.post(pattern, guard(handler)),
    any: (pattern, handler) => routes.any(pattern, guard(handler)),
  };
}

export type { HttpRequest, HttpResponse };
