import { array, boolean, integer, object, ref, string, type Schema, type SchemaSet } from './schema';

const envelope = (type: string, data: Schema, description: string): Schema =>
  object({ type: { const: type }, timestamp: string({ format: 'date-time' }), data }, ['type', 'timestamp', 'data'], { description });

/** The webhook events (SPEC §8), by event type: the body each delivery POSTs. */
export const WEBHOOK_EVENTS = {
  'room.created': 'WebhookRoomCreated',
  'room.closed': 'WebhookRoomClosed',
  'room.opened': 'WebhookRoomOpened',
  'room.round': 'WebhookRoomRound',
  'room.milestone': 'WebhookRoomMilestone',
  'poker.revealed': 'WebhookPokerRevealed',
  'poker.room_closed': 'WebhookPokerRoomClosed',
} as const;

export const webhookSchemas: SchemaSet = {
  [WEBHOOK_EVENTS['room.created']]: envelope(
    'room.created',
    object({
      room: ref('Id'),
      options: array(ref('Option')),
      open: boolean(),
      tick_ms: integer({ minimum: 0 }),
      voter_shards: integer({ minimum: 1 }),
      via: string({ enum: ['api', 'join'], description: 'Created by `POST /api/rooms`, or by the first join.' }),
    }),
    'A vote room was created.',
  ),
  [WEBHOOK_EVENTS['room.closed']]: envelope(
    'room.closed',
    object({ room: ref('Id'), ts: ref('UnixMs') }),
    'Voting in a vote room closed: its series ends with the tally as it stood (`GET /api/rooms/{room}/series`).',
  ),
  [WEBHOOK_EVENTS['room.opened']]: envelope(
    'room.opened',
    object({ room: ref('Id'), ts: ref('UnixMs') }),
    'Voting in a vote room opened again.',
  ),
  [WEBHOOK_EVENTS['room.round']]: envelope(
    'room.round',
    object({ room: ref('Id'), round: integer({ minimum: 1 }), question: string(), ts: ref('UnixMs') }),
    'A reset started a new round in a vote room, with its question; the round before stays exportable (`GET /api/rooms/{room}/series?round=n`).',
  ),
  [WEBHOOK_EVENTS['room.milestone']]: envelope(
    'room.milestone',
    object({
      room: ref('Id'),
      viewers: integer({ minimum: 1, description: 'The WEBHOOK_MILESTONES count crossed.' }),
      connected: ref('Count'),
      ts: ref('UnixMs'),
    }),
    'A vote room reached a configured viewer count; told once per count while the room lives.',
  ),
  [WEBHOOK_EVENTS['poker.revealed']]: envelope(
    'poker.revealed',
    object({
      room: ref('Id'),
      estimates: { type: 'object', propertyNames: ref('Id'), additionalProperties: ref('PokerRevealedEstimate') },
      stats: ref('PokerRevealStats'),
    }),
    "A poker room's owner revealed the estimates.",
  ),
  [WEBHOOK_EVENTS['poker.room_closed']]: envelope(
    'poker.room_closed',
    object({ room: ref('Id') }),
    'A poker room closed (its owner expired).',
  ),
};
