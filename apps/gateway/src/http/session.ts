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

/** The user id of a valid session cookie in a Cookie header, or undefined. */
export function sessionOf(cookieHeader: string, secret: string): string | undefined {
  const value = readCookie(cookieHeader, SESSION_COOKIE);
  return value === undefined ? undefined : verifySession(value, secret);
}

/**
 * The browser's session user id (SPEC §4): the cookie's, or a new random one with the Set-Cookie
 * value that gives it to the browser.
 */
export function sessionUser(request: SessionRequest, secret: string): { userId: string; setCookie: string | undefined } {
  const existing = sessionOf(request.cookie, secret);
  if (existing !== undefined) return { userId: existing, setCookie: undefined };
  const userId = newSessionUserId();
  return { userId, setCookie: sessionSetCookie(signSession(userId, secret), request.secure) };
}

/** Like sessionUser, writing the cookie on `res` when it is new (call before any body is sent). */
export function ensureSession(res: HttpResponse, request: SessionRequest, secret: string): string {
  const { userId, setCookie } = sessionUser(request, secret);
  if (setCookie !== undefined) res.writeHeader('set-cookie', setCookie);
  return userId;
}
