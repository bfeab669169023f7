import { SignJWT, errors, jwtVerify, type JWTPayload } from 'jose';
import { isValidId } from '@banterbox/protocol';
import { tokenKey } from './keys';
import { signingSecret, verifyingSecrets, type SecretsLike } from './secrets';

/**
 * JWTs for vote rooms (SPEC §4), signed and verified with `jose`: HS256 only (the algorithm is
 * pinned, `none` and every other algorithm are refused before the signature is checked), keyed by
 * BANTERBOX_SECRET, with `sub`, `room` (a room id or `*`), `exp` (required) and
 * `aud: "banterbox"`. A header that marks an extension critical (`crit`) is refused.
 */
export const TOKEN_AUDIENCE = 'banterbox';
const ALGORITHM = 'HS256';
/** Tolerated clock difference between the minting platform and this service. */
const CLOCK_SKEW_S = 5;

/** A token's role: a viewer votes; a moderator also runs the room (SPEC §9: close, open). */
export type TokenRole = 'viewer' | 'moderator';

export interface TokenClaims {
  sub: string;
  room: string;
  /** Expiry in Unix seconds. */
  exp: number;
  /** Claim `role`; absent means a viewer. */
  role?: TokenRole;
  /** Claim `seg` (SPEC §9): the voter's segment in rooms that count segments, set by the platform. */
  seg?: string;
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

/** Signs with the current secret. */
export function signToken(claims: TokenClaims, secrets: SecretsLike, nowMs = Date.now()): Promise<string> {
  const payload: JWTPayload = { room: claims.room };
  if (claims.role === 'moderator') payload.role = 'moderator';
  if (claims.seg !== undefined) payload.seg = claims.seg;
  return new SignJWT(payload)
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
    .setSubject(claims.sub)
    .setAudience(TOKEN_AUDIENCE)
    .setIssuedAt(Math.floor(nowMs / 1000))
    .setExpirationTime(claims.exp)
    .sign(tokenKey(signingSecret(secrets)));
}

/** What a client is told about a token jose refused (never the token itself). */
function refusal(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'token has expired';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'token signature is invalid';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'token algorithm must be HS256';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return 'token audience must be banterbox';
    if (error.claim === 'exp' || error.claim === 'sub') return `token has no valid ${error.claim}`;
    return `token claim ${error.claim} is invalid: ${error.reason}`;
  }
  if (error instanceof errors.JOSENotSupported) return 'token uses an unsupported header';
  return 'token is not a valid JWT';
}

/**
 * Verifies signature and claims; throws AuthError saying what is wrong. A token whose signature
 * fails with the current secret is tried with the previous one (a rotation in progress).
 */
export async function verifyToken(token: string, secrets: SecretsLike, nowMs = Date.now()): Promise<VerifiedToken> {
  if (token === '') throw new AuthError('token is missing');
  let claims: JWTPayload | undefined;
  let failure: unknown;
  for (const secret of verifyingSecrets(secrets)) {
    try {
      ({ payload: claims } = await jwtVerify(token, tokenKey(secret), {
        algorithms: [ALGORITHM],
        audience: TOKEN_AUDIENCE,
        requiredClaims: ['exp', 'sub'],
        clockTolerance: CLOCK_SKEW_S,
        currentDate: new Date(nowMs),
      }));
      break;
    } catch (error) {
      failure = error;
      if (!(error instanceof errors.JWSSignatureVerificationFailed)) break;
    }
  }
  if (claims === undefined) throw new AuthError(refusal(failure));
  if (!isValidId(claims.sub)) throw new AuthError('token sub must be a user id');
  if (claims.room !== '*' && !isValidId(claims.room)) throw new AuthError('token room must be a room id or *');
  if (claims.role !== undefined && claims.role !== 'viewer' && claims.role !== 'moderator') {
    throw new AuthError('token role must be viewer or moderator');
  }
  if (claims.seg !== undefined && !isValidId(claims.seg)) throw new AuthError('token seg must be a segment name');
  const verified: VerifiedToken = { sub: claims.sub, room: claims.room, exp: claims.exp!, iat: claims.iat, role: claims.role ?? 'viewer' };
  if (typeof claims.seg === 'string') verified.seg = claims.seg;
  return verified;
}
