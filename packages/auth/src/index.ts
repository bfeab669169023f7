export { AuthError, signToken, verifyToken, TOKEN_AUDIENCE } from './jwt';
export type { TokenClaims, VerifiedToken } from './jwt';
export { MIN_SECRET_BYTES } from './keys';
export { SESSION_COOKIE, newSessionUserId, readCookie, sessionSetCookie, signSession, verifySession } from './session-cookie';
