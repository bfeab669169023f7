import { ReplyError } from './scripts';

/**
 * The building blocks of the scripts' reply decoders (the *-scripts.ts files): each narrows one part of
 * a raw reply as ioredis hands it over (RESP2: integers as numbers, bulk strings as strings,
 * tables as arrays, Lua false as null), or throws ReplyError.
 */

/** An integer reply. */
export function integer(reply: unknown): number {
  if (typeof reply !== 'number' || !Number.isInteger(reply)) throw new ReplyError('expected an integer');
  return reply;
}

/** An integer reply that is one of `allowed`. */
export function oneOf<T extends number>(reply: unknown, allowed: readonly T[]): T {
  const code = integer(reply);
  if (!(allowed as readonly number[]).includes(code)) throw new ReplyError(`unknown code ${code}`);
  return code as T;
}

/** The numeric values of a numeric enum. */
export function codes<T extends number>(table: Record<string, string | T>): T[] {
  return Object.values(table).filter((value): value is T => typeof value === 'number');
}

/** A table reply with at least `min` elements. */
export function list(reply: unknown, min = 0): unknown[] {
  if (!Array.isArray(reply) || reply.length < min) throw new ReplyError(`expected a table of at least ${min}`);
  return reply;
}

/** A bulk string reply. */
export function text(reply: unknown): string {
  if (typeof reply !== 'string') throw new ReplyError('expected a string');
  return reply;
}

/** A bulk string, or nil (Lua false) as null. */
export function optionalText(reply: unknown): string | null {
  return reply === null ? null : text(reply);
}

/** A table of bulk strings. */
export function texts(reply: unknown): string[] {
  return list(reply).map(text);
}
