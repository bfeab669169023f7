import {
  MAX_MARKER_LABEL,
  MAX_OPTIONS,
  MAX_QUESTION,
  MAX_ROOM_HISTORY,
  MAX_SEGMENTS,
  MAX_VOTE_TTL_S,
  MAX_VOTER_SHARDS,
} from '@banterbox/protocol';
import { array, boolean, integer, nullable, object, ref, string, type SchemaSet } from './schema';

const MAX_TOKEN_TTL_S = 30 * 24 * 3600;

const roomFields = {
  room: ref('Id'),
  options: array(ref('Option'), { minItems: 2, maxItems: MAX_OPTIONS, uniqueItems: true }),
  open: boolean({ description: 'Whether guests may join (`POST /api/rooms/{room}/guest`).' }),
  tick_ms: integer({
    minimum: 0,
    maximum: 3_600_000,
    description: "The room's own tick: 0 (every service tick) or a multiple of TICK_MS.",
  }),
  voter_shards: integer({
    minimum: 1,
    maximum: MAX_VOTER_SHARDS,
    description: 'How many parts the voters are spread over (for giant rooms).',
  }),
  history_limit: integer({
    minimum: 1,
    maximum: MAX_ROOM_HISTORY,
    description:
      'Points of the series the room keeps (the export gets them all; a join gets at most HISTORY_LIMIT). Left out: HISTORY_LIMIT.',
  }),
  swing: {
    oneOf: [
      object({ threshold: integer({ minimum: 1, maximum: 1_000_000_000 }), window_s: integer({ minimum: 1, maximum: 3600 }) }),
      { type: 'null' },
    ],
    description:
      'Automatic swing markers: one when the net value (first option minus second) moves by `threshold` within `window_s`; null for none.',
  },
  segments: nullable(
    array(ref('Id'), {
      minItems: 1,
      maxItems: MAX_SEGMENTS,
      uniqueItems: true,
      description:
        "Segments counted apart (SPEC §9): each point also carries each segment's tally. A voter's segment is the token's `seg` claim, or their own choice when the room asks (`segment_question`). Null for none.",
    }),
  ),
  segment_question: nullable(
    string({ minLength: 1, maxLength: MAX_QUESTION, description: 'Asked of voters whose token names no segment: they choose one, once.' }),
  ),
  question: nullable(
    string({ minLength: 1, maxLength: MAX_QUESTION, description: "The round's question, shown on the page and the overlay." }),
  ),
  vote_ttl_s: nullable(
    integer({
      minimum: 1,
      maximum: MAX_VOTE_TTL_S,
      description: 'A standing vote not re-sent within this many seconds stops counting; null: it counts while its voter is present.',
    }),
  ),
};

const round = integer({ minimum: 0, description: 'The current round: 0 for the first, one more for each reset.' });

const closed = boolean({ description: 'Whether voting is closed (SPEC §9).' });

