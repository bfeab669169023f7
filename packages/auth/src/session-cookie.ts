import { createHmac, timingSafeEqual } from 'node:crypto';
import { nanoid } from 'nanoid';
import { isValidId } from '@banterbox/protocol';
import { AuthError } from './jwt';
import { cookieKey } from './keys';
import { signingSecret, verifyingSecrets, type SecretsLike } from './secrets';

/**
 * The browser session (SPEC §4, seed 004): a random user id in a cookie signed with a key derived
 * from BANTERBOX_SECRET (see keys.ts), so a client can keep its id but never choose or forge
 * another one. Value format: `<user id>.<base64url HMAC-SHA256 of "session:<user id>">`.
 */
export const SESSION_COOKIE = 'bb_session';
/** Browsers keep the cookie this long; the server-side user lifetime is USER_TTL_S. */
const MAX_AGE_S = 365 * 24 * 3600;

function mac(userId: string, secret: string): string {
  return createHmac('sha256', cookieKey(secret)).update(`session:${userId}`).digest('base64url');
}

/** A fresh random user id (22 characters of [A-Za-z0-9_-]). */
export function newSessionUserId(): string {
  return nanoid(22);
}

/** Signs with the current secret. */
export function signSession(userId: string, secrets: SecretsLike): string {
  if (!isValidId(userId)) throw new AuthError('session user id must be 1-64 characters of [A-Za-z0-9_-]');
  return `${userId}.${mac(userId, signingSecret(secrets))}`;
}

export interface VerifiedSession {
  userId: string;
  /** Signed with the previous secret: worth signing again with the current one. */
  stale: boolean;
}

/** The session in a signed value (current or previous secret), or undefined if malformed or forged. */
export function readSession(value: string, secrets: SecretsLike): VerifiedSession | undefined {
  const dot = value.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const userId = value.slice(0, dot);
  if (!isValidId(userId)) return undefined;
  const given = Buffer.from(value.slice(dot + 1));
  const candidates = verifyingSecrets(secrets);
  for (const [index, secret] of candidates.entries()) {
    const expected = Buffer.from(mac(userId, secret));
    if (given.length === expected.length && timingSafeEqual(given, expected)) return { userId, stale: index > 0 };
  }
  return undefined;
}

/** The user id in a signed session value, or undefined if it is malformed or forged. */
export function verifySession(value: string, secrets: SecretsLike): string | undefined {
  return readSession(value, secrets)?.userId;
}

/** Reads one cookie from a Cookie header. */
export function readCookie(header: string, name: string): string | undefined {
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The Set-Cookie value for a session: HttpOnly, SameSite=Lax, Path=/, Secure behind TLS. */
export function sessionSetCookie(value: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; Path=/; Max-Age=${MAX_AGE_S}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}
