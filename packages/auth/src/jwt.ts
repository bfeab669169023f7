import { createHmac, timingSafeEqual } from 'node:crypto';
import { isValidId } from '@banterbox/protocol';

/**
 * JWTs for vote rooms (SPEC §4): HS256 only, keyed by BANTERBOX_SECRET, with `sub`, `room`
 * (a room id or `*`), `exp` (required) and `aud: "banterbox"`. The algorithm is pinned: a token
 * whose header names anything else, `none` included, is rejected before any signature check.
 */
export const TOKEN_AUDIENCE = 'banterbox';
const HEADER = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
/** Tolerated clock difference between the minting platform and this service. */
const CLOCK_SKEW_S = 5;

export interface TokenClaims {
  sub: string;
  room: string;
  /** Expiry in Unix seconds. */
  exp: number;
}

export interface VerifiedToken extends TokenClaims {
  iat: number | undefined;
}

export class AuthError extends Error {
  readonly code = 'unauthorized';
  constructor(message: string) {
    super(message);
    this.name = 'AuthError';
  }
}

function base64url(input: string | Buffer): string {
  return Buffer.from(input).toString('base64url');
}

function sign(data: string, secret: string): Buffer {
  return createHmac('sha256', secret).update(data).digest();
}

export function signToken(claims: TokenClaims, secret: string, nowMs = Date.now()): string {
  const payload = base64url(JSON.stringify({ ...claims, aud: TOKEN_AUDIENCE, iat: Math.floor(nowMs / 1000) }));
  const body = `${HEADER}.${payload}`;
  return `${body}.${base64url(sign(body, secret))}`;
}

function decodeJsonPart(part: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new AuthError(`token ${what} is not valid JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AuthError(`token ${what} must be an object`);
  }
  return value as Record<string, unknown>;
}

function hasAudience(aud: unknown): boolean {
  return aud === TOKEN_AUDIENCE || (Array.isArray(aud) && aud.includes(TOKEN_AUDIENCE));
}

/** Verifies signature and claims; throws AuthError saying what is wrong. */
export function verifyToken(token: string, secret: string, nowMs = Date.now()): VerifiedToken {
  const parts = token.split('.');
  if (parts.length !== 3) throw new AuthError('token is not a JWT');
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = decodeJsonPart(headerPart, 'header');
  if (header.alg !== 'HS256') throw new AuthError('token algorithm must be HS256');
  const expected = sign(`${headerPart}.${payloadPart}`, secret);
  const given = Buffer.from(signaturePart, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new AuthError('token signature is invalid');
  }
  const claims = decodeJsonPart(payloadPart, 'payload');
  const nowS = nowMs / 1000;
  if (typeof claims.exp !== 'number') throw new AuthError('token has no exp');
  if (claims.exp + CLOCK_SKEW_S <= nowS) throw new AuthError('token has expired');
  if (typeof claims.nbf === 'number' && claims.nbf - CLOCK_SKEW_S > nowS) throw new AuthError('token is not valid yet');
  if (!hasAudience(claims.aud)) throw new AuthError('token audience must be banterbox');
  if (!isValidId(claims.sub)) throw new AuthError('token sub must be a user id');
  if (claims.room !== '*' && !isValidId(claims.room)) throw new AuthError('token room must be a room id or *');
  return {
    sub: claims.sub,
    room: claims.room,
    exp: claims.exp,
    iat: typeof claims.iat === 'number' ? claims.iat : undefined,
  };
}
