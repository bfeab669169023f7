import fc from 'fast-check';
import {
  POKER_REQUEST_NAMES,
  PokerLimits,
  VOTE_ERROR_CODES,
  compactHistoryFrame,
  dataFrame,
  decodePokerRequest,
  decodeVoteClientMessage,
  decodeVoteServerFrame,
  encodePoint,
  errorFrame,
  pokerFrame,
  revealStats,
  type ClientErrorCode,
  type PokerRequestKind,
} from '@banterbox/protocol';
import { WireCheck } from '@banterbox/testkit';

/**
 * The hand-written decoders the gateway and the SDK run and the schemas the documents publish
 * describe one wire: whatever a schema accepts, the decoder accepts as the same message, and the
 * frames the encoders write follow the schemas. Malformed frames are refused by both.
 */
const check = new WireCheck();
const RUNS = { numRuns: 300 };

const id = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
const option = fc.stringMatching(/^[A-Za-z0-9_-]{1,32}$/).filter((o) => o !== 'cancel');
const CONTROL = /\p{Cc}/u;
const text = (max: number, needed = false): fc.Arbitrary<string> =>
  fc.string({ unit: 'grapheme', maxLength: max }).filter((s) => [...s].length <= max && !CONTROL.test(s) && (!needed || s.trim() !== ''));
const comment = fc
  .string({ unit: 'grapheme', maxLength: PokerLimits.maxCommentLength })
  .filter((s) => [...s].length <= PokerLimits.maxCommentLength && !/(?![\t\n])\p{Cc}/u.test(s));
const card = fc.oneof(text(PokerLimits.maxCardLength, true), fc.integer({ min: -99, max: 999 }));
/** A request name of `kind` in either field, its letters in random case. */
const named = (kind: PokerRequestKind): fc.Arbitrary<Record<string, string>> =>
  fc
    .tuple(fc.constantFrom(...POKER_REQUEST_NAMES[kind]), fc.constantFrom('request', 'command'), fc.infiniteStream(fc.boolean()))
    .map(([name, field, upper]) => ({ [field]: [...name].map((c) => (upper.next().value ? c.toUpperCase() : c.toLowerCase())).join('') }));

const REQUESTS: Record<PokerRequestKind, fc.Arbitrary<Record<string, unknown>>> = {
  setName: fc.record({ name: text(PokerLimits.maxNameLength, true) }),
  createRoom: fc.record(
    {
      roomId: id,
      deck: fc.uniqueArray(
        text(PokerLimits.maxCardLength, true)
          .map((s) => s.trim())
          .filter((s) => s !== ''),
        {
          minLength: PokerLimits.minDeckSize,
          maxLength: PokerLimits.maxDeckSize,
        },
      ),
      autoReveal: fc.boolean(),
      topic: text(PokerLimits.maxTopicLength),
    },
    { requiredKeys: [] },
  ),
  joinRoom: fc.record({ roomId: id, spectator: fc.boolean() }, { requiredKeys: ['roomId'] }),
  leaveRoom: fc.record({ roomId: id }),
  estimate: fc.oneof(
    fc.record({ roomId: id, estimate: fc.oneof(fc.constant(null), fc.record({ value: card, comment }, { requiredKeys: ['value'] })) }),
    fc.record({ roomId: id, value: fc.oneof(card, fc.constant(null)), comment }, { requiredKeys: ['roomId', 'value'] }),
  ),
  reveal: fc.record({ roomId: id }),
  hide: fc.record({ roomId: id }),
  clear: fc.record({ roomId: id }),
  setTopic: fc.record({ roomId: id, topic: text(PokerLimits.maxTopicLength) }),
  kick: fc.record({ roomId: id, userId: id }),
  transferOwnership: fc.record({ roomId: id, userId: id }),
};

