import { ref, type Schema } from './schema';
import { WIRE_VERSION, wireSchemas } from './schemas';
import { WEBHOOK_EVENTS } from './webhook-schemas';

type Security = 'admin' | 'roomToken' | 'moderatorToken' | 'session';

interface Answer {
  description: string;
  /** A schema name for a JSON body; 'csv', 'html', 'text' or 'any' for the others. */
  body?: string;
  /** A second body the same status may carry instead (`format=csv`). */
  alternative?: 'csv';
  headers?: Record<string, string>;
}

interface Operation {
  summary: string;
  tag: string;
  description?: string;
  security?: Security[];
  /** Anyone may call it, as well as those the security names. */
  optionalSecurity?: boolean;
  query?: Record<string, Schema & { description: string }>;
  body?: string;
  responses: Record<number, Answer>;
  /** Answers 503 while the gateway drains (every route but the probes). */
  drains?: boolean;
}

const ERRORS: Record<number, string> = {
  400: 'The request is malformed; nothing changed.',
  401: 'No admin key or token, or a wrong one.',
  403: 'The admin API is off (no BANTERBOX_ADMIN_KEY), or the token is for another room or not a moderator token.',
  404: 'No such room or event.',
  409: 'A conflict: the room exists already, or no webhooks are configured.',
  413: 'The body is larger than 16 KiB.',
};

const error = (status: number): Answer => ({ description: ERRORS[status]!, body: 'ErrorBody' });
const errors = (...statuses: number[]): Record<number, Answer> => Object.fromEntries(statuses.map((status) => [status, error(status)]));

const FORMAT = { type: 'string', enum: ['json', 'csv'], default: 'json', description: 'The body: JSON, or CSV with a header row.' };
const HTML: Answer = { description: 'The page (HTML); sets the session cookie if the request had none.', body: 'html' };
const NO_ROOM: Answer = { description: 'The page, saying so: the room id breaks the id rule.', body: 'html' };

