import { createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';

/** RFC 7518 §3.2: an HS256 key must be at least as long as the hash output. */
export const MIN_SECRET_BYTES = 32;

const SALT = 'banterbox';
const derived = new Map<string, Buffer>();
const tokenKeys = new Map<string, KeyObject>();

/**
 * The key that signs session cookies: HKDF-SHA256 of BANTERBOX_SECRET with its own label, so a
 * cookie MAC can never be replayed as a token signature or the other way round. Tokens keep
 * BANTERBOX_SECRET itself as their key (SPEC §4): platforms that embed the service mint them
 * with it directly.
 */
export function cookieKey(secret: string): Buffer {
  let key = derived.get(secret);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', secret, SALT, 'banterbox session cookie v1', 32));
    derived.set(secret, key);
  }
  return key;
}

/** The HS256 token key: the secret's bytes (SPEC §4), as one KeyObject per secret. */
export function tokenKey(secret: string): KeyObject {
  let key = tokenKeys.get(secret);
  if (!key) {
    key = createSecretKey(Buffer.from(secret, 'utf8'));
    tokenKeys.set(secret, key);
  }
  return key;
}