/** The bodies of the HTTP API (SPEC §3, §4, §8). */
export const httpSchemas: SchemaSet = {
  TokenRequest: object(
    {
      user_id: ref('Id'),
      room: { oneOf: [ref('Id'), { const: '*' }], description: 'The room the token is for, or `*` for any room.' },
      ttl_s: integer({ minimum: 1, maximum: MAX_TOKEN_TTL_S, default: 3600 }),
      role: string({
        enum: ['viewer', 'moderator'],
        default: 'viewer',
        description: 'A moderator may also close, open and reset voting in the room, and drop markers.',
      }),
      seg: { allOf: [ref('Id')], description: "The voter's segment (claim `seg`), in rooms that count segments." },
    },
    ['user_id', 'room'],
  ),
  TokenResponse: object({
    token: string({ description: 'An HS256 JWT with sub, room, exp and aud "banterbox".' }),
    expires_at: ref('UnixMs'),
  }),
  RoomRequest: object(roomFields, [], {
    description: 'A vote room to create; every field may be left out (a random id, ["yes", "no"], every tick, not open, one shard).',
  }),
  Room: object({ ...roomFields, closed, round }),
  RoomState: object(
    { ...roomFields, closed, round, ts: ref('UnixMs'), votes: ref('Tally'), connected: ref('Count'), segments_tally: ref('SegmentsTally') },
    ['room', ...Object.keys(roomFields).slice(1), 'closed', 'round', 'ts', 'votes', 'connected'],
    { description: 'The room and its live tally, read now (not the last tick).' },
  ),
  SegmentsTally: {
    type: 'object',
    description: "A room with segments: each segment's live tally.",
    propertyNames: ref('Id'),
    additionalProperties: ref('Tally'),
  },
  ResetRequest: object({ question: string({ minLength: 1, maxLength: MAX_QUESTION }) }),
  RoundStarted: object({ room: ref('Id'), round: integer({ minimum: 1 }), question: string(), opened_at: ref('UnixMs') }, undefined, {
    description: 'The new round, open for votes.',
  }),
  Rounds: object({
    room: ref('Id'),
    rounds: array(
      object({
        round,
        question: string(),
        opened_at: nullable(ref('UnixMs')),
        ended_at: { ...nullable(ref('UnixMs')), description: 'When a reset ended it; null for the current round (the last).' },
      }),
      { description: 'The rounds kept (oldest first; their series expire with the room) and the current one, last.' },
    ),
  }),
  VotingChange: object(
    {
      room: ref('Id'),
      closed: boolean(),
      closed_at: { oneOf: [ref('UnixMs'), { type: 'null' }], description: 'When voting closed; null while open.' },
      changed: boolean({ description: 'False when it was so already.' }),
    },
    undefined,
    { description: 'Voting closed or opened.' },
  ),
  GuestToken: object({ user_id: ref('Id'), token: string(), expires_at: ref('UnixMs') }),
  DemoRoom: object({ room: ref('Id') }),
  Series: object(
    {
      room: ref('Id'),
      options: array(ref('Option')),
      segments: array(ref('Id'), { description: "A room with segments: its segments (each point carries each one's tally)." }),
      round,
      question: string({ description: "The round's question; empty for none." }),
      anchor: {
        allOf: [ref('UnixMs')],
        description:
          'When the round began: voting last opened again, else the room was created. A replay lines up with the recording from here.',
      },
      points: array(ref('TallyPoint')),
      markers: array(ref('Marker')),
    },
    ['room', 'options', 'round', 'question', 'anchor', 'points', 'markers'],
    {
      description:
        "The round's stored points and markers within the window, oldest first; the last HISTORY_LIMIT ticks (or the room's history_limit) are kept while the room lives.",
    },
  ),
  MarkerRequest: object({ label: string({ minLength: 1, maxLength: MAX_MARKER_LABEL, description: 'Trimmed; no control characters.' }) }),
  Session: object({ user_id: ref('Id') }),
  Readiness: {
    type: 'object',
    properties: { ready: boolean(), draining: boolean(), lease: boolean() },
    required: ['ready'],
    additionalProperties: true,
    description: 'Whether this gateway takes traffic, and what that was decided from (Redis links, the lease, draining).',
  },
  PokerRounds: object({
    roomId: ref('Id'),
    rounds: array(
      object({
        round: integer({ minimum: 1 }),
        topic: string(),
        clearedAt: ref('UnixMs'),
        estimates: array(object({ userId: ref('Id'), name: string(), value: string(), comment: string() })),
        stats: ref('PokerRevealStats'),
      }),
    ),
  }),
  WebhookLog: object({
    endpoints: array(string({ format: 'uri' })),
    pending: ref('Count'),
    deliveries: array(
      object({
        at: string({ format: 'date-time' }),
        event: string({ pattern: '^evt_\\d+-\\d+$' }),
        type: string(),
        url: string({ format: 'uri' }),
        attempt: integer({ minimum: 1 }),
        result: string({ enum: ['delivered', 'retry', 'gave_up'] }),
        status: integer({ minimum: 0, description: "The endpoint's HTTP status; 0 when it did not answer." }),
        error: string(),
      }),
      { description: 'The newest attempts first.' },
    ),
  }),
  WebhookReplay: object({ event: string({ pattern: '^evt_\\d+-\\d+$' }), endpoints: array(string({ format: 'uri' })) }),
};
