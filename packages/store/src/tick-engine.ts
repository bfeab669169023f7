import { isStringList } from '@banterbox/protocol';
import { keys, type VoteRoomKeys } from './keys';
import { TickResult, expireVotes, tickRooms, upgradeRooms, type TickedRoom } from './script-defs';
import { StoreError, type ScriptedRedis } from './scripts';
import { SlotBatch, groupBy, handled } from './slot-batch';
import { addPartSums, countFields, shardCount, voterParts } from './voter-parts';

/** Rooms per tick script call: bounds the time one call holds Redis (a few µs per room). */
export const ROOMS_PER_TICK_CALL = 100;

/** Votes one expiry call takes out at most (the rest wait for the next tick). */
export const EXPIRIES_PER_CALL = 2_000;

/** A room the engine has stopped seeing for this long is forgotten (its keys and layout). */
const FORGET_AFTER_MS = 60_000;

/** Each room's expiry is renewed (and its count of present users checked) once per this share of it. */
const RENEW_EVERY = 1 / 8;

export interface TickSettings {
  historyLimit: number;
  roomTtlMs: number;
}

/** A room's layout as stored in its tally (the end of `#tick`, lua/include/tallyFields.lua), parsed. */
export interface RoomLayout {
  /** The stored text, verbatim: the tick script checks the caller's copy against it. */
  text: string;
  /** The room's own tick interval, ms; 0 for every tick. */
  every: number;
  shards: number;
  options: string[];
  /** The room's segments, [] for none. */
  segments: string[];
  /** The room's vote expiry, ms; 0 for none (votes stand while their voter is present). */
  voteTtlMs: number;
  /** The tally fields of its counts, in the tick's order (countFields). */
  fields: string[];
}

/** `<tick_ms>|<shards>|[<kept>|][t<vote ttl ms>|][<segments JSON>|]<options JSON>` as a RoomLayout. */
export function parseLayout(text: string): RoomLayout {
  const match = /^(\d+)\|(\d+)\|(?:\d+\|)?(?:t(\d+)\|)?(?:(\[[^\]]*\])\|)?(\[.*)$/.exec(text);
  if (!match) throw new StoreError(`unreadable room layout ${text}`);
  const [, every, shards, voteTtl, listed, json] = match;
  const options: unknown = JSON.parse(json!);
  const segments: unknown = listed === undefined ? [] : JSON.parse(listed);
  if (!isStringList(options) || !isStringList(segments)) throw new StoreError(`unreadable room layout ${text}`);
  return {
    text,
    every: Number(every),
    shards: shardCount(shards),
    options,
    segments,
    voteTtlMs: Number(voteTtl ?? 0),
    fields: countFields(options, segments),
  };
}

/** One room of a tick: its keys, the layout the caller knows, and its parts' sums if sharded. */
export interface TickTarget {
  roomId: string;
  layout?: RoomLayout;
  /** Connected users and counts summed over the room's voter parts, for `layout`. */
  sums?: { connected: number; counts: readonly number[] };
}

interface Known {
  keys: VoteRoomKeys;
  layout?: RoomLayout;
  seen: number;
  /** When this engine last renewed the room's expiry, or a time that spreads first renewals out. */
  renewedAt: number;
}

/**
 * The ticker's side of vote rooms: stores and publishes one point per room and tick through the
 * fenced tickRooms script. It remembers each room's keys and layout (learnt from the script's
 * replies) and the tick it stored before, so a steady tick is one script call per
 * ROOMS_PER_TICK_CALL rooms, each room on the script's steady path; a sharded room's parts are
 * summed in one batch before. Each room's expiry is renewed once per eighth of it, in calls of
 * their own. Used only by the ticker.
 */
export class TickEngine {
  private readonly rooms = new Map<string, Known>();
  private forgotUpTo = 0;
  /** Standing votes taken out of the count since this engine started, as not re-sent within their room's vote_ttl_s. */
  votesExpired = 0;
  /** The newest tick asked for, and the one before it (what a steady room has stored). */
  private latestTs = 0;
  private previousTs = 0;

  constructor(
    readonly redis: ScriptedRedis,
    private readonly settings: TickSettings,
  ) {}

