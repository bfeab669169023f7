import { CLOSE_CODES, POKER_REQUEST_NAMES, VOTE_ERROR_CODES, type PokerRequestKind } from '@banterbox/protocol';
import { POKER_EVENTS, pokerRequestSchemaName } from './poker-schemas';
import { ref } from './schema';
import { WIRE_VERSION, wireSchemas } from './schemas';

interface MessageSpec {
  schema: string;
  summary: string;
  example: unknown;
}

const VOTE_RECEIVED: Record<string, MessageSpec> = {
  auth: {
    schema: 'VoteAuth',
    summary: 'Join a room',
    example: { auth: { user_id: 'u1', token: '<jwt>', room: 'r1', since: 1700000000000 } },
  },
  vote: { schema: 'VoteCast', summary: 'Cast or withdraw the standing vote', example: { vote: { value: 'yes', ts: 1700000000123 } } },
  segment: { schema: 'VoteSegment', summary: "Choose one's segment, once", example: { segment: 'team-red' } },
};

const VOTE_SENT: Record<string, MessageSpec> = {
  data: {
    schema: 'VoteData',
    summary: 'History on join, then one point per tick',
    example: { data: [{ ts: 1700000000000, votes: { yes: 50, no: 12 }, connected: 70 }] },
  },
  history: {
    schema: 'VoteHistory',
    summary: 'History on join, in columns',
    example: {
      history: {
        options: ['yes', 'no'],
        ts: [1700000000000, 1000, 2],
        votes: [
          [50, 1, 0],
          [12, 0, -1],
        ],
        connected: [70, 1, 0],
      },
    },
  },
  marker: {
    schema: 'VoteMarker',
    summary: 'A marker dropped on the timeline',
    example: { marker: { ts: 1700000001500, label: 'The reveal', auto: false } },
  },
  state: {
    schema: 'VoteState',
    summary: 'Voting closed or opened, a new round, what a joining voter needs to know',
    example: {
      state: { closed: false, ts: 1700000000500, round: 2, question: 'Who won the debate?', segments: ['team-red', 'team-blue'] },
    },
  },
  error: {
    schema: 'VoteError',
    summary: 'A refused message',
    example: { error: { code: 'bad_request', message: 'vote.value must be one of the room options or "cancel"' } },
  },
};

const POKER_REQUEST_EXAMPLES: Record<PokerRequestKind, Record<string, unknown>> = {
  setName: { name: 'Ada' },
  createRoom: { roomId: 'sprint-12', deck: ['1', '2', '3', '5', '8', '?'], autoReveal: false, topic: 'Login page' },
  joinRoom: { roomId: 'sprint-12', spectator: false },
  leaveRoom: { roomId: 'sprint-12' },
  estimate: { roomId: 'sprint-12', estimate: { value: '5', comment: 'the API part is known' } },
  reveal: { roomId: 'sprint-12' },
  hide: { roomId: 'sprint-12' },
  clear: { roomId: 'sprint-12' },
  setTopic: { roomId: 'sprint-12', topic: 'Checkout' },
  kick: { roomId: 'sprint-12', userId: 'u2' },
  transferOwnership: { roomId: 'sprint-12', userId: 'u2' },
};

const POKER_EVENT_EXAMPLES: Record<keyof typeof POKER_EVENTS, unknown> = {
  connectionInfo: { event: 'connectionInfo', userId: 'u1' },
  userUpdated: { event: 'userUpdated', user: { id: 'u1', name: 'Ada' } },
  roomCreated: { event: 'roomCreated', roomId: 'sprint-12' },
  roomUpdated: {
    event: 'roomUpdated',
    room: {
      id: 'sprint-12',
      ownerId: 'u1',
      topic: 'Login page',
      isRevealed: false,
      deck: ['1', '2', '3', '5', '8', '?'],
      autoReveal: false,
    },
  },
  userJoined: { event: 'userJoined', roomId: 'sprint-12', user: { id: 'u2', name: null, spectator: false } },
  userLeft: { event: 'userLeft', roomId: 'sprint-12', user: { id: 'u2', name: 'Grace' }, reason: 'left' },
  estimateUpdated: { event: 'estimateUpdated', roomId: 'sprint-12', userId: 'u2', estimate: {} },
  roomRevealed: {
    event: 'roomRevealed',
    roomId: 'sprint-12',
    estimates: { u1: { value: '5', comment: '' }, u2: { value: '8', comment: 'risky' } },
    stats: { count: 2, mean: 6.5, median: 6.5, min: 5, max: 8, distribution: { '5': 1, '8': 1 }, consensus: false },
  },
  roomCleared: { event: 'roomCleared', roomId: 'sprint-12' },
  roomClosed: { event: 'roomClosed', roomId: 'sprint-12' },
  heartbeat: { event: 'heartbeat' },
  error: { event: 'error', message: 'Only the owner can reveal', roomId: 'sprint-12' },
};

const message = (name: string, spec: MessageSpec): Record<string, unknown> => ({
  name,
  title: spec.summary,
  summary: spec.summary,
  contentType: 'application/json',
  payload: ref(spec.schema),
  examples: [{ name, payload: spec.example }],
});

const messageRefs = (channel: string, names: readonly string[]): unknown[] =>
  names.map((name) => ({ $ref: `#/channels/${channel}/messages/${name}` }));

