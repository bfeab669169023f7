import { ProtocolError } from './errors';
import { validateOptions, validateSegments } from './room-options';
import { decodeVoteClientMessage, isAcceptedVote, normaliseVoteTs } from './vote-messages';

describe('vote message decoding', () => {
  it('decodes auth with and without the optional fields', () => {
    expect(decodeVoteClientMessage('{"auth":{"user_id":"u1","token":"t","room":"r1","since":5}}')).toEqual({
      kind: 'auth',
      userId: 'u1',
      token: 't',
      room: 'r1',
      since: 5,
      observe: false,
      compact: false,
    });
    expect(decodeVoteClientMessage('{"auth":{"token":"t","room":"r1","observe":true}}')).toMatchObject({ observe: true });
    expect(decodeVoteClientMessage('{"auth":{"token":"t","room":"r1"}}')).toMatchObject({ userId: undefined, since: undefined });
  });

  it('passes a missing or empty token on as empty, to be refused as unauthorized (4001) rather than malformed', () => {
    expect(decodeVoteClientMessage('{"auth":{"room":"r"}}')).toMatchObject({ kind: 'auth', token: '' });
    expect(decodeVoteClientMessage('{"auth":{"token":"","room":"r"}}')).toMatchObject({ kind: 'auth', token: '' });
  });

  it('decodes votes', () => {
    expect(decodeVoteClientMessage('{"vote":{"value":"yes","ts":12}}')).toEqual({ kind: 'vote', value: 'yes', ts: 12 });
    expect(decodeVoteClientMessage('{"vote":{"value":"cancel"}}')).toEqual({ kind: 'vote', value: 'cancel', ts: undefined });
  });

  it.each([
    ['not json', '{nope'],
    ['not an object', '[1]'],
    ['no known field', '{"hello":1}'],
    ['observe not a boolean', '{"auth":{"token":"t","room":"r","observe":1}}'],
    ['token not a string', '{"auth":{"token":5,"room":"r"}}'],
    ['bad room id', '{"auth":{"token":"t","room":"a b"}}'],
    ['bad user id', '{"auth":{"token":"t","room":"r","user_id":"x/y"}}'],
    ['vote value not a string', '{"vote":{"value":1}}'],
    ['negative ts', '{"vote":{"value":"yes","ts":-1}}'],
    ['ts as string', '{"vote":{"value":"yes","ts":"1"}}'],
  ])('rejects %s with bad_request', (_what, text) => {
    expect(() => decodeVoteClientMessage(text)).toThrow(ProtocolError);
    try {
      decodeVoteClientMessage(text);
    } catch (error) {
      expect((error as ProtocolError).code).toBe('bad_request');
    }
  });
});

describe('vote time', () => {
  const now = 1_700_000_000_000;
  it('reads seconds as seconds, clamps the future to now, and defaults to now', () => {
    expect(normaliseVoteTs(1_700_000_000, now)).toBe(now);
    expect(normaliseVoteTs(now - 5, now)).toBe(now - 5);
    expect(normaliseVoteTs(now + 4_000, now)).toBe(now + 4_000);
    expect(normaliseVoteTs(now + 6_000, now)).toBe(now);
    expect(normaliseVoteTs(undefined, now)).toBe(now);
  });
});

describe('room options', () => {
  it('accepts 2 to 10 distinct option names and cancel as a vote', () => {
    expect(validateOptions(['a', 'b'])).toEqual(['a', 'b']);
    expect(isAcceptedVote('cancel', ['a', 'b'])).toBe(true);
    expect(isAcceptedVote('c', ['a', 'b'])).toBe(false);
  });
  it('rejects too few, too many, duplicates, bad names and "cancel"', () => {
    for (const bad of [['a'], Array.from({ length: 11 }, (_, i) => `o${i}`), ['a', 'a'], ['a', 'b c'], ['cancel', 'b'], 'ab']) {
      expect(() => validateOptions(bad)).toThrow(ProtocolError);
    }
    expect(() => validateOptions(['a', 'a'])).toThrow('option "a" is listed twice');
    expect(() => validateOptions(['a', 'cancel'])).toThrow('option "cancel" must be 1-32 characters');
  });
});

describe('room segments', () => {
  it('accepts 1 to 8 distinct ids', () => {
    expect(validateSegments(['red'])).toEqual(['red']);
    expect(validateSegments(['eu-west', 'us_east', 'a'.repeat(64)])).toHaveLength(3);
  });
  it('rejects none, too many, duplicates and bad ids, naming the first bad one', () => {
    for (const bad of [[], Array.from({ length: 9 }, (_, i) => `s${i}`), ['a', 'a'], ['a', 'b c'], ['a'.repeat(65)], [7], 'red']) {
      expect(() => validateSegments(bad)).toThrow(ProtocolError);
    }
    expect(() => validateSegments([])).toThrow('segments must be a list of 1 to 8 names');
    expect(() => validateSegments(['red', 'red'])).toThrow('segment "red" is listed twice');
    expect(() => validateSegments(['red', 'b c'])).toThrow('segment "b c" must be 1-64 characters of [A-Za-z0-9_-]');
  });
});