  /**
   * Ticks `roomIds` at `ts` with leadership `epoch`; resolves with what happened to each, in
   * order. A room whose tick says its layout is new to the engine has it learnt; a sharded one is
   * then summed and ticked again; one with no tick state is upgraded (a room from before the
   * state moved into the tally) and ticked again.
   */
  async tick(roomIds: readonly string[], epoch: number, ts: number): Promise<TickResult[]> {
    const results = new Array<TickResult>(roomIds.length).fill(TickResult.NoRoom);
    let pending: number[] = [];
    roomIds.forEach((roomId, index) => {
      const every = this.known(roomId, ts).layout?.every ?? 0;
      if (every > 0 && ts % every !== 0) results[index] = TickResult.Unchanged;
      else pending.push(index);
    });
    for (let pass = 0; pass < 3 && pending.length > 0; pass += 1) {
      const codes = await this.tickOnce(
        pending.map((index) => roomIds[index]!),
        epoch,
        ts,
      );
      const learn: string[] = [];
      const again: number[] = [];
      const upgrade: number[] = [];
      pending.forEach((index, i) => {
        const code = codes[i]!;
        results[index] = code === TickResult.StoredNewLayout ? TickResult.Stored : code;
        if (code === TickResult.StoredNewLayout || code === TickResult.Sharded) learn.push(roomIds[index]!);
        if (code === TickResult.Sharded) again.push(index);
        if (code === TickResult.NoRoom && pass === 0) upgrade.push(index);
      });
      const upgraded = await this.upgrade(upgrade.map((index) => roomIds[index]!));
      await this.learn(learn);
      pending = [...again, ...upgrade.filter((_, i) => upgraded[i])];
    }
    this.forgetIdle(ts);
    return results;
  }

  /** One pass: the parts' sums of the known sharded rooms, then one batch of tick calls. */
  private async tickOnce(roomIds: readonly string[], epoch: number, ts: number): Promise<TickResult[]> {
    const reads = new SlotBatch(this.redis);
    const targets = roomIds.map((roomId): TickTarget | Promise<TickTarget> => {
      const layout = this.known(roomId, ts).layout;
      if (layout && layout.voteTtlMs > 0) this.addExpiries(reads, roomId, layout.shards);
      if (!layout || layout.shards === 1) return { roomId, layout };
      return addPartSums(reads, roomId, layout.shards, layout.fields, this.settings.roomTtlMs).then((sums) => ({ roomId, layout, sums }));
    });
    if (reads.size > 0) await reads.exec();
    const batch = new SlotBatch(this.redis);
    const ticked = this.addTicks(batch, await Promise.all(targets), epoch, ts);
    await batch.exec();
    return ticked;
  }

  /**
   * Queues the expiry of a room's votes not re-sent within its vote_ttl_s, on each of its voter
   * parts, ahead of the reads and ticks of the same pass (SPEC §9): a call per part and tick, its
   * work proportional to the votes expiring.
   */
  private addExpiries(batch: SlotBatch, roomId: string, shards: number): void {
    for (const voters of voterParts(roomId, shards)) {
      void batch
        .add(
          voters.users,
          (pipeline) => expireVotes.queue(pipeline, { voters, count: EXPIRIES_PER_CALL }),
          ([reply]) => expireVotes.decode(reply),
        )
        .then(
          (expired) => (this.votesExpired += expired),
          () => undefined, // the batch's failure is the tick's: exec() reports it
        );
    }
  }

