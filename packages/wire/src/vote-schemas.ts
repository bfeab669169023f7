import { MAX_QUESTION, MAX_SEGMENTS, VOTE_ERROR_CODES } from '@banterbox/protocol';
import { array, boolean, integer, object, ref, string, type SchemaSet } from './schema';

const TIME = { type: 'number', minimum: 0 };

const markers = array(ref('Marker'), { description: "The room's timeline markers (after `since` if given), oldest first; only on join." });
const round = integer({
  minimum: 1,
  description:
    "The room's round, once a reset started one past the first; only on join: a client that knew an older one drops its standing vote before it takes these points.",
});

/** The frames of /api/vote_ws/ (SPEC §5), both ways. */
export const voteSchemas: SchemaSet = {
  VoteAuth: object(
    {
      auth: object(
        {
          user_id: ref('Id'),
          token: string({ minLength: 1, maxLength: 900, description: 'A JWT for this user and room (or for any room, `*`).' }),
          room: ref('Id'),
          since: { ...TIME, description: 'Only the history after this time (Unix ms): what a reconnecting client already has.' },
          observe: boolean({ description: 'Watch only (a stream overlay): gets the snapshots, is not counted, cannot vote.' }),
          compact: boolean({ description: 'The join history as one `history` frame of columns instead of a `data` frame.' }),
        },
        ['token', 'room'],
      ),
    },
    ['auth'],
    {
      description:
        'The first frame: who the client is and which room it joins. `user_id` may be left out when the token carries it. No valid auth within 5 s closes with 4008; a refused token gets an `unauthorized` error and 4001.',
    },
  ),
  VoteCast: object(
    {
      vote: object(
        {
          value: string({ minLength: 1, maxLength: 32, description: 'One of the room\'s options, or "cancel" to withdraw the vote.' }),
          ts: {
            ...TIME,
            description:
              'When the user voted (Unix ms; a value below 1e11 is read as seconds). The newest wins; more than 5 s ahead counts as now; none means now.',
          },
          round: integer({
            minimum: 0,
            description:
              'The round the vote is for (SPEC §9): one for a round that is over gets the `round_over` error and is not counted.',
          }),
        },
        ['value'],
      ),
    },
    ['vote'],
    { description: "The user's standing vote in the room. Re-sent by clients after every reconnect." },
  ),
  VoteData: object({ data: array(ref('TallyPoint')), markers, round }, ['data'], {
    description:
      "The room's history on join (oldest first, at most HISTORY_LIMIT points, after `since` if given, with the room's markers), then one point every tick.",
  }),
  VoteMarker: object({ marker: ref('Marker') }, ['marker'], { description: 'A marker was dropped on the timeline, now.' }),
  VoteHistory: object(
    {
      history: object(
        {
          options: array(ref('Option'), { minItems: 2 }),
          ts: array(integer(), { description: 'The first tick time, then (step, how many) pairs of equal steps.' }),
          votes: array(array(integer()), { description: 'Per option (in `options` order): the first count, then differences.' }),
          connected: array(integer(), { description: 'The first count, then differences.' }),
          segments: {
            type: 'object',
            description: "A room with segments: each segment's columns, as `votes`.",
            propertyNames: ref('Id'),
            additionalProperties: array(array(integer())),
          },
        },
        ['options', 'ts', 'votes', 'connected'],
      ),
      markers,
      round,
    },
    ['history'],
    {
      description:
        'The join history in columns, when auth asked for `compact`: the same points as a `data` frame in about a seventh of the bytes.',
    },
  ),
  VoteSegment: object({ segment: ref('Id') }, ['segment'], {
    description:
      "The voter's own segment, in a room that asks for one (its state frame has `ask`) and whose token names none. The first choice holds.",
  }),
  VoteState: object(
    {
      state: object(
        {
          closed: boolean({ description: 'Whether voting is closed.' }),
          ts: ref('UnixMs'),
          round: integer({ minimum: 1, description: 'The round, once a reset started one past the first: every standing vote is gone.' }),
          question: string({ maxLength: MAX_QUESTION, description: "The round's question." }),
          segments: array(ref('Id'), { maxItems: MAX_SEGMENTS, description: "The room's segments (on join)." }),
          ask: string({ maxLength: MAX_QUESTION, description: 'The question that lets a voter choose a segment, once (on join).' }),
          vote_ttl_s: integer({ minimum: 1, description: 'A vote stops counting when not re-sent within this many seconds (on join).' }),
          segment: ref('Id'),
        },
        ['closed', 'ts'],
      ),
    },
    ['state'],
    {
      description:
        'Voting in the room closed or opened (`POST /api/rooms/{room}/close`, `/open`), or a reset started a new round with its question (`/reset`): sent to every viewer when it happens. After the history a joining client gets one too when the room is closed or has a round past the first, a question, segments or a vote expiry, with what a voter needs to know (its own segment when the token names one). While closed no points come and votes get the `closed` error; the first point after it means voting is open again. A new `round` clears every standing vote and starts an empty series.',
    },
  ),
  VoteError: object(
    {
      error: object({ code: string({ enum: VOTE_ERROR_CODES.map((entry) => entry.code) }), message: string() }, ['code', 'message']),
    },
    ['error'],
    { description: 'A refused or malformed message. See the code registry (`GET /api/codes`) for what each code means.' },
  ),
  VoteClientFrame: { oneOf: [ref('VoteAuth'), ref('VoteCast'), ref('VoteSegment')] },
  VoteServerFrame: { oneOf: [ref('VoteData'), ref('VoteHistory'), ref('VoteMarker'), ref('VoteState'), ref('VoteError')] },
};
