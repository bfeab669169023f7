import { createHmac } from 'node:crypto';
import { AuthError, signToken, verifyToken } from './jwt';
import { signSession } from './session-cookie';

const SECRET = 'test-secret-for-jwt-0123456789abcdef';
const NOW = 1_700_000_000_000;
const claims = { sub: 'u1', room: 'r1', exp: NOW / 1000 + 60 };

/** A token as a platform that embeds the service mints it: HMAC-SHA256 keyed by the secret itself. */
function forge(header: object, payload: object, secret = SECRET): string {
  const h = Buffer.from(JSON.stringify(header)).toString('base64url');
  const p = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const s = createHmac('sha256', secret).update(`${h}.${p}`).digest('base64url');
  return `${h}.${p}.${s}`;
}

describe('tokens', () => {
  it('round-trips the claims it signed', async () => {
    const verified = await verifyToken(await signToken(claims, SECRET, NOW), SECRET, NOW);
    expect(verified).toMatchObject({ sub: 'u1', room: 'r1', exp: claims.exp, iat: NOW / 1000, role: 'viewer' });
  });

  it('carries the moderator role, and refuses a role it does not know', async () => {
    await expect(verifyToken(await signToken({ ...claims, role: 'moderator' }, SECRET, NOW), SECRET, NOW)).resolves.toMatchObject({
      role: 'moderator',
    });
    const minted = forge({ alg: 'HS256', typ: 'JWT' }, { ...claims, aud: 'banterbox', role: 'owner' });
    await expect(verifyToken(minted, SECRET, NOW)).rejects.toThrow('role');
  });

  it('accepts a token a platform minted with BANTERBOX_SECRET (SPEC §4)', async () => {
    const minted = forge({ alg: 'HS256', typ: 'JWT' }, { ...claims, aud: 'banterbox' });
    await expect(verifyToken(minted, SECRET, NOW)).resolves.toMatchObject({ sub: 'u1', room: 'r1' });
  });

  it('rejects a token signed with another secret', async () => {
    await expect(verifyToken(await signToken(claims, 'another-secret-0123456789abcdefgh', NOW), SECRET, NOW)).rejects.toThrow('signature');
  });

  it('rejects an expired token, one without exp and one without sub', async () => {
    const expired = await signToken({ ...claims, exp: NOW / 1000 - 60 }, SECRET, NOW);
    await expect(verifyToken(expired, SECRET, NOW)).rejects.toThrow('expired');
    await expect(verifyToken(forge({ alg: 'HS256' }, { sub: 'u1', room: 'r1', aud: 'banterbox' }), SECRET, NOW)).rejects.toThrow('exp');
    await expect(verifyToken(forge({ alg: 'HS256' }, { room: 'r1', exp: claims.exp, aud: 'banterbox' }), SECRET, NOW)).rejects.toThrow(
      'sub',
    );
  });

  it('tolerates a few seconds of clock skew, no more', async () => {
    await expect(
      verifyToken(forge({ alg: 'HS256' }, { ...claims, aud: 'banterbox', exp: NOW / 1000 - 3 }), SECRET, NOW),
    ).resolves.toBeDefined();
    await expect(verifyToken(forge({ alg: 'HS256' }, { ...claims, aud: 'banterbox', exp: NOW / 1000 - 30 }), SECRET, NOW)).rejects.toThrow(
      'expired',
    );
  });

  it('rejects alg none and other algorithms even with a valid-looking body', async () => {
    const payload = Buffer.from(JSON.stringify({ ...claims, aud: 'banterbox' })).toString('base64url');
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`;
    await expect(verifyToken(none, SECRET, NOW)).rejects.toThrow(AuthError);
    await expect(verifyToken(forge({ alg: 'HS512' }, { ...claims, aud: 'banterbox' }), SECRET, NOW)).rejects.toThrow('HS256');
  });

  it('refuses a header that marks an unknown extension critical', async () => {
    const token = forge({ alg: 'HS256', crit: ['x-banter'], 'x-banter': true }, { ...claims, aud: 'banterbox' });
    await expect(verifyToken(token, SECRET, NOW)).rejects.toThrow(AuthError);
  });

  it('rejects the wrong audience, a bad sub and a bad room', async () => {
    await expect(verifyToken(forge({ alg: 'HS256' }, { ...claims, aud: 'x' }), SECRET, NOW)).rejects.toThrow('audience');
    await expect(verifyToken(forge({ alg: 'HS256' }, { ...claims, aud: 'banterbox', sub: 'a b' }), SECRET, NOW)).rejects.toThrow('sub');
    await expect(verifyToken(forge({ alg: 'HS256' }, { ...claims, aud: 'banterbox', room: '' }), SECRET, NOW)).rejects.toThrow('room');
  });

  it('accepts the wildcard room and throws AuthError for garbage', async () => {
    expect((await verifyToken(await signToken({ ...claims, room: '*' }, SECRET, NOW), SECRET, NOW)).room).toBe('*');
    await expect(verifyToken('not.a.jwt', SECRET, NOW)).rejects.toThrow(AuthError);
    await expect(verifyToken('abc', SECRET, NOW)).rejects.toThrow(AuthError);
  });

  it('never accepts a session cookie value as a token signature (separate keys)', async () => {
    const h = Buffer.from(JSON.stringify({ alg: 'HS256' })).toString('base64url');
    const p = Buffer.from(JSON.stringify({ ...claims, aud: 'banterbox' })).toString('base64url');
    const cookieMac = signSession('u1', SECRET).split('.')[1]!;
    await expect(verifyToken(`${h}.${p}.${cookieMac}`, SECRET, NOW)).rejects.toThrow('signature');
    expect(signSession('u1', SECRET).split('.')[1]).not.toBe(createHmac('sha256', SECRET).update('session:u1').digest('base64url'));
  });

  it('accepts a token signed with the previous secret during a rotation, and signs with the current one', async () => {
    const OLD = 'the-previous-secret-0123456789abcdef';
    const rotating = { current: SECRET, previous: OLD };
    const before = await signToken(claims, OLD, NOW);
    await expect(verifyToken(before, rotating, NOW)).resolves.toMatchObject({ sub: 'u1' });
    await expect(verifyToken(before, SECRET, NOW)).rejects.toThrow('signature');
    const after = await signToken(claims, rotating, NOW);
    await expect(verifyToken(after, SECRET, NOW)).resolves.toMatchObject({ sub: 'u1' });
    await expect(verifyToken(after, OLD, NOW)).rejects.toThrow('signature');
  });

  it('says why a token signed with the previous secret fails for another reason, not just "signature"', async () => {
    const OLD = 'the-previous-secret-0123456789abcdef';
    const expired = await signToken({ ...claims, exp: NOW / 1000 - 60 }, OLD, NOW);
    await expect(verifyToken(expired, { current: SECRET, previous: OLD }, NOW)).rejects.toThrow('expired');
    await expect(
      verifyToken(await signToken(claims, 'a-third-unrelated-secret-0123456789ab', NOW), { current: SECRET, previous: OLD }, NOW),
    ).rejects.toThrow('signature');
  });

  it('refuses an empty token as missing', async () => {
    await expect(verifyToken('', SECRET, NOW)).rejects.toThrow('token is missing');
  });
});