const OPERATIONS: Record<string, Record<'get' | 'post', Operation | undefined>> = {
  '/healthz': {
    get: { summary: 'Liveness', tag: 'operations', responses: { 200: { description: 'The process is alive.', body: 'text' } } },
    post: undefined,
  },
  '/readyz': {
    get: {
      summary: 'Readiness: Redis reachable, subscribed, not draining',
      tag: 'operations',
      responses: { 200: { description: 'Ready.', body: 'Readiness' }, 503: { description: 'Not ready (or draining).', body: 'Readiness' } },
    },
    post: undefined,
  },
  '/api/tokens': {
    post: {
      summary: 'Mint a token for a user and a room',
      tag: 'admin',
      security: ['admin'],
      body: 'TokenRequest',
      drains: true,
      responses: { 200: { description: 'The token.', body: 'TokenResponse' }, ...errors(400, 401, 403, 413) },
    },
    get: undefined,
  },
  '/api/rooms': {
    post: {
      summary: 'Create a vote room',
      tag: 'admin',
      security: ['admin'],
      body: 'RoomRequest',
      drains: true,
      responses: { 201: { description: 'The room as created.', body: 'Room' }, ...errors(400, 401, 403, 409, 413) },
    },
    get: undefined,
  },
  '/api/rooms/{room}': {
    get: {
      summary: 'A vote room and its live tally',
      tag: 'vote',
      drains: true,
      responses: { 200: { description: 'The room.', body: 'RoomState' }, ...errors(400, 404) },
    },
    post: undefined,
  },
  '/api/rooms/{room}/close': {
    post: {
      summary: 'Close voting in a room',
      tag: 'vote',
      description:
        'Votes are refused with the `closed` error (sockets stay open) and the series stops, with the tally as it stands; every viewer gets `{"state":{"closed":true}}`. Closing a closed room changes nothing.',
      security: ['admin', 'moderatorToken'],
      drains: true,
      responses: { 200: { description: 'Closed.', body: 'VotingChange' }, ...errors(400, 401, 403, 404) },
    },
    get: undefined,
  },
  '/api/rooms/{room}/open': {
    post: {
      summary: 'Open voting in a room again',
      tag: 'vote',
      description: 'The series goes on from the close; every viewer gets `{"state":{"closed":false}}`.',
      security: ['admin', 'moderatorToken'],
      drains: true,
      responses: { 200: { description: 'Open.', body: 'VotingChange' }, ...errors(400, 401, 403, 404) },
    },
    get: undefined,
  },
  '/api/rooms/{room}/reset': {
    post: {
      summary: 'Start a new round with a new question',
      tag: 'vote',
      description:
        'The round ends and its series and markers are kept (`GET /api/rooms/{room}/series?round=n`) for the room\'s idle expiry; the new one starts with an empty series, voting open and every standing vote gone (clients ask again). Every viewer gets `{"state":{"round":n,"question":...}}`. 409 when another reset came first.',
      security: ['admin', 'moderatorToken'],
      body: 'ResetRequest',
      drains: true,
      responses: { 200: { description: 'The new round.', body: 'RoundStarted' }, ...errors(400, 401, 403, 404, 409, 413) },
    },
    get: undefined,
  },
  '/api/rooms/{room}/rounds': {
    get: {
      summary: "A room's rounds",
      tag: 'vote',
      drains: true,
      responses: { 200: { description: 'The rounds, oldest first.', body: 'Rounds' }, ...errors(400, 404) },
    },
    post: undefined,
  },
  '/api/rooms/{room}/markers': {
    post: {
      summary: "Drop a marker on a room's timeline",
      tag: 'vote',
      description: 'At now (Redis time); every viewer gets `{"marker": {...}}`, joins and the export carry it. A room keeps its last 1000.',
      security: ['admin', 'moderatorToken'],
      body: 'MarkerRequest',
      drains: true,
      responses: { 201: { description: 'The marker as stored.', body: 'Marker' }, ...errors(400, 401, 403, 404, 413) },
    },
    get: undefined,
  },
  '/api/rooms/{room}/guest': {
    post: {
      summary: 'A guest token for an open room',
      tag: 'vote',
      description: "The user is the browser's session (the cookie is set if the request had none).",
      security: ['session'],
      optionalSecurity: true,
      drains: true,
      responses: {
        200: {
          description: 'A token for this room, valid for an hour.',
          body: 'GuestToken',
          headers: { 'set-cookie': 'The session cookie, if the request had none.' },
        },
        ...errors(400, 403, 404),
      },
    },
    get: undefined,
  },
  '/api/rooms/{room}/series': {
    get: {
      summary: "Export a room's stored points",
      tag: 'vote',
      description:
        'Streams the points with since ≤ ts ≤ until, oldest first, as JSON or CSV (ts, time, one column per option, connected, one column per segment and option as `<segment>:<option>`, markers).',
      security: ['admin', 'roomToken'],
      drains: true,
      query: {
        since: { type: 'string', pattern: '^\\S+$', description: 'Unix ms or an ISO 8601 time; the start when left out.' },
        until: { type: 'string', pattern: '^\\S+$', description: 'Unix ms or an ISO 8601 time; now when left out.' },
        round: { type: 'string', pattern: '^\\d+$', description: 'A round kept after a reset; the current round when left out.' },
        format: FORMAT,
      },
      responses: { 200: { description: 'The series.', body: 'Series', alternative: 'csv' }, ...errors(400, 401, 403, 404) },
    },
    post: undefined,
  },
  '/api/demo': {
    get: {
      summary: "The demo room's id (opened on demand)",
      tag: 'vote',
      drains: true,
      responses: { 200: { description: 'The demo room.', body: 'DemoRoom' }, ...errors(404) },
    },
    post: undefined,
  },
  '/api/codes': {
    get: {
      summary: 'The close and error code registry',
      tag: 'protocol',
      drains: true,
      responses: { 200: { description: 'Every close and error code, with what a client does about it.', body: 'CodeRegistry' } },
    },
    post: undefined,
  },
  '/api/asyncapi.json': {
    get: {
      summary: 'The AsyncAPI 3 document of the socket endpoints',
      tag: 'protocol',
      drains: true,
      responses: { 200: { description: "This service's AsyncAPI document.", body: 'any' } },
    },
    post: undefined,
  },
  '/api/openapi.json': {
    get: {
      summary: 'This OpenAPI 3.1 document',
      tag: 'protocol',
      drains: true,
      responses: { 200: { description: 'This document.', body: 'any' } },
    },
    post: undefined,
  },
  '/api/session': {
    get: {
      summary: "The browser's session user",
      tag: 'poker',
      security: ['session'],
      optionalSecurity: true,
      drains: true,
      responses: { 200: { description: 'The user id; the cookie is set if the request had none.', body: 'Session' } },
    },
    post: undefined,
  },
  '/api/poker/{room}/rounds': {
    get: {
      summary: "A poker room's recorded rounds",
      tag: 'poker',
      drains: true,
      query: { format: FORMAT },
      responses: { 200: { description: 'The rounds, oldest first.', body: 'PokerRounds', alternative: 'csv' }, ...errors(400, 404) },
    },
    post: undefined,
  },
  '/api/webhooks': {
    get: {
      summary: 'The webhook delivery log',
      tag: 'admin',
      security: ['admin'],
      drains: true,
      query: { limit: { type: 'integer', minimum: 1, maximum: 10000, default: 100, description: 'How many attempts, newest first.' } },
      responses: {
        200: { description: 'The endpoints, pending deliveries and recent attempts.', body: 'WebhookLog' },
        ...errors(400, 401, 403),
      },
    },
    post: undefined,
  },
  '/api/webhooks/{event}/replay': {
    post: {
      summary: 'Deliver an event again to every endpoint',
      tag: 'admin',
      security: ['admin'],
      drains: true,
      responses: { 202: { description: 'Queued.', body: 'WebhookReplay' }, ...errors(400, 401, 403, 404, 409) },
    },
    get: undefined,
  },
  '/': { get: { summary: 'The landing page', tag: 'pages', responses: { 200: HTML } }, post: undefined },
  '/room/{room}': {
    get: { summary: 'The worm page of a vote room', tag: 'pages', responses: { 200: HTML, 404: NO_ROOM } },
    post: undefined,
  },
  '/overlay/{room}': {
    get: { summary: 'The stream overlay of a vote room', tag: 'pages', responses: { 200: HTML, 404: NO_ROOM } },
    post: undefined,
  },
  '/poker': { get: { summary: 'The poker page', tag: 'pages', responses: { 200: HTML } }, post: undefined },
  '/replay/{room}': {
    get: { summary: "The replay of a room's stored series", tag: 'pages', responses: { 200: HTML, 404: NO_ROOM } },
    post: undefined,
  },
  '/studio': { get: { summary: "The streamer's console", tag: 'pages', responses: { 200: HTML } }, post: undefined },
  '/poker/{room}': { get: { summary: 'A poker room', tag: 'pages', responses: { 200: HTML, 404: NO_ROOM } }, post: undefined },
  '/assets/{file}': {
    get: {
      summary: "The pages' scripts and styles",
      tag: 'pages',
      responses: { 200: { description: 'The asset.', body: 'any-type' }, 404: { description: 'No such asset.', body: 'ErrorBody' } },
    },
    post: undefined,
  },
};