/**
 * The AsyncAPI 3 document of the gateway's two socket endpoints (SPEC §5, §6), from the wire's
 * schemas: what the gateway receives and what it sends on each. Served as `/api/asyncapi.json`.
 */
export function asyncApiDocument(): Record<string, unknown> {
  const pokerReceived: Record<string, MessageSpec> = Object.fromEntries(
    (Object.keys(POKER_REQUEST_EXAMPLES) as PokerRequestKind[]).map((kind) => [
      kind,
      {
        schema: pokerRequestSchemaName(kind),
        summary: (wireSchemas[pokerRequestSchemaName(kind)]!.description as string).split('.')[0]!,
        example: { request: POKER_REQUEST_NAMES[kind][0], ...POKER_REQUEST_EXAMPLES[kind] },
      },
    ]),
  );
  const pokerSent: Record<string, MessageSpec> = Object.fromEntries(
    (Object.keys(POKER_EVENTS) as (keyof typeof POKER_EVENTS)[]).map((name) => [
      name,
      {
        schema: POKER_EVENTS[name],
        summary: (wireSchemas[POKER_EVENTS[name]]!.description as string).split(/[.:;]/)[0]!,
        example: POKER_EVENT_EXAMPLES[name],
      },
    ]),
  );
  const messages = (specs: Record<string, MessageSpec>, prefix: string): Record<string, unknown> =>
    Object.fromEntries(
      Object.entries(specs).map(([name, spec]) => [`${prefix}${name[0]!.toUpperCase()}${name.slice(1)}`, message(name, spec)]),
    );
  const componentMessages = {
    ...messages(VOTE_RECEIVED, 'Vote'),
    ...messages(VOTE_SENT, 'Vote'),
    ...messages(pokerReceived, 'PokerRequest'),
    ...messages(pokerSent, 'PokerEvent'),
  };
  const channelMessages = (specs: Record<string, MessageSpec>, prefix: string): Record<string, unknown> =>
    Object.fromEntries(
      Object.keys(specs).map((name) => [name, { $ref: `#/components/messages/${prefix}${name[0]!.toUpperCase()}${name.slice(1)}` }]),
    );
  return {
    asyncapi: '3.1.0',
    info: {
      title: 'banterbox gateway sockets',
      version: WIRE_VERSION,
      description:
        'The two WebSocket endpoints of a banterbox gateway: live vote rooms ("the worm") and planning-poker rooms. Every frame is one JSON text message. Close codes and error codes, with what a client does about each, are in `x-close-codes` and `x-error-codes` here and at `GET /api/codes`.',
      license: { name: 'MIT' },
    },
    servers: {
      gateway: {
        host: 'localhost:8080',
        protocol: 'ws',
        description: 'A gateway (PORT); any gateway of a deployment takes any client, no sticky sessions.',
      },
    },
    defaultContentType: 'application/json',
    channels: {
      vote: {
        address: '/api/vote_ws/',
        title: 'Vote rooms',
        description:
          'Auth first (within 5 s), then the history, then a point every tick; votes any time. Frames over 1 KiB close with 1009; more than 20 messages a second are dropped with `rate_limited`, and a socket that keeps it up is closed with 1008.',
        messages: { ...channelMessages(VOTE_RECEIVED, 'Vote'), ...channelMessages(VOTE_SENT, 'Vote') },
        'x-close-codes': CLOSE_CODES.filter((entry) => entry.code !== 4010),
        'x-error-codes': VOTE_ERROR_CODES,
      },
      poker: {
        address: '/connect',
        title: 'Planning-poker rooms',
        description:
          'The upgrade needs the session cookie (HTTP 401 without it; any page or `GET /api/session` sets it). `connectionInfo` comes first; a `heartbeat` every 30 s. Frames over 4 KiB close with 1009.',
        messages: { ...channelMessages(pokerReceived, 'PokerRequest'), ...channelMessages(pokerSent, 'PokerEvent') },
        'x-close-codes': CLOSE_CODES,
      },
    },
    operations: {
      receiveVoteMessages: {
        action: 'receive',
        title: 'A vote-room client joins and votes',
        channel: { $ref: '#/channels/vote' },
        messages: messageRefs('vote', Object.keys(VOTE_RECEIVED)),
      },
      sendVoteFrames: {
        action: 'send',
        title: 'The gateway sends the history, the ticks and errors',
        channel: { $ref: '#/channels/vote' },
        messages: messageRefs('vote', Object.keys(VOTE_SENT)),
      },
      receivePokerRequests: {
        action: 'receive',
        title: 'A poker client asks',
        channel: { $ref: '#/channels/poker' },
        security: [{ $ref: '#/components/securitySchemes/session' }],
        messages: messageRefs('poker', Object.keys(pokerReceived)),
      },
      sendPokerEvents: {
        action: 'send',
        title: 'The gateway tells what happened',
        channel: { $ref: '#/channels/poker' },
        security: [{ $ref: '#/components/securitySchemes/session' }],
        messages: messageRefs('poker', Object.keys(pokerSent)),
      },
    },
    components: {
      schemas: wireSchemas,
      messages: componentMessages,
      securitySchemes: {
        session: { type: 'httpApiKey', name: 'bb_session', in: 'cookie', description: 'The signed session cookie (SPEC §4).' },
      },
    },
  };
}