  /**
   * Queues a tick of each room on `batch`, as few tickRooms calls as the topology allows: on one
   * node ROOMS_PER_TICK_CALL rooms a call, on a Cluster one call per slot (and chunk); rooms due
   * for an expiry renewal go in calls of their own. Resolves with the script's code for each
   * room, in the order of `targets`.
   */
  addTicks(batch: SlotBatch, targets: readonly TickTarget[], epoch: number, ts: number): Promise<TickResult[]> {
    const results = new Array<TickResult>(targets.length).fill(TickResult.NoRoom);
    const calls: Promise<void>[] = [];
    const known = targets.map(({ roomId }) => this.known(roomId, ts));
    const renewAfter = ts - this.settings.roomTtlMs * RENEW_EVERY;
    const due = known.map(({ renewedAt }) => renewedAt <= renewAfter);
    const previousTs = this.previousOf(ts);
    const byCall = groupBy(targets.keys(), (index) => `${batch.callGroup(known[index]!.keys.tally)}:${due[index]}`);
    for (const indexes of byCall.values()) {
      const renew = due[indexes[0]!]!;
      for (let start = 0; start < indexes.length; start += ROOMS_PER_TICK_CALL) {
        const chunk = indexes.slice(start, start + ROOMS_PER_TICK_CALL);
        const rooms = chunk.map((index): TickedRoom => {
          const { layout, sums } = targets[index]!;
          return { room: known[index]!.keys, layout: layout?.text ?? '', sums };
        });
        const args = { rooms, epoch, ts, previousTs, renew, historyLimit: this.settings.historyLimit, roomTtlMs: this.settings.roomTtlMs };
        calls.push(
          batch.add(
            rooms[0]!.room.tally,
            (pipeline) => tickRooms.queue(pipeline, args),
            ([reply]) => {
              const codes = tickRooms.decode(reply);
              if (codes.length !== chunk.length) throw new StoreError(`tickRooms replied ${codes.length} codes for ${chunk.length} rooms`);
              chunk.forEach((index, i) => {
                results[index] = codes[i]!;
                if (renew && codes[i]! > 0) known[index]!.renewedAt = ts;
              });
            },
          ),
        );
      }
    }
    return handled(Promise.all(calls).then(() => results));
  }

  /**
   * The tick before `ts` this engine was asked for: rooms it stored then are steady now. 0 (no
   * room is) for a tick older than the newest one asked for.
   */
  private previousOf(ts: number): number {
    if (ts > this.latestTs) {
      this.previousTs = this.latestTs;
      this.latestTs = ts;
    }
    return ts === this.latestTs ? this.previousTs : 0;
  }

  /** Reads the layout of rooms from their tally; a room without one is forgotten. */
  private async learn(roomIds: readonly string[]): Promise<void> {
    if (roomIds.length === 0) return;
    const batch = new SlotBatch(this.redis);
    const read = roomIds.map((roomId) => {
      const { tally } = keys.voteRoom(roomId);
      return batch.add(
        tally,
        (pipeline) => pipeline.hget(tally, '#tick'),
        ([state]) => {
          // "<last>:<fence>:<layout>"
          const layout = typeof state === 'string' ? /^\d+:\d+:(.+)$/.exec(state)?.[1] : undefined;
          return layout === undefined ? undefined : parseLayout(layout);
        },
      );
    });
    await batch.exec();
    for (const [i, roomId] of roomIds.entries()) {
      const layout = await read[i]!;
      const known = this.rooms.get(roomId);
      if (layout && known) known.layout = layout;
      else this.rooms.delete(roomId);
    }
  }

  /**
   * Moves the tick state of rooms created before it lived in the tally into it; resolves with
   * whether each room has it now (false: the room has no meta, and is forgotten).
   */
  private async upgrade(roomIds: readonly string[]): Promise<boolean[]> {
    if (roomIds.length === 0) return [];
    const batch = new SlotBatch(this.redis);
    const done = roomIds.map((roomId) => {
      const room = keys.voteRoom(roomId);
      return batch.add(
        room.meta,
        (pipeline) => upgradeRooms.queue(pipeline, { rooms: [room] }),
        ([reply]) => upgradeRooms.decode(reply)[0] === true,
      );
    });
    await batch.exec();
    const upgraded = await Promise.all(done);
    roomIds.forEach((roomId, i) => {
      if (!upgraded[i]) this.rooms.delete(roomId);
    });
    return upgraded;
  }

  private known(roomId: string, ts: number): Known {
    let known = this.rooms.get(roomId);
    if (!known) {
      // Its first renewal falls anywhere in the next eighth of the expiry, so that a new leader
      // does not renew every room at its first tick; a new history list is given the expiry
      // when it is created.
      const renewedAt = ts - Math.random() * this.settings.roomTtlMs * RENEW_EVERY;
      known = { keys: keys.voteRoom(roomId), seen: ts, renewedAt };
      this.rooms.set(roomId, known);
    }
    known.seen = Math.max(known.seen, ts);
    return known;
  }

  /** Forgets the rooms not ticked for FORGET_AFTER_MS (checked once per FORGET_AFTER_MS). */
  private forgetIdle(ts: number): void {
    if (ts - this.forgotUpTo < FORGET_AFTER_MS) return;
    for (const [roomId, known] of this.rooms) if (known.seen < ts - FORGET_AFTER_MS) this.rooms.delete(roomId);
    this.forgotUpTo = ts;
  }
}