describe('decoders and schemas agree', () => {
  it('accepts every vote-room client frame the schema accepts, as the same message', () => {
    const auth = fc.record(
      {
        user_id: id,
        token: fc.string({ minLength: 1, maxLength: 900 }),
        room: id,
        since: fc.nat(),
        observe: fc.boolean(),
        compact: fc.boolean(),
      },
      { requiredKeys: ['token', 'room'] },
    );
    const vote = fc.record(
      { value: fc.string({ minLength: 1, maxLength: 32 }), ts: fc.double({ min: 0, max: 2e12, noNaN: true }) },
      { requiredKeys: ['value'] },
    );
    fc.assert(
      fc.property(
        fc.oneof(
          auth.map((a) => ({ auth: a })),
          vote.map((v) => ({ vote: v })),
        ),
        (frame) => {
          expect(check.validate('VoteClientFrame', frame)).toEqual([]);
          const decoded = decodeVoteClientMessage(JSON.stringify(frame));
          expect(decoded.kind).toBe('auth' in frame ? 'auth' : 'vote');
        },
      ),
      RUNS,
    );
  });

  it.each(Object.keys(REQUESTS) as PokerRequestKind[])('accepts every %s request the schema accepts, as that request', (kind) => {
    fc.assert(
      fc.property(named(kind), REQUESTS[kind], (name, fields) => {
        const frame = { ...fields, ...name };
        expect(check.validate('PokerRequest', frame)).toEqual([]);
        expect(decodePokerRequest(JSON.stringify(frame)).kind).toBe(kind);
      }),
      RUNS,
    );
  });

  it.each([
    ['VoteClientFrame', '{"auth":{"token":"t","room":"a b"}}'],
    ['VoteClientFrame', '{"auth":{"token":"t","room":"r","since":-1}}'],
    ['VoteClientFrame', '{"auth":{"token":"t","room":"r","observe":"yes"}}'],
    ['VoteClientFrame', '{"auth":{"token":5,"room":"r"}}'],
    ['VoteClientFrame', '{"vote":{"value":""}}'],
    ['VoteClientFrame', `{"vote":{"value":"${'x'.repeat(33)}"}}`],
    ['VoteClientFrame', '{"vote":{"value":"yes","ts":"now"}}'],
    ['VoteClientFrame', '{"hello":1}'],
    ['VoteClientFrame', '[1]'],
    ['PokerRequest', '{"request":"dance"}'],
    ['PokerRequest', '{"request":"constructor","roomId":"r"}'],
    ['PokerRequest', '{"roomId":"r"}'],
    ['PokerRequest', '{"request":"reveal"}'],
    ['PokerRequest', '{"request":"joinRoom","roomId":"a b"}'],
    ['PokerRequest', '{"request":"setName","name":"  "}'],
    ['PokerRequest', '{"request":"setName","name":"a\\u0007b"}'],
    ['PokerRequest', JSON.stringify({ request: 'setName', name: 'x'.repeat(PokerLimits.maxNameLength + 1) })],
    ['PokerRequest', '{"request":"createRoom","deck":["1"]}'],
    ['PokerRequest', '{"request":"createRoom","deck":["1","1"]}'],
    ['PokerRequest', '{"request":"estimate","roomId":"r","estimate":{"comment":"x"}}'],
    ['PokerRequest', '{"request":"kick","roomId":"r"}'],
    ['PokerRequest', '{"request":"joinRoom","roomId":"r","spectator":"yes"}'],
  ])('refuses a malformed %s in both: %s', (schema, frame) => {
    expect(check.validate(schema, JSON.parse(frame))).not.toEqual([]);
    const decode = schema === 'PokerRequest' ? decodePokerRequest : decodeVoteClientMessage;
    expect(() => decode(frame)).toThrow();
  });

  it('writes vote-room server frames that follow the schema and decode back', () => {
    const options = fc.uniqueArray(option, { minLength: 2, maxLength: 10 });
    fc.assert(
      fc.property(
        options.chain((opts) =>
          fc.tuple(
            fc.constant(opts),
            fc.array(
              fc.record({ ts: fc.integer({ min: 1, max: 4e12 }), votes: fc.tuple(...opts.map(() => fc.nat())), connected: fc.nat() }),
              { maxLength: 20 },
            ),
          ),
        ),
        ([opts, rows]) => {
          const points = rows.map((row) =>
            encodePoint({ ts: row.ts, votes: Object.fromEntries(opts.map((o, i) => [o, row.votes[i]!])), connected: row.connected }),
          );
          const marked = [JSON.stringify({ ts: 5, label: 'He said "no", twice', auto: false })];
          for (const frame of [
            dataFrame(points),
            compactHistoryFrame(points, opts),
            dataFrame(points, marked),
            compactHistoryFrame(points, opts, marked),
          ]) {
            expect(check.validate('VoteServerFrame', JSON.parse(frame))).toEqual([]);
            expect(decodeVoteServerFrame(frame)).toMatchObject({ kind: 'data' });
          }
        },
      ),
      RUNS,
    );
    for (const { code } of VOTE_ERROR_CODES) {
      expect(check.validate('VoteServerFrame', JSON.parse(errorFrame(code as ClientErrorCode, 'why')))).toEqual([]);
    }
  });

  it('writes poker events that follow the schema', () => {
    const estimates = { u1: { value: '5', comment: '' }, u2: { value: '?', comment: 'unsure' } };
    const events = [
      pokerFrame({ event: 'connectionInfo', userId: 'u1' }),
      pokerFrame({ event: 'roomRevealed', roomId: 'r', estimates, stats: revealStats(['5', '?']) }),
      pokerFrame({ event: 'roomRevealed', roomId: 'r', estimates: {}, stats: revealStats([]) }),
      pokerFrame({ event: 'estimateUpdated', roomId: 'r', userId: 'u1', estimate: {} }),
      pokerFrame({ event: 'userLeft', roomId: 'r', user: { id: 'u2', name: null }, reason: 'kicked' }),
      pokerFrame({ event: 'error', message: 'Invalid request', detail: 'unknown request "dance"' }),
      pokerFrame({ event: 'heartbeat' }),
    ];
    for (const frame of events) expect(check.frame('/connect', frame)).toEqual([]);
  });
});
