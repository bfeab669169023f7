import type { HttpRequest, HttpResponse } from 'uWebSockets.js';
import { SESSION_COOKIE, newSessionUserId, readCookie, sessionSetCookie, signSession, verifySession } from '@banterbox/auth';

/** What the session needs from a request; read synchronously in the uWS handler. */
export interface SessionRequest {
  cookie: string;
  /** Whether the client reached us over TLS (the cookie is then marked Secure). */
  secure: boolean;
}

export function sessionRequest(req: HttpRequest): SessionRequest {
  return { cookie: req.getHeader('cookie'), secure: req.getHeader('x-forwarded-proto') === 'https' };
}

/**
 * The browser's session user id (SPEC §4). When the request has no valid session cookie, a new
 * random user id is made and its signed cookie written on `res` (call before any body is sent).
 */
export function ensureSession(res: HttpResponse, request: SessionRequest, secret: string): string {
  const value = readCookie(request.cookie, SESSION_COOKIE);
  const existing = value === undefined ? undefined : verifySession(value, secret);
  if (existing !== undefined) return existing;
  const userId = newSessionUserId();
  res.writeHeader('set-cookie', sessionSetCookie(signSession(userId, secret), request.secure));
  return userId;
}
