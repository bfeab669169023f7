import { parseArgs } from 'node:util';

/**
 * The `banterbox` command: talks to a gateway's HTTP API (BANTERBOX_URL, default
 * http://127.0.0.1:8080) with the admin key (BANTERBOX_ADMIN_KEY) where the API needs it.
 */
export const USAGE = `usage: banterbox <command> [options]

commands:
  token --user <id> --room <id|*> [--ttl <seconds>] [--moderator] [--seg <segment>]
                                                       mint a vote-room token (admin); --moderator:
                                                       one that may also run the room; --seg: the
                                                       voter's segment
  room create [--room <id>] [--options a,b] [--tick-ms <ms>] [--open] [--voter-shards <n>]
              [--history-limit <points>] [--swing <net>:<seconds>] [--question <text>]
              [--segments a,b] [--ask <text>] [--vote-ttl <seconds>]
                                                       create a vote room (admin); --voter-shards
                                                       spreads a giant room's voters over n parts;
                                                       --history-limit keeps more of its series;
                                                       --swing marks moves of the net value;
                                                       --segments draws a line per segment (from
                                                       tokens' --seg, or asked with --ask);
                                                       --vote-ttl lets votes lapse unless re-sent
  room show <room>                                     a room's options and live tally
  room close <room> | room open <room>                 close voting (votes refused, the series stops)
                                                       or open it again (admin)
  room reset <room> <question>                         start a new round with a new question; votes
                                                       start over, the round before stays exportable
                                                       (admin)
  marker <room> <label>                                drop a labelled marker on the room's timeline
                                                       at now (admin)
  tally <room> [--watch]                               the live tally; --watch prints it every second
  rounds <room> [--csv]                                a poker room's recorded rounds
  export <room> [--since <t>] [--until <t>] [--round <n>] [--csv]
                                                       a vote room's stored points, oldest first, of
                                                       the current round or round n (admin; t: Unix
                                                       ms or ISO 8601)
  webhooks [--failed]                                  the webhook delivery log, newest first (admin)
  webhooks replay <event>                              deliver an event again to every endpoint (admin)

options:
  --url <url>     gateway base URL (default: $BANTERBOX_URL or http://127.0.0.1:8080)
  --json          print the API's JSON instead of text
  -h, --help      this help

environment: BANTERBOX_URL, BANTERBOX_ADMIN_KEY (for token, room create/close/open/reset, marker,
             export and webhooks)
exit codes: 0 done, 1 the server refused or could not be reached, 2 bad usage`;

export class UsageError extends Error {
  readonly code = 'usage';
}

export class ApiError extends Error {
  readonly code = 'api';
}

export interface CliIo {
  env: Record<string, string | undefined>;
  out: (text: string) => void;
  /** Waits between --watch refreshes; tests pass a bounded one. */
  sleep: (ms: number) => Promise<void>;
  /** How many times --watch prints before stopping (default: until interrupted). */
  watchLimit?: number;
}

interface Api {
  get(path: string, admin?: boolean): Promise<unknown>;
  getText(path: string, admin?: boolean): Promise<string>;
  post(path: string, body: unknown, admin: boolean): Promise<unknown>;
}

function api(baseUrl: string, adminKey: string | undefined): Api {
  const call = async (path: string, init: RequestInit): Promise<Response> => {
    let response: Response;
    try {
      response = await fetch(new URL(path, baseUrl), init);
    } catch (error) {
      throw new ApiError(`cannot reach ${baseUrl}: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (!response.ok) {
      const body = (await response.json().catch(() => ({}))) as { error?: string };
      throw new ApiError(`${init.method ?? 'GET'} ${path}: HTTP ${response.status}${body.error ? `: ${body.error}` : ''}`);
    }
    return response;
  };
  const authorized = (admin: boolean): { headers?: Record<string, string> } => {
    if (!admin) return {};
    if (!adminKey) throw new UsageError('BANTERBOX_ADMIN_KEY is required for this command');
    return { headers: { authorization: `Bearer ${adminKey}` } };
  };
  return {
    get: async (path, admin = false) => (await call(path, authorized(admin))).json(),
    getText: async (path, admin = false) => (await call(path, authorized(admin))).text(),
    post: async (path, body, admin) => {
      const headers = { 'content-type': 'application/json', ...authorized(admin).headers };
      return (await call(path, { method: 'POST', headers, body: JSON.stringify(body) })).json();
    },
  };
}

interface Tally {
  room: string;
  options: string[];
  votes: Record<string, number>;
  connected: number;
  ts: number;
  question?: string | null;
  round?: number;
  segments_tally?: Record<string, Record<string, number>>;
}

const counts = (options: readonly string[], votes: Record<string, number>): string =>
  options.map((o) => `${o} ${votes[o] ?? 0}`).join('  ');

/** The live tally on one line, then one line per segment in a room with segments. */
const tallyLine = (t: Tally): string =>
  [
    `${new Date(t.ts).toISOString()}  ${counts(t.options, t.votes)}  connected ${t.connected}`,
    ...Object.entries(t.segments_tally ?? {}).map(([segment, votes]) => `  ${segment}: ${counts(t.options, votes)}`),
  ].join('\n');

/** `room show`'s heading: the options, and the round and its question once there is either. */
const roomHeading = (t: Tally): string =>
  `${t.room}: options ${t.options.join(', ')}${t.round ? `, round ${t.round}` : ''}${t.question ? `\nquestion: ${t.question}` : ''}`;

function number(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a whole number`);
  return n;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      user: { type: 'string' },
      room: { type: 'string' },
      ttl: { type: 'string' },
      options: { type: 'string' },
      'tick-ms': { type: 'string' },
      'voter-shards': { type: 'string' },
      'history-limit': { type: 'string' },
      swing: { type: 'string' },
      question: { type: 'string' },
      segments: { type: 'string' },
      ask: { type: 'string' },
      'vote-ttl': { type: 'string' },
      seg: { type: 'string' },
      round: { type: 'string' },
      open: { type: 'boolean', default: false },
      moderator: { type: 'boolean', default: false },
      watch: { type: 'boolean', default: false },
      csv: { type: 'boolean', default: false },
      since: { type: 'string' },
      failed: { type: 'boolean', default: false },
      until: { type: 'string' },
    },
  });
}

