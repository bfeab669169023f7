export { AuthError, signToken, verifyToken, TOKEN_AUDIENCE } from './jwt';
export type { TokenClaims, VerifiedToken } from './jwt';