const PATH_PARAMETERS: Record<string, { schema: Schema; description: string }> = {
  room: { schema: ref('Id'), description: 'The room id.' },
  event: {
    schema: { type: 'string', pattern: '^(?:evt_)?\\d+-\\d+$' },
    description: 'The event id, `evt_<ms>-<n>` as in the webhook-id header.',
  },
  file: { schema: { type: 'string' }, description: 'The asset file name.' },
};

function content(body: string | undefined, alternative?: 'csv'): Record<string, unknown> | undefined {
  if (body === undefined) return undefined;
  const csv = { 'text/csv': { schema: { type: 'string' } } };
  switch (body) {
    case 'html':
      return { 'text/html': { schema: { type: 'string' } } };
    case 'text':
      return { 'text/plain': { schema: { type: 'string' } } };
    case 'any':
      return { 'application/json': { schema: { type: 'object' } } };
    case 'any-type':
      return { '*/*': { schema: {} } };
    default:
      return { 'application/json': { schema: ref(body) }, ...(alternative ? csv : {}) };
  }
}

function response(answer: Answer): Record<string, unknown> {
  return {
    description: answer.description,
    ...(answer.headers
      ? {
          headers: Object.fromEntries(
            Object.entries(answer.headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }]),
          ),
        }
      : {}),
    ...(answer.body ? { content: content(answer.body, answer.alternative) } : {}),
  };
}

