import { verifyToken } from '@banterbox/auth';
import { mintViewerToken } from './token';

const SECRET = 'a-platform-secret-of-at-least-32-bytes';

describe('mintViewerToken', () => {
  it('mints what the gateway verifies: sub, room, audience, expiry', async () => {
    const now = Date.now();
    const token = mintViewerToken(SECRET, { userId: 'viewer-1', room: 'finale', ttlS: 600 }, now);
    expect(await verifyToken(token, SECRET, now)).toEqual({
      sub: 'viewer-1',
      room: 'finale',
      exp: Math.floor(now / 1000) + 600,
      iat: Math.floor(now / 1000),
      role: 'viewer',
    });
    expect((await verifyToken(mintViewerToken(SECRET, { userId: 'viewer-1', room: '*' }), SECRET)).room).toBe('*');
    const moderator = mintViewerToken(SECRET, { userId: 'streamer', room: 'finale', role: 'moderator' });
    expect((await verifyToken(moderator, SECRET)).role).toBe('moderator');
  });

  it('is refused by the gateway once expired or under another secret', async () => {
    const old = mintViewerToken(SECRET, { userId: 'viewer-1', room: 'finale', ttlS: 60 }, Date.now() - 120_000);
    await expect(verifyToken(old, SECRET)).rejects.toThrow('token has expired');
    await expect(verifyToken(mintViewerToken(SECRET, { userId: 'v', room: 'r' }), 'another-secret-of-at-least-32-bytes!')).rejects.toThrow(
      'token signature is invalid',
    );
  });

  it('refuses ids the service would refuse and a short secret', () => {
    expect(() => mintViewerToken(SECRET, { userId: 'no spaces', room: 'r' })).toThrow('userId');
    expect(() => mintViewerToken(SECRET, { userId: 'u', room: 'a/b' })).toThrow('room');
    expect(() => mintViewerToken('short', { userId: 'u', room: 'r' })).toThrow('32 bytes');
  });
});
