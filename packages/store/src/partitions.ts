import calculateSlot from 'cluster-key-slot';
import { keys } from './keys';

/**
 * Rooms are grouped for ticking by their Redis Cluster hash slot: 16 activity buckets of 1024
 * slots each (fixed, so gateways need no setting), and TICK_PARTITIONS partitions of whole
 * buckets. A partition is a range of slots, so on a Cluster one partition's rooms live on few
 * shards.
 */
export const ACTIVITY_BUCKETS = 16;
const SLOTS = 16384;

/** The partition counts that split the buckets evenly. */
export const PARTITION_COUNTS = [1, 2, 4, 8, 16] as const;

/** The Redis Cluster hash slot of any key (its {hash tag}'s). */
export function keySlot(key: string): number {
  return calculateSlot(key);
}

/** The Redis Cluster hash slot of a vote room's keys and channel. */
export function roomSlot(roomId: string): number {
  return calculateSlot(keys.voteRoom(roomId).meta);
}

/** The activity bucket of a vote room (its slot / 1024). */
export function roomBucket(roomId: string): number {
  return Math.floor((roomSlot(roomId) * ACTIVITY_BUCKETS) / SLOTS);
}

/** The buckets that make up `partition` of `partitions`. */
export function partitionBuckets(partition: number, partitions: number): number[] {
  const per = ACTIVITY_BUCKETS / partitions;
  return Array.from({ length: per }, (_, i) => partition * per + i);
}

/** The partition a room is ticked in. */
export function roomPartition(roomId: string, partitions: number): number {
  return Math.floor((roomBucket(roomId) * partitions) / ACTIVITY_BUCKETS);
}
