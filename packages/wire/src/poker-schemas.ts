import { POKER_REQUEST_NAMES, PokerLimits, type PokerRequestKind } from '@banterbox/protocol';
import { array, boolean, caselessPattern, integer, nullable, object, ref, string, type Schema, type SchemaSet } from './schema';

/** Text without control characters (\p{Cc}); comments may hold tabs and line breaks. */
const NO_CONTROL = '^[^\\u0000-\\u001f\\u007f-\\u009f]*$';
const NO_CONTROL_BUT_LINES = '^[^\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]*$';

const text = (max: number, description: string): Schema => string({ maxLength: max, pattern: NO_CONTROL, description });
const required = (max: number, description: string): Schema => ({
  type: 'string',
  maxLength: max,
  allOf: [{ pattern: NO_CONTROL }, { pattern: '\\S' }],
  description,
});
const card = (description: string): Schema => ({
  oneOf: [required(PokerLimits.maxCardLength, description), { type: 'number' }],
});

/**
 * A request of `kind`: its name in `request` (the seed's form) or `command` (the Pokey form),
 * matched case-insensitively, and its fields. Fields a request does not use are ignored.
 */
function request(kind: PokerRequestKind, fields: Record<string, Schema>, needed: readonly string[], description: string): Schema {
  const name = string({ pattern: caselessPattern(POKER_REQUEST_NAMES[kind]), examples: [...POKER_REQUEST_NAMES[kind]] });
  return {
    type: 'object',
    description: `${description} Named ${POKER_REQUEST_NAMES[kind].map((n) => `\`${n}\``).join(' or ')}, in any case.`,
    properties: { request: name, command: name, ...fields },
    required: [...needed],
    oneOf: [{ required: ['request'] }, { required: ['command'] }],
  };
}

const roomId = { roomId: ref('Id') };
const topic = text(PokerLimits.maxTopicLength, 'The story being estimated (trimmed).');

const estimate: Schema = object(
  {
    value: nullable(card("A card of the room's deck; null withdraws the estimate.")),
    comment: string({ maxLength: PokerLimits.maxCommentLength, pattern: NO_CONTROL_BUT_LINES }),
  },
  ['value'],
  { additionalProperties: true },
);

const REQUESTS: Record<PokerRequestKind, Schema> = {
  setName: request(
    'setName',
    { name: required(PokerLimits.maxNameLength, 'The name other members see (trimmed).') },
    ['name'],
    "Sets the user's name.",
  ),
  createRoom: request(
    'createRoom',
    {
      roomId: nullable(ref('Id')),
      deck: array(card('A card'), { minItems: PokerLimits.minDeckSize, maxItems: PokerLimits.maxDeckSize, uniqueItems: true }),
      autoReveal: nullable(boolean()),
      topic: nullable(topic),
    },
    [],
    'Creates a room (with a random id when none is given) owned by the user, and joins it.',
  ),
  joinRoom: request('joinRoom', { ...roomId, spectator: nullable(boolean()) }, ['roomId'], 'Joins a room, as a spectator if asked.'),
  leaveRoom: request('leaveRoom', roomId, ['roomId'], 'Leaves a room on this connection.'),
  estimate: request(
    'estimate',
    {
      ...roomId,
      estimate: nullable(estimate),
      value: nullable(card('The card, when given flat rather than in `estimate`.')),
      comment: string({ maxLength: PokerLimits.maxCommentLength, pattern: NO_CONTROL_BUT_LINES }),
    },
    ['roomId'],
    "Sets or withdraws (null) the user's estimate, nested in `estimate` or flat.",
  ),
  reveal: request('reveal', roomId, ['roomId'], 'Owner only: reveals the estimates.'),
  hide: request('hide', roomId, ['roomId'], 'Owner only: hides them again.'),
  clear: request('clear', roomId, ['roomId'], 'Owner only: records the round, clears and hides the estimates.'),
  setTopic: request('setTopic', { ...roomId, topic }, ['roomId'], 'Owner only: sets the topic.'),
  kick: request('kick', { ...roomId, userId: ref('Id') }, ['roomId', 'userId'], 'Owner only: removes a member.'),
  transferOwnership: request(
    'transferOwnership',
    { ...roomId, userId: ref('Id') },
    ['roomId', 'userId'],
    'Owner only: hands the room over.',
  ),
};

/** Schema names of the poker requests: `PokerSetName`, `PokerCreateRoom`, ... */
export const pokerRequestSchemaName = (kind: PokerRequestKind): string => `Poker${kind[0]!.toUpperCase()}${kind.slice(1)}`;

const event = (name: string, fields: Record<string, Schema>, description: string, optional: readonly string[] = []): Schema =>
  object({ event: { const: name }, ...fields }, ['event', ...Object.keys(fields).filter((field) => !optional.includes(field))], {
    description,
  });

const revealed = ref('PokerRevealedEstimate');

/** Event schema names, by event. */
export const POKER_EVENTS = {
  connectionInfo: 'PokerConnectionInfo',
  userUpdated: 'PokerUserUpdated',
  roomCreated: 'PokerRoomCreated',
  roomUpdated: 'PokerRoomUpdated',
  userJoined: 'PokerUserJoined',
  userLeft: 'PokerUserLeft',
  estimateUpdated: 'PokerEstimateUpdated',
  roomRevealed: 'PokerRoomRevealed',
  roomCleared: 'PokerRoomCleared',
  roomClosed: 'PokerRoomClosed',
  heartbeat: 'PokerHeartbeat',
  error: 'PokerError',
} as const;

/** The frames of /connect (SPEC §6), both ways. */
export const pokerSchemas: SchemaSet = {
  ...Object.fromEntries(Object.entries(REQUESTS).map(([kind, schema]) => [pokerRequestSchemaName(kind as PokerRequestKind), schema])),
  PokerRequest: { oneOf: Object.keys(REQUESTS).map((kind) => ref(pokerRequestSchemaName(kind as PokerRequestKind))) },
  PokerUser: object({ id: ref('Id'), name: nullable(string()) }, ['id', 'name'], {
    description: '`name` is null until the user sets one.',
  }),
  PokerMember: object({ id: ref('Id'), name: nullable(string()), spectator: boolean() }),
  PokerRoom: object({
    id: ref('Id'),
    ownerId: ref('Id'),
    topic: string(),
    isRevealed: boolean(),
    deck: array(string()),
    autoReveal: boolean(),
  }),
  PokerRevealedEstimate: object({ value: string(), comment: string() }),
  PokerRevealStats: object(
    {
      count: ref('Count'),
      mean: nullable({ type: 'number' }),
      median: nullable({ type: 'number' }),
      min: nullable({ type: 'number' }),
      max: nullable({ type: 'number' }),
      distribution: { type: 'object', additionalProperties: integer({ minimum: 1 }) },
      consensus: boolean(),
    },
    undefined,
    {
      description:
        'Means over the numeric cards only (null when there are none), two decimals; `consensus` when every estimate has one value.',
    },
  ),
  [POKER_EVENTS.connectionInfo]: event(
    'connectionInfo',
    { userId: ref('Id') },
    'First on every connection: who the session cookie says the user is.',
  ),
  [POKER_EVENTS.userUpdated]: event(
    'userUpdated',
    { user: ref('PokerUser') },
    'A user (this one, or a member of a shared room) set a name.',
  ),
  [POKER_EVENTS.roomCreated]: event('roomCreated', roomId, 'The room this connection asked for was created; its snapshot follows.'),
  [POKER_EVENTS.roomUpdated]: event('roomUpdated', { room: ref('PokerRoom') }, 'The room as it now is; first in every join snapshot.'),
  [POKER_EVENTS.userJoined]: event(
    'userJoined',
    { ...roomId, user: ref('PokerMember') },
    'A member joined (or is listed in a join snapshot).',
  ),
  [POKER_EVENTS.userLeft]: event(
    'userLeft',
    { ...roomId, user: ref('PokerUser'), reason: string({ enum: ['left', 'kicked', 'expired'] }) },
    "A member's last connection left, they were kicked, or they expired.",
  ),
  [POKER_EVENTS.estimateUpdated]: event(
    'estimateUpdated',
    {
      ...roomId,
      userId: ref('Id'),
      estimate: { oneOf: [{ type: 'null' }, { type: 'object', maxProperties: 0 }, revealed] },
    },
    "A member's estimate: null (none), {} (given, hidden) or {value, comment} (revealed, and always to its own user).",
  ),
  [POKER_EVENTS.roomRevealed]: event(
    'roomRevealed',
    { ...roomId, estimates: { type: 'object', propertyNames: ref('Id'), additionalProperties: revealed }, stats: ref('PokerRevealStats') },
    'The owner revealed: every estimate by user id, and the statistics.',
  ),
  [POKER_EVENTS.roomCleared]: event('roomCleared', roomId, 'The round was recorded, the estimates cleared and hidden.'),
  [POKER_EVENTS.roomClosed]: event('roomClosed', roomId, "The room closed (its owner expired); it can't be joined again."),
  [POKER_EVENTS.heartbeat]: event('heartbeat', {}, 'Every 30 s, so that clients notice a dead connection.'),
  [POKER_EVENTS.error]: event(
    'error',
    { message: string(), detail: string(), ...roomId },
    'A refused request. Unknown or malformed requests get "Invalid request" with a `detail` saying why.',
    ['detail', 'roomId'],
  ),
  PokerEvent: { oneOf: Object.values(POKER_EVENTS).map(ref) },
};
