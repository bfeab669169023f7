import { ID_PATTERN, MAX_MARKER_LABEL, MAX_SEGMENTS, OPTION_PATTERN } from '@banterbox/protocol';
import { array, boolean, integer, object, patternOf, ref, string, type SchemaSet } from './schema';

/** Schemas both socket protocols and the HTTP API use. */
export const commonSchemas: SchemaSet = {
  Id: string({ pattern: patternOf(ID_PATTERN), description: 'A user or room id: 1 to 64 characters of [A-Za-z0-9_-].', examples: ['r1'] }),
  UnixMs: integer({ minimum: 0, description: 'A time in Unix milliseconds.', examples: [1700000000000] }),
  Count: integer({ minimum: 0 }),
  Option: string({
    pattern: patternOf(OPTION_PATTERN),
    not: { const: 'cancel' },
    description: 'One of a vote room\'s options: 1 to 32 characters of [A-Za-z0-9_-]; "cancel" is reserved.',
  }),
  Tally: {
    type: 'object',
    description: 'Votes per option; every option of the room is listed, zeros included.',
    propertyNames: ref('Option'),
    additionalProperties: ref('Count'),
  },
  TallyPoint: object(
    {
      ts: ref('UnixMs'),
      votes: ref('Tally'),
      connected: ref('Count'),
      segments: {
        type: 'object',
        description: "A room with segments (SPEC §9): each segment's tally, every segment and option listed.",
        propertyNames: ref('Id'),
        additionalProperties: ref('Tally'),
        maxProperties: MAX_SEGMENTS,
      },
    },
    ['ts', 'votes', 'connected'],
    {
      description: 'One tick of a vote room: the tally at `ts` and the users connected to the room. `ts` is always the first field.',
    },
  ),
  Marker: object(
    {
      ts: ref('UnixMs'),
      label: string({ minLength: 1, maxLength: MAX_MARKER_LABEL }),
      auto: boolean({ description: 'Found automatically (a swing) rather than dropped by a person.' }),
    },
    undefined,
    { description: 'A labelled moment on the timeline of a vote room (SPEC §9). `ts` is always the first field.' },
  ),
  ErrorBody: object({ error: string({ description: 'What was wrong, for a person to read.' }) }, ['error'], {
    description: 'The body of every HTTP error of the API.',
  }),
  CodeEntry: object(
    {
      code: { type: ['integer', 'string'] },
      name: string({ description: 'The name the client SDK gives as the close reason.' }),
      meaning: string(),
      action: string({
        enum: ['reconnect', 'reconnect_now', 'new_token', 'stop', 'none'],
        description:
          'What a client does: reconnect after a full-jitter backoff; reconnect at once; reconnect with a new token; stop (retrying cannot help); none (the socket stays open).',
      }),
    },
    ['code', 'name', 'meaning', 'action'],
  ),
  CodeRegistry: object({ close: array(ref('CodeEntry')), vote_errors: array(ref('CodeEntry')) }, ['close', 'vote_errors'], {
    description: 'The close codes of both socket endpoints and the error codes of /api/vote_ws/, with what a client does about each.',
  }),
};