function operation(path: string, method: string, op: Operation): Record<string, unknown> {
  const pathParameters = [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    ...PATH_PARAMETERS[name!],
  }));
  const queryParameters = Object.entries(op.query ?? {}).map(([name, { description, ...schema }]) => ({
    name,
    in: 'query',
    description,
    schema,
  }));
  const responses: Record<string, unknown> = Object.fromEntries(
    Object.entries(op.responses).map(([status, answer]) => [status, response(answer)]),
  );
  responses['500'] = response({ description: 'An unexpected error (logged by the gateway).', body: 'ErrorBody' });
  if (op.drains) responses['503'] = { $ref: '#/components/responses/Draining' };
  const security = op.security?.map((name) => ({ [name]: [] }));
  return {
    operationId: `${method}${path
      .replace(/[{}.]/g, '')
      .replace(/(^|\/)(\w)/g, (_, __, c: string) => c.toUpperCase())
      .replace(/\W/g, '')}`,
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    tags: [op.tag],
    ...(security ? { security: op.optionalSecurity ? [...security, {}] : security } : {}),
    ...(pathParameters.length + queryParameters.length > 0 ? { parameters: [...pathParameters, ...queryParameters] } : {}),
    ...(op.body ? { requestBody: { required: false, content: { 'application/json': { schema: ref(op.body) } } } } : {}),
    responses,
  };
}

const SIGNATURE_HEADERS = [
  { name: 'webhook-id', description: 'The event id (`evt_<ms>-<n>`): the same on every retry and replay; receivers dedupe on it.' },
  { name: 'webhook-timestamp', description: 'Unix seconds of this attempt; refuse attempts more than 5 minutes off.' },
  {
    name: 'webhook-signature',
    description:
      'Space-separated `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, one per secret (WEBHOOK_SECRET, WEBHOOK_SECRET_PREVIOUS).',
  },
];

/**
 * The OpenAPI 3.1 document of the gateway's HTTP API and of the webhooks it sends (SPEC §3, §4,
 * §8), from the wire's schemas. Served as `/api/openapi.json`.
 */
export function openApiDocument(): Record<string, unknown> {
  const paths = Object.fromEntries(
    Object.entries(OPERATIONS).map(([path, methods]) => [
      path,
      Object.fromEntries(
        Object.entries(methods)
          .filter((entry): entry is [string, Operation] => entry[1] !== undefined)
          .map(([method, op]) => [method, operation(path, method, op)]),
      ),
    ]),
  );
  const webhooks = Object.fromEntries(
    Object.entries(WEBHOOK_EVENTS).map(([type, schema]) => [
      type,
      {
        post: {
          operationId: `webhook${schema.replace(/^Webhook/, '')}`,
          summary: (wireSchemas[schema]!.description as string) ?? type,
          tags: ['webhooks'],
          parameters: SIGNATURE_HEADERS.map((header) => ({ ...header, in: 'header', required: true, schema: { type: 'string' } })),
          requestBody: { required: true, content: { 'application/json': { schema: ref(schema) } } },
          responses: {
            '200': {
              description:
                'Any 2xx: delivered. Anything else, or no answer within WEBHOOK_TIMEOUT_MS, is retried with backoff for 24 hours.',
            },
          },
        },
      },
    ]),
  );
  return {
    openapi: '3.1.0',
    info: {
      title: 'banterbox gateway HTTP API',
      version: WIRE_VERSION,
      description:
        'Tokens, rooms, exports, the code registry and the webhook log of a banterbox gateway, and the webhooks it sends (`webhooks`). The socket endpoints are in the AsyncAPI document, `/api/asyncapi.json`. Metrics are on METRICS_PORT, not here.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/', description: 'The gateway that served this document.' }],
    tags: ['operations', 'admin', 'vote', 'poker', 'protocol', 'pages', 'webhooks'].map((name) => ({ name })),
    paths,
    webhooks,
    components: {
      schemas: wireSchemas,
      responses: {
        Draining: {
          description: 'The gateway is draining: try another (retry-after: 1).',
          headers: { 'retry-after': { schema: { type: 'string' } } },
          content: { 'text/plain': { schema: { type: 'string' } } },
        },
      },
      securitySchemes: {
        admin: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <BANTERBOX_ADMIN_KEY>.' },
        roomToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A token for the room (or for any room, `*`).' },
        moderatorToken: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'A token for the room (or `*`) with the claim `role: "moderator"`.',
        },
        session: { type: 'apiKey', in: 'cookie', name: 'bb_session', description: 'The signed session cookie; set on any page.' },
      },
    },
  };
}