/** Runs one command line; throws UsageError or ApiError. */
export async function runCli(argv: string[], io: CliIo): Promise<void> {
  let parsed;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    io.out(USAGE);
    if (!values.help) throw new UsageError('no command given');
    return;
  }
  const client = api(values.url ?? io.env.BANTERBOX_URL ?? 'http://127.0.0.1:8080', io.env.BANTERBOX_ADMIN_KEY);
  const print = (json: unknown, text: string): void => io.out(values.json ? JSON.stringify(json, null, 2) : text);

  if (command === 'token') {
    if (!values.user || !values.room) throw new UsageError('token needs --user and --room');
    const result = (await client.post(
      '/api/tokens',
      {
        user_id: values.user,
        room: values.room,
        ttl_s: number(values.ttl, 'ttl') ?? 3600,
        role: values.moderator ? 'moderator' : 'viewer',
        ...(values.seg === undefined ? {} : { seg: values.seg }),
      },
      true,
    )) as { token: string; expires_at: number };
    print(result, result.token);
    return;
  }
  const ROOM_COMMANDS = 'room create …, room show <room>, room close <room>, room open <room> or room reset <room> <question>';
  if (command === 'room' && !['create', 'show', 'close', 'open', 'reset'].includes(rest[0] ?? '')) {
    throw new UsageError(
      rest[0] === undefined ? `room needs a subcommand: ${ROOM_COMMANDS}` : `unknown room subcommand: ${rest[0]} (${ROOM_COMMANDS})`,
    );
  }
  if (command === 'marker') {
    const [roomId, ...words] = rest;
    if (!roomId || words.length === 0) throw new UsageError('marker needs a room id and a label');
    const marker = (await client.post(`/api/rooms/${encodeURIComponent(roomId)}/markers`, { label: words.join(' ') }, true)) as {
      ts: number;
      label: string;
    };
    print(marker, `${new Date(marker.ts).toISOString()}  ${marker.label}`);
    return;
  }
  if (command === 'room' && (rest[0] === 'close' || rest[0] === 'open')) {
    const roomId = rest[1];
    if (!roomId) throw new UsageError(`room ${rest[0]} needs a room id`);
    const result = (await client.post(`/api/rooms/${encodeURIComponent(roomId)}/${rest[0]}`, {}, true)) as {
      room: string;
      closed: boolean;
      changed: boolean;
    };
    print(result, `voting in ${result.room} is ${result.closed ? 'closed' : 'open'}${result.changed ? '' : ' (it was already)'}`);
    return;
  }
  if (command === 'room' && rest[0] === 'reset') {
    const [, roomId, ...words] = rest;
    if (!roomId || words.length === 0) throw new UsageError("room reset needs a room id and the new round's question");
    const result = (await client.post(`/api/rooms/${encodeURIComponent(roomId)}/reset`, { question: words.join(' ') }, true)) as {
      room: string;
      round: number;
      question: string;
    };
    print(result, `${result.room}: round ${result.round} open, "${result.question}"`);
    return;
  }
  if (command === 'room' && rest[0] === 'create') {
    const body: Record<string, unknown> = { open: values.open };
    if (values.room) body.room = values.room;
    if (values.options) body.options = values.options.split(',').map((o) => o.trim());
    const tick = number(values['tick-ms'], 'tick-ms');
    if (tick !== undefined) body.tick_ms = tick;
    const shards = number(values['voter-shards'], 'voter-shards');
    if (shards !== undefined) body.voter_shards = shards;
    const kept = number(values['history-limit'], 'history-limit');
    if (kept !== undefined) body.history_limit = kept;
    if (values.swing !== undefined) {
      const match = /^(\d+):(\d+)$/.exec(values.swing);
      if (!match) throw new UsageError('--swing is <net change>:<seconds>, e.g. 50:10');
      body.swing = { threshold: Number(match[1]), window_s: Number(match[2]) };
    }
    if (values.question !== undefined) body.question = values.question;
    if (values.segments !== undefined) body.segments = values.segments.split(',').map((s) => s.trim());
    if (values.ask !== undefined) body.segment_question = values.ask;
    const voteTtl = number(values['vote-ttl'], 'vote-ttl');
    if (voteTtl !== undefined) body.vote_ttl_s = voteTtl;
    const room = (await client.post('/api/rooms', body, true)) as {
      room: string;
      options: string[];
      open: boolean;
      voter_shards: number;
      segments: string[] | null;
    };
    const parts = room.voter_shards > 1 ? `, voters in ${room.voter_shards} parts` : '';
    const segments = room.segments ? `, segments ${room.segments.join(', ')}` : '';
    print(room, `created ${room.room} (options ${room.options.join(', ')}${room.open ? ', open to guests' : ''}${parts}${segments})`);
    return;
  }
  if ((command === 'room' && rest[0] === 'show') || command === 'tally') {
    const roomId = command === 'tally' ? rest[0] : rest[1];
    if (!roomId) throw new UsageError(`${command === 'tally' ? 'tally' : 'room show'} needs a room id`);
    const path = `/api/rooms/${encodeURIComponent(roomId)}`;
    for (let shown = 0; ; shown += 1) {
      const tally = (await client.get(path)) as Tally;
      print(tally, command === 'room' ? `${roomHeading(tally)}\n${tallyLine(tally)}` : tallyLine(tally));
      if (!values.watch || shown + 1 >= (io.watchLimit ?? Infinity)) return;
      await io.sleep(1000);
    }
  }
  if (command === 'rounds') {
    const roomId = rest[0];
    if (!roomId) throw new UsageError('rounds needs a poker room id');
    const path = `/api/poker/${encodeURIComponent(roomId)}/rounds`;
    if (values.csv) {
      io.out((await client.getText(`${path}?format=csv`)).trimEnd());
      return;
    }
    const result = (await client.get(path)) as {
      rounds: { round: number; topic: string; stats: { count: number; mean: number | null; consensus: boolean } }[];
    };
    print(
      result,
      result.rounds
        .map(
          (r) =>
            `#${r.round} ${r.topic || '(no topic)'}: ${r.stats.count} estimates, mean ${r.stats.mean ?? '-'}${r.stats.consensus ? ', consensus' : ''}`,
        )
        .join('\n') || 'no rounds yet',
    );
    return;
  }
  if (command === 'export') {
    const roomId = rest[0];
    if (!roomId) throw new UsageError('export needs a vote room id');
    const query = new URLSearchParams({ format: values.csv ? 'csv' : 'json' });
    if (values.round !== undefined) query.set('round', String(number(values.round, 'round')));
    if (values.since) query.set('since', values.since);
    if (values.until) query.set('until', values.until);
    io.out((await client.getText(`/api/rooms/${encodeURIComponent(roomId)}/series?${query.toString()}`, true)).trimEnd());
    return;
  }
  if (command === 'webhooks' && rest[0] === 'replay') {
    if (!rest[1]) throw new UsageError('webhooks replay needs an event id (evt_…)');
    const result = (await client.post(`/api/webhooks/${encodeURIComponent(rest[1])}/replay`, {}, true)) as {
      event: string;
      endpoints: string[];
    };
    print(result, `${result.event} will be delivered again to ${result.endpoints.join(', ')}`);
    return;
  }
  if (command === 'webhooks' && rest.length === 0) {
    const log = (await client.get('/api/webhooks?limit=200', true)) as {
      pending: number;
      deliveries: {
        at: string;
        event: string;
        type: string;
        url: string;
        attempt: number;
        result: string;
        status: number;
        error: string;
      }[];
    };
    const shown = values.failed ? log.deliveries.filter((d) => d.result !== 'delivered') : log.deliveries;
    print(
      log,
      [
        `${log.pending} pending`,
        ...shown.map(
          (d) =>
            `${d.at}  ${d.event}  ${d.type}  ${d.url}  attempt ${d.attempt}  ${d.result}${d.status ? ` ${d.status}` : ''}${d.error ? `  ${d.error}` : ''}`,
        ),
      ].join('\n'),
    );
    return;
  }
  throw new UsageError(`unknown command: ${[command, ...rest].join(' ')}`);
}
