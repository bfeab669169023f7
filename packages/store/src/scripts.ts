import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChainableCommander, Redis } from 'ioredis';

/**
 * Lua scripts live one per file in ../lua as `<camelName>-<numKeys>.lua`. They are registered once
 * per connection with ioredis `defineCommand` under a versioned name (EVALSHA, falling back to EVAL
 * after a Redis restart) and called only through the typed wrappers in this package. A line
 * `-- @include <name>` is replaced by ../lua/include/<name>.lua when the script is loaded.
 */
const SCRIPT_VERSION = 1;
const SCRIPT_FILES = [
  'roomOps-4',
  'tickRoom-4',
  'ensureRoom-1',
  'renewLease-3',
  'pokerCreate-6',
  'pokerPresence-6',
  'pokerEstimate-6',
  'pokerCards-6',
  'pokerManage-6',
  'pokerUser-6',
  'userConnections-3',
  'userName-3',
  'userExpire-3',
  'unscheduleUser-1',
] as const;
type ScriptFile = (typeof SCRIPT_FILES)[number];

type Arg = string | number;

/** The commands `registerScripts` adds to a connection (and to its pipelines). */
export interface ScriptCommands<R> {
  bbRoomOps1(users: string, votes: string, tally: string, conns: string, ...ops: Arg[]): R;
  bbTickRoom1(meta: string, users: string, tally: string, history: string, ...args: Arg[]): R;
  bbEnsureRoom1(meta: string, ...args: Arg[]): R;
  bbRenewLease1(gateways: string, activeRooms: string, gatewayRooms: string, ...args: Arg[]): R;
  /** Poker room scripts: the six room keys, then the channel, the expiry and their own ARGV. */
  bbPokerCreate1(...keysAndArgs: Arg[]): R;
  bbPokerPresence1(...keysAndArgs: Arg[]): R;
  bbPokerEstimate1(...keysAndArgs: Arg[]): R;
  bbPokerCards1(...keysAndArgs: Arg[]): R;
  bbPokerManage1(...keysAndArgs: Arg[]): R;
  bbPokerUser1(...keysAndArgs: Arg[]): R;
  /** User scripts: profile, gateways and rooms keys, then their ARGV. */
  bbUserConnections1(...keysAndArgs: Arg[]): R;
  bbUserName1(...keysAndArgs: Arg[]): R;
  bbUserExpire1(...keysAndArgs: Arg[]): R;
  bbUnscheduleUser1(expiring: string, ...args: Arg[]): R;
}

export type ScriptedRedis = Redis & ScriptCommands<Promise<unknown>>;
export type ScriptedPipeline = ChainableCommander & ScriptCommands<ChainableCommander>;

function commandName(file: ScriptFile): string {
  const base = file.split('-')[0] ?? file;
  return `bb${base.charAt(0).toUpperCase()}${base.slice(1)}${SCRIPT_VERSION}`;
}

const LUA_DIR = join(__dirname, '..', 'lua');
const INCLUDE = /^-- @include ([A-Za-z]+)$/gm;

const sources = new Map<ScriptFile, string>();
function source(file: ScriptFile): string {
  let text = sources.get(file);
  if (text === undefined) {
    text = readFileSync(join(LUA_DIR, `${file}.lua`), 'utf8').replace(INCLUDE, (_line, name: string) =>
      readFileSync(join(LUA_DIR, 'include', `${name}.lua`), 'utf8'),
    );
    sources.set(file, text);
  }
  return text;
}

const registered = new WeakSet<Redis>();

/** Defines every banterbox script on `redis` (idempotent) and returns it typed. */
export function registerScripts(redis: Redis): ScriptedRedis {
  if (!registered.has(redis)) {
    for (const file of SCRIPT_FILES) {
      const numberOfKeys = Number(file.split('-')[1]);
      redis.defineCommand(commandName(file), { numberOfKeys, lua: source(file) });
    }
    registered.add(redis);
  }
  return redis as ScriptedRedis;
}

export function scriptedPipeline(redis: ScriptedRedis): ScriptedPipeline {
  return redis.pipeline() as ScriptedPipeline;
}

export class StoreError extends Error {
  readonly code = 'store_error';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
  }
}

/** Runs a pipeline and returns each result, throwing on the first command that failed. */
export async function execPipeline(pipeline: ChainableCommander): Promise<unknown[]> {
  const results = await pipeline.exec();
  if (results === null) throw new StoreError('pipeline was discarded');
  return results.map(([error, value], index) => {
    if (error) throw new StoreError(`pipeline command ${index} failed: ${error.message}`, { cause: error });
    return value;
  });
}
