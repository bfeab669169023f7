export { AuthError, signToken, verifyToken, TOKEN_AUDIENCE } from './jwt';
export type { TokenClaims, TokenRole, VerifiedToken } from './jwt';
export { MIN_SECRET_BYTES } from './keys';
export { SESSION_COOKIE, newSessionUserId, readCookie, readSession, sessionSetCookie, signSession, verifySession } from './session-cookie';
export type { VerifiedSession } from './session-cookie';
export { signingSecret, verifyingSecrets } from './secrets';
export type { Secrets, SecretsLike } from './secrets';
