import { createHmac } from 'node:crypto';
import { AuthError, signToken, verifyToken } from './jwt';

const SECRET = 'test-secret-for-jwt';
const NOW = 1_700_000_000_000;
const claims = { sub: 'u1', room: 'r1', exp: NOW / 1000 + 60 };

function forge(header: object, payload: object, secret = SECRET): string {
  const h = Buffer.from(JSON.stringify(header)).toString('base64url');
  const p = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const s = createHmac('sha256', secret).update(`${h}.${p}`).digest('base64url');
  return `${h}.${p}.${s}`;
}

describe('tokens', () => {
  it('round-trips the claims it signed', () => {
    const verified = verifyToken(signToken(claims, SECRET, NOW), SECRET, NOW);
    expect(verified).toMatchObject({ sub: 'u1', room: 'r1', exp: claims.exp });
  });

  it('rejects a token signed with another secret', () => {
    expect(() => verifyToken(signToken(claims, 'other', NOW), SECRET, NOW)).toThrow('signature');
  });

  it('rejects an expired token and one without exp', () => {
    const expired = signToken({ ...claims, exp: NOW / 1000 - 60 }, SECRET, NOW);
    expect(() => verifyToken(expired, SECRET, NOW)).toThrow('expired');
    expect(() => verifyToken(forge({ alg: 'HS256' }, { sub: 'u1', room: 'r1', aud: 'banterbox' }), SECRET, NOW)).toThrow('exp');
  });

  it('rejects alg none and other algorithms even with a valid-looking body', () => {
    const payload = Buffer.from(JSON.stringify({ ...claims, aud: 'banterbox' })).toString('base64url');
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`;
    expect(() => verifyToken(none, SECRET, NOW)).toThrow('HS256');
    expect(() => verifyToken(forge({ alg: 'HS512' }, { ...claims, aud: 'banterbox' }), SECRET, NOW)).toThrow('HS256');
  });

  it('rejects the wrong audience, a bad sub and a bad room', () => {
    expect(() => verifyToken(forge({ alg: 'HS256' }, { ...claims, aud: 'x' }), SECRET, NOW)).toThrow('audience');
    expect(() => verifyToken(forge({ alg: 'HS256' }, { ...claims, aud: 'banterbox', sub: 'a b' }), SECRET, NOW)).toThrow('sub');
    expect(() => verifyToken(forge({ alg: 'HS256' }, { ...claims, aud: 'banterbox', room: '' }), SECRET, NOW)).toThrow('room');
  });

  it('accepts the wildcard room and throws AuthError for garbage', () => {
    expect(verifyToken(signToken({ ...claims, room: '*' }, SECRET, NOW), SECRET, NOW).room).toBe('*');
    expect(() => verifyToken('not.a.jwt', SECRET, NOW)).toThrow(AuthError);
    expect(() => verifyToken('abc', SECRET, NOW)).toThrow(AuthError);
  });
});
