import calculateSlot from 'cluster-key-slot';
import { Cluster } from 'ioredis';
import { execPipeline, scriptedPipeline, type ScriptedPipeline, type ScriptedRedis } from './scripts';

interface Entry {
  start: number;
  count: number;
  resolve: (results: unknown[]) => void;
  reject: (error: unknown) => void;
}

interface Group {
  pipeline: ScriptedPipeline;
  entries: Entry[];
}

/**
 * Marks `promise` as handled and returns it: a batch's failure is reported by exec() to its own
 * caller, so a result nobody awaits must not end the process as an unhandled rejection.
 */
export function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/** `items` grouped by `keyOf`, each group in the order of `items`. */
export function groupBy<K, T>(items: Iterable<T>, keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

/**
 * Commands for many slots sent with as few round trips as the topology allows. On one node (or a
 * Sentinel primary) everything goes into one pipeline, as before Cluster support. On a Cluster a
 * pipeline may only hold commands for slots served by the same nodes, so there is one pipeline per
 * such group, run in parallel. Whatever is queued for one slot stays in order, in one pipeline:
 * a room's ops are applied in the order they were queued.
 */
export class SlotBatch {
  private readonly groups = new Map<string, Group>();

  constructor(private readonly redis: ScriptedRedis) {}

  /** Commands queued so far. */
  get size(): number {
    let size = 0;
    for (const group of this.groups.values()) size += group.pipeline.length;
    return size;
  }

  /**
   * Queues with `queue` the commands of the slot of `key` (every key they touch must share it)
   * and resolves, once `exec` ran, with their replies as `read` makes of them. If the batch
   * fails, the promise rejects too, but counts as handled: exec() reports the failure to its own
   * caller, so one that only awaits exec() leaves no unhandled rejection behind.
   */
  add(key: string, queue: (pipeline: ScriptedPipeline) => void): Promise<unknown[]>;
  add<T>(key: string, queue: (pipeline: ScriptedPipeline) => void, read: (replies: unknown[]) => T): Promise<T>;
  add<T>(key: string, queue: (pipeline: ScriptedPipeline) => void, read?: (replies: unknown[]) => T): Promise<T | unknown[]> {
    const group = this.group(key);
    const start = group.pipeline.length;
    queue(group.pipeline);
    const replies = new Promise<unknown[]>((resolve, reject) => {
      group.entries.push({ start, count: group.pipeline.length - start, resolve, reject });
    });
    return handled(read ? replies.then(read) : replies);
  }

  /** Sends every pipeline; each `add` then settles. Rejects with the first group that failed. */
  async exec(): Promise<void> {
    const runs = [...this.groups.values()].map(async (group) => {
      try {
        const results = await execPipeline(group.pipeline);
        for (const entry of group.entries) entry.resolve(results.slice(entry.start, entry.start + entry.count));
      } catch (error) {
        for (const entry of group.entries) entry.reject(error);
        throw error;
      }
    });
    this.groups.clear();
    const settled = await Promise.allSettled(runs);
    const failed = settled.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private group(key: string): Group {
    const id = this.groupOf(key);
    let group = this.groups.get(id);
    if (!group) {
      group = { pipeline: scriptedPipeline(this.redis), entries: [] };
      this.groups.set(id, group);
    }
    return group;
  }

  /**
   * Which keys one script call may take together: any on a single node (or a Sentinel primary),
   * only those of one slot on a Cluster. Keys with the same answer may share a call.
   */
  callGroup(key: string): number {
    return this.redis instanceof Cluster ? calculateSlot(key) : 0;
  }

  /** Which pipeline a key's commands go into: one for a single node; per serving nodes on a Cluster. */
  private groupOf(key: string): string {
    if (!(this.redis instanceof Cluster)) return '';
    const slot = calculateSlot(key);
    return this.redis.slots[slot]?.join(',') ?? `slot:${slot}`;
  }
}
