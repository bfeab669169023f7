import type { HttpRequest, HttpResponse } from 'uWebSockets.js';
import {
  SESSION_COOKIE,
  newSessionUserId,
  readCookie,
  readSession,
  sessionSetCookie,
  signSession,
  type Secrets,
  type VerifiedSession,
} from '@banterbox/auth';

/** What the session needs from a request; read synchronously in the uWS handler. */
export interface SessionRequest {
  cookie: string;
  /** Whether the client reached us over TLS (the cookie is then marked Secure). */
  secure: boolean;
}

export function sessionRequest(req: HttpRequest): SessionRequest {
  return { cookie: req.getHeader('cookie'), secure: req.getHeader('x-forwarded-proto') === 'https' };
}

/** The valid session cookie in a Cookie header (current or previous secret), or undefined. */
function sessionCookie(cookieHeader: string, secrets: Secrets): VerifiedSession | undefined {
  const value = readCookie(cookieHeader, SESSION_COOKIE);
  return value === undefined ? undefined : readSession(value, secrets);
}

/** The user id of a valid session cookie in a Cookie header, or undefined. */
export function sessionOf(cookieHeader: string, secrets: Secrets): string | undefined {
  return sessionCookie(cookieHeader, secrets)?.userId;
}

/**
 * The browser's session user id (SPEC §4): the cookie's, or a new random one with the Set-Cookie
 * value that gives it to the browser. A cookie signed with the previous secret keeps its user id
 * and is signed again with the current one, so a rotation finishes without logging anyone out.
 */
export function sessionUser(request: SessionRequest, secrets: Secrets): { userId: string; setCookie: string | undefined } {
  const existing = sessionCookie(request.cookie, secrets);
  if (existing !== undefined && !existing.stale) return { userId: existing.userId, setCookie: undefined };
  const userId = existing?.userId ?? newSessionUserId();
  return { userId, setCookie: sessionSetCookie(signSession(userId, secrets), request.secure) };
}

/** Like sessionUser, writing the cookie on `res` when it is new (call before any body is sent). */
export function ensureSession(res: HttpResponse, request: SessionRequest, secrets: Secrets): string {
  const { userId, setCookie } = sessionUser(request, secrets);
  if (setCookie !== undefined) res.writeHeader('set-cookie', setCookie);
  return userId;
}
