import { createHmac } from 'node:crypto';
import { isValidId } from '@banterbox/protocol';

const base64url = (data: string | Buffer): string => Buffer.from(data).toString('base64url');

export interface ViewerToken {
  /** The viewer's user id on your platform (1–64 of [A-Za-z0-9_-]). */
  userId: string;
  /** The room it opens, or `*` for every room. */
  room: string;
  /** Seconds it is valid (default 3600). The client asks for a new one when it runs out. */
  ttlS?: number;
  /** `moderator` for the streamer or their moderators: may also close and open voting (SPEC §9). */
  role?: 'viewer' | 'moderator';
}

/**
 * Mints a viewer's token (SPEC §4) with the service's BANTERBOX_SECRET: an HS256 JWT with `sub`,
 * `room`, `aud: "banterbox"`, `iat` and `exp`, as the gateway verifies it. Call it in your backend
 * (the secret never goes to a browser) and hand the token to `VoteClient`'s `getToken`.
 */
export function mintViewerToken(secret: string, token: ViewerToken, nowMs = Date.now()): string {
  if (!isValidId(token.userId)) throw new TypeError('userId must be 1-64 characters of [A-Za-z0-9_-]');
  if (token.room !== '*' && !isValidId(token.room)) throw new TypeError('room must be a room id or *');
  const ttl = token.ttlS ?? 3600;
  if (!Number.isInteger(ttl) || ttl < 1) throw new TypeError('ttlS must be a whole number of seconds');
  if (Buffer.byteLength(secret) < 32) throw new TypeError('the secret is at least 32 bytes (BANTERBOX_SECRET)');
  const iat = Math.floor(nowMs / 1000);
  const head = `${base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${base64url(
    JSON.stringify({
      room: token.room,
      sub: token.userId,
      aud: 'banterbox',
      iat,
      exp: iat + ttl,
      ...(token.role === 'moderator' ? { role: 'moderator' } : {}),
    }),
  )}`;
  return `${head}.${createHmac('sha256', Buffer.from(secret, 'utf8')).update(head).digest('base64url')}`;
}
