import { keys, type VoterKeys } from './keys';
import { list, optionalText } from './script-replies';
import { handled, type SlotBatch } from './slot-batch';

/**
 * A vote room's voters live in the room's own keys, or in `shards` voter parts (keys.voterKeys)
 * for a room created with voter_shards > 1. Both the live tally (the HTTP API) and the tick sum
 * the parts through here.
 */

/** A room's voter parts from its stored `shards` (absent, or anything below 2: one). */
export function shardCount(stored: unknown): number {
  return Math.max(1, Number(stored ?? 1) || 1);
}

/**
 * The tally fields of a room's counts, in the order the tick lists them: its options, then for
 * each segment "<option>/<segment>" of each option (lua/include/voters.lua).
 */
export function countFields(options: readonly string[], segments: readonly string[] = []): string[] {
  return [...options, ...segments.flatMap((segment) => options.map((option) => `${option}/${segment}`))];
}

/** Counts in countFields' order as a point's `votes` and, for a room with segments, `segments`. */
export function pointCounts(
  options: readonly string[],
  segments: readonly string[],
  counts: readonly number[],
): { votes: Record<string, number>; segments?: Record<string, Record<string, number>> } {
  const byOption = (offset: number): Record<string, number> =>
    Object.fromEntries(options.map((option, i) => [option, counts[offset + i] ?? 0]));
  const votes = byOption(0);
  if (segments.length === 0) return { votes };
  return { votes, segments: Object.fromEntries(segments.map((segment, j) => [segment, byOption((j + 1) * options.length)])) };
}

/** Connected users and the counts of `fields` (in their order: countFields), summed over a room's parts. */
export interface PartSums {
  connected: number;
  counts: number[];
}

/** The voter keys of every part of a room of `shards` parts (the room's own voter keys for one). */
export function voterParts(roomId: string, shards: number): VoterKeys[] {
  const parts = Math.max(1, shards);
  return Array.from({ length: parts }, (_, shard) => keys.voterKeys(roomId, shard, parts));
}

/**
 * Queues reads of a room's voter parts (each part's tally and user count) and resolves with
 * their sums, each count at least 0. `renewMs` also renews each part's tally expiry (the tick
 * does, as it does a room's own tally's).
 */
export function addPartSums(
  batch: SlotBatch,
  roomId: string,
  shards: number,
  fields: readonly string[],
  renewMs?: number,
): Promise<PartSums> {
  const parts = voterParts(roomId, shards).map((voters) =>
    batch.add(voters.users, (pipeline) => {
      pipeline.hmget(voters.tally, ...fields).hlen(voters.users);
      if (renewMs !== undefined) pipeline.pexpire(voters.tally, renewMs);
    }),
  );
  return handled(
    Promise.all(parts).then((replies) => {
      const counts = fields.map(() => 0);
      let connected = 0;
      for (const [tally, users] of replies) {
        const stored = list(tally).map(optionalText);
        fields.forEach((_, i) => (counts[i]! += Math.max(0, Number(stored[i] ?? 0))));
        connected += Number(users);
      }
      return { connected, counts };
    }),
  );
}
