import { DEFAULT_DECK, PokerLimits } from './poker-limits';
import { InvalidPokerRequest, decodePokerRequest, encodePokerRequest, type PokerRequest } from './poker-requests';

const decode = (body: unknown): unknown => decodePokerRequest(JSON.stringify(body));

describe('poker request decoding', () => {
  it('reads the seed form, matching names case-insensitively', () => {
    expect(decode({ request: 'SetName', name: '  Ann  ' })).toEqual({ kind: 'setName', name: 'Ann' });
    expect(decode({ request: 'joinroom', roomId: 'r1' })).toEqual({ kind: 'joinRoom', roomId: 'r1', spectator: false });
    expect(decode({ request: 'Estimate', roomId: 'r1', value: '3', comment: 'easy' })).toEqual({
      kind: 'estimate',
      roomId: 'r1',
      estimate: { value: '3', comment: 'easy' },
    });
    for (const name of ['reveal', 'HIDE', 'Clear', 'leaveRoom']) {
      expect(decode({ request: name, roomId: 'r1' })).toMatchObject({ roomId: 'r1' });
    }
  });

  it('reads the Pokey command form', () => {
    expect(decode({ command: 'submitEstimate', roomId: 'r1', estimate: { value: '5', comment: '' } })).toEqual({
      kind: 'estimate',
      roomId: 'r1',
      estimate: { value: '5', comment: '' },
    });
    expect(decode({ command: 'revealRoom', roomId: 'r1' })).toEqual({ kind: 'reveal', roomId: 'r1' });
    expect(decode({ command: 'clearRoom', roomId: 'r1' })).toEqual({ kind: 'clear', roomId: 'r1' });
    expect(decode({ command: 'setTopic', roomId: 'r1', topic: 'Login page' })).toEqual({
      kind: 'setTopic',
      roomId: 'r1',
      topic: 'Login page',
    });
  });

  it('reads createRoom with defaults, a deck, autoReveal and spectators on join', () => {
    expect(decode({ request: 'createRoom' })).toEqual({
      kind: 'createRoom',
      roomId: undefined,
      deck: [...DEFAULT_DECK],
      autoReveal: false,
      topic: '',
    });
    expect(decode({ request: 'createRoom', roomId: 'team-a', deck: ['S', 'M', 'L', 1], autoReveal: true })).toMatchObject({
      roomId: 'team-a',
      deck: ['S', 'M', 'L', '1'],
      autoReveal: true,
    });
    expect(decode({ request: 'joinRoom', roomId: 'r1', spectator: true })).toMatchObject({ spectator: true });
    expect(decode({ request: 'kick', roomId: 'r1', userId: 'u2' })).toEqual({ kind: 'kick', roomId: 'r1', userId: 'u2' });
    expect(decode({ request: 'transferOwnership', roomId: 'r1', userId: 'u2' })).toEqual({
      kind: 'transferOwnership',
      roomId: 'r1',
      userId: 'u2',
    });
  });

  it('treats a null estimate as withdrawing it', () => {
    expect(decode({ command: 'submitEstimate', roomId: 'r1', estimate: null })).toMatchObject({ estimate: null });
    expect(decode({ request: 'estimate', roomId: 'r1', value: null })).toMatchObject({ estimate: null });
  });

  it.each([
    ['not JSON', '{nope'],
    ['not an object', '[1,2]'],
    ['no request name', '{"roomId":"r1"}'],
    ['unknown request', '{"request":"dance"}'],
    ['a name inherited by every object', '{"request":"constructor","roomId":"r1"}'],
    ['request name not a string', '{"request":5}'],
    ['missing room id', '{"request":"reveal"}'],
    ['bad room id', '{"request":"joinRoom","roomId":"a b"}'],
    ['empty name', '{"request":"setName","name":"  "}'],
    ['name too long', JSON.stringify({ request: 'setName', name: 'x'.repeat(PokerLimits.maxNameLength + 1) })],
    ['control characters in a name', '{"request":"setName","name":"a\\u0007b"}'],
    [
      'comment too long',
      JSON.stringify({ request: 'estimate', roomId: 'r', value: '1', comment: 'c'.repeat(PokerLimits.maxCommentLength + 1) }),
    ],
    ['topic too long', JSON.stringify({ request: 'setTopic', roomId: 'r', topic: 't'.repeat(PokerLimits.maxTopicLength + 1) })],
    ['estimate without a value', '{"request":"estimate","roomId":"r","estimate":{"comment":"x"}}'],
    ['deck too small', '{"request":"createRoom","deck":["1"]}'],
    [
      'deck too big',
      JSON.stringify({ request: 'createRoom', deck: Array.from({ length: PokerLimits.maxDeckSize + 1 }, (_, i) => `${i}`) }),
    ],
    ['deck with duplicates', '{"request":"createRoom","deck":["1","1"]}'],
    ['card too long', JSON.stringify({ request: 'createRoom', deck: ['1', 'x'.repeat(PokerLimits.maxCardLength + 1)] })],
    ['spectator not a boolean', '{"request":"joinRoom","roomId":"r","spectator":"yes"}'],
    ['kick without a user', '{"request":"kick","roomId":"r"}'],
  ])('rejects %s', (_name, frame) => {
    expect(() => decodePokerRequest(frame)).toThrow(InvalidPokerRequest);
  });

  it('counts lengths in characters, not bytes', () => {
    expect(decode({ request: 'setName', name: '☕'.repeat(PokerLimits.maxNameLength) })).toMatchObject({ kind: 'setName' });
  });

  it('keeps line breaks in comments only', () => {
    expect(decode({ request: 'estimate', roomId: 'r', value: '1', comment: 'a\nb' })).toMatchObject({ estimate: { comment: 'a\nb' } });
    expect(() => decode({ request: 'setTopic', roomId: 'r', topic: 'a\nb' })).toThrow(InvalidPokerRequest);
  });
});

describe('encodePokerRequest', () => {
  it('writes every kind of request so that the server decodes the same request back', () => {
    const requests: PokerRequest[] = [
      { kind: 'setName', name: 'Ann' },
      { kind: 'createRoom', roomId: undefined, deck: ['1', '2'], autoReveal: true, topic: 'Login' },
      { kind: 'createRoom', roomId: 'mine', deck: [...DEFAULT_DECK], autoReveal: false, topic: '' },
      { kind: 'joinRoom', roomId: 'r', spectator: true },
      { kind: 'leaveRoom', roomId: 'r' },
      { kind: 'estimate', roomId: 'r', estimate: { value: '5', comment: 'a\nb' } },
      { kind: 'estimate', roomId: 'r', estimate: null },
      { kind: 'reveal', roomId: 'r' },
      { kind: 'hide', roomId: 'r' },
      { kind: 'clear', roomId: 'r' },
      { kind: 'setTopic', roomId: 'r', topic: 'Checkout' },
      { kind: 'kick', roomId: 'r', userId: 'u' },
      { kind: 'transferOwnership', roomId: 'r', userId: 'u' },
    ];
    for (const request of requests) expect(decodePokerRequest(encodePokerRequest(request))).toEqual(request);
  });
});
