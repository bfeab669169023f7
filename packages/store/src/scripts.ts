import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChainableCommander } from 'ioredis';
import type { RedisClient } from './connection';

/**
 * Lua scripts live one per file in ../lua as `<camelName>-<numKeys>.lua` (BullMQ's convention:
 * the number is how many KEYS the script takes; `n` for a script that takes any number, which is
 * then sent before the keys). Each is registered once per connection with
 * ioredis `defineCommand` under `bb_<camelName>_v<version>` (EVALSHA, falling back to EVAL after
 * a Redis restart), and called only through the typed definitions of the *-scripts.ts files (script-defs.ts has them all). A line
 * `-- @include <name>` is replaced by ../lua/include/<name>.lua when the script is loaded (an
 * include may include others; each is pasted once per script).
 *
 * Bump SCRIPT_VERSION whenever a script's arguments or replies change, so a rolling update never
 * runs a new caller against an old script of the same name.
 */
const SCRIPT_VERSION = 10;

export const SCRIPT_FILES = [
  'roomOps-6',
  'reapVoters-4',
  'expireVotes-4',
  'resetVoters-2',
  'roomRound-6',
  'holdForGateway-2',
  'tickRooms-n',
  'ensureRoom-3',
  'upgradeRooms-n',
  'roomVoting-2',
  'addMarker-3',
  'renewLease-n',
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
  'emitEventOnce-2',
  'claimWebhooks-4',
  'settleWebhook-3',
] as const;
export type ScriptFile = (typeof SCRIPT_FILES)[number];

export type ScriptArg = string | number;

declare const scripted: unique symbol;
/** A connection `registerScripts` defined every script on. */
export type ScriptedRedis = RedisClient & { readonly [scripted]: true };
/** A pipeline of a scripted connection. */
export type ScriptedPipeline = ChainableCommander & { readonly [scripted]: true };

type ScriptMethod<R> = (...args: ScriptArg[]) => R;

const LUA_DIR = join(__dirname, '..', 'lua');
const INCLUDE = /^-- @include ([A-Za-z]+)$/gm;

/** A script's Lua with its includes pasted in, an include's own includes too, each once. */
export function scriptSource(file: ScriptFile): string {
  const pasted = new Set<string>();
  const expand = (lua: string): string =>
    lua.replace(INCLUDE, (_line, name: string) => {
      if (pasted.has(name)) return '';
      pasted.add(name);
      return expand(readFileSync(join(LUA_DIR, 'include', `${name}.lua`), 'utf8'));
    });
  return expand(readFileSync(join(LUA_DIR, `${file}.lua`), 'utf8'));
}

/** A script's name and how many KEYS it takes (undefined: any number, sent with each call). */
function parts(file: ScriptFile): { name: string; numberOfKeys: number | undefined } {
  const [name = file, count = ''] = file.split('-');
  return { name, numberOfKeys: count === 'n' ? undefined : Number(count) };
}

/** The ioredis command a script is registered as, e.g. `bb_tickRooms_v3`. */
export function commandName(file: ScriptFile): string {
  return `bb_${parts(file).name}_v${SCRIPT_VERSION}`;
}

const sources = new Map<ScriptFile, string>();
const registered = new WeakSet<RedisClient>();

/** Defines every banterbox script on `redis` (idempotent) and returns it typed. */
export function registerScripts(redis: RedisClient): ScriptedRedis {
  if (!registered.has(redis)) {
    for (const file of SCRIPT_FILES) {
      let lua = sources.get(file);
      if (lua === undefined) {
        lua = scriptSource(file);
        sources.set(file, lua);
      }
      const { numberOfKeys } = parts(file);
      redis.defineCommand(commandName(file), numberOfKeys === undefined ? { lua } : { numberOfKeys, lua });
    }
    registered.add(redis);
  }
  return redis as ScriptedRedis;
}

export function scriptedPipeline(redis: ScriptedRedis): ScriptedPipeline {
  return redis.pipeline() as ScriptedPipeline;
}

/** One script call: the keys it touches (all of them) and its other arguments. */
export interface ScriptCall {
  keys: readonly string[];
  argv: readonly ScriptArg[];
}

/**
 * One Lua script, called with a named argument object: run it now, or queue it on a pipeline and
 * read its reply from the pipeline's results with `decode`. Replies are typed where the script is
 * defined: `run` and `decode` narrow the raw reply or throw a StoreError naming the script.
 */
export interface Script<A, R> {
  readonly file: ScriptFile;
  readonly command: string;
  run(redis: ScriptedRedis, args: A): Promise<R>;
  queue(pipeline: ScriptedPipeline, args: A): void;
  decode(reply: unknown): R;
}

/** A reply that is not what a script's header promises: `decode` throws it, named by script. */
export class ReplyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReplyError';
  }
}

/**
 * Defines a script from its file, how its named arguments become KEYS and ARGV (`build`), and how
 * its reply is read (`decode`: narrows the raw reply, or throws ReplyError for one the script's
 * header does not allow; it is rethrown as a StoreError with the script's name).
 */
export function defineScript<A, R>(file: ScriptFile, build: (args: A) => ScriptCall, decode: (reply: unknown) => R): Script<A, R> {
  const command = commandName(file);
  const { numberOfKeys } = parts(file);
  const flatten = (args: A): ScriptArg[] => {
    const call = build(args);
    if (numberOfKeys === undefined) return [call.keys.length, ...call.keys, ...call.argv];
    if (call.keys.length !== numberOfKeys) throw new StoreError(`${file} takes ${numberOfKeys} keys, got ${call.keys.length}`);
    return [...call.keys, ...call.argv];
  };
  const read = (reply: unknown): R => {
    try {
      return decode(reply);
    } catch (error) {
      if (!(error instanceof ReplyError)) throw error;
      throw new StoreError(`${file} replied ${JSON.stringify(reply)}: ${error.message}`, { cause: error });
    }
  };
  return {
    file,
    command,
    run: async (redis, args) =>
      read(await (redis as unknown as Record<string, ScriptMethod<Promise<unknown>>>)[command]!(...flatten(args))),
    queue: (pipeline, args) => {
      (pipeline as unknown as Record<string, ScriptMethod<unknown>>)[command]!(...flatten(args));
    },
    decode: read,
  };
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
