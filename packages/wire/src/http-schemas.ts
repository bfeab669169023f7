import { MAX_MARKER_LABEL, MAX_OPTIONS, MAX_ROOM_HISTORY, MAX_VOTER_SHARDS } from '@banterbox/protocol';
import { array, boolean, integer, object, ref, string, type SchemaSet } from './schema';

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
};

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
        description: 'A moderator may also close and open voting in the room.',
      }),
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
  Room: object({ ...roomFields, closed }),
  RoomState: object({ ...roomFields, closed, ts: ref('UnixMs'), votes: ref('Tally'), connected: ref('Count') }, undefined, {
    description: 'The room and its live tally, read now (not the last tick).',
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
      anchor: {
        allOf: [ref('UnixMs')],
        description:
          'When the round began: voting last opened again, else the room was created. A replay lines up with the recording from here.',
      },
      points: array(ref('TallyPoint')),
      markers: array(ref('Marker')),
    },
    undefined,
    {
      description:
        "The room's stored points and markers within the window, oldest first; the last HISTORY_LIMIT ticks (or the room's history_limit) are kept while the room lives.",
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
