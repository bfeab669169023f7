import { SESSION_COOKIE, newSessionUserId, readCookie, readSession, sessionSetCookie, signSession, verifySession } from './session-cookie';

const SECRET = 'cookie-test-secret-0123456789';

describe('session cookie', () => {
  it('round-trips a fresh random user id', () => {
    const id = newSessionUserId();
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(newSessionUserId()).not.toBe(id);
    expect(verifySession(signSession(id, SECRET), SECRET)).toBe(id);
  });

  it('rejects a forged, re-targeted or malformed value', () => {
    const value = signSession('alice', SECRET);
    expect(verifySession(signSession('alice', 'another-secret-entirely'), SECRET)).toBeUndefined();
    expect(verifySession(value.replace('alice', 'mallory'), SECRET)).toBeUndefined();
    expect(verifySession(`${value}x`, SECRET)).toBeUndefined();
    for (const bad of ['', 'alice', '.sig', 'a b.sig', 'alice.']) expect(verifySession(bad, SECRET)).toBeUndefined();
  });

  it('reads its cookie from a Cookie header and sets it HttpOnly and SameSite=Lax', () => {
    const value = signSession('bob', SECRET);
    expect(readCookie(`theme=dark; ${SESSION_COOKIE}=${value}; x=1`, SESSION_COOKIE)).toBe(value);
    expect(readCookie('theme=dark', SESSION_COOKIE)).toBeUndefined();
    const header = sessionSetCookie(value, false);
    expect(header).toMatch(new RegExp(`^${SESSION_COOKIE}=${value.replace('.', '\\.')}; Path=/;`));
    expect(header).toContain('HttpOnly');
    expect(header).toContain('SameSite=Lax');
    expect(header).not.toContain('Secure');
    expect(sessionSetCookie(value, true)).toContain('; Secure');
  });

  it('accepts a cookie signed with the previous secret as stale, so the server can sign it again', () => {
    const OLD = 'cookie-previous-secret-0123456789';
    const rotating = { current: SECRET, previous: OLD };
    expect(readSession(signSession('carol', OLD), rotating)).toEqual({ userId: 'carol', stale: true });
    expect(readSession(signSession('carol', rotating), rotating)).toEqual({ userId: 'carol', stale: false });
    expect(verifySession(signSession('carol', rotating), OLD)).toBeUndefined();
    expect(readSession(signSession('carol', 'an-unrelated-secret-0123456789'), rotating)).toBeUndefined();
  });
});
