import type { RedisClient } from './connection';

/**
 * Room channels use sharded pub/sub everywhere: the scripts SPUBLISH on the room's channel (which
 * shares the room's hash tag) and gateways SSUBSCRIBE. On Redis Cluster a snapshot then crosses
 * only its own shard, and ioredis moves each subscription with its slot; a single node or a
 * Sentinel primary (Redis 7) serves the same commands, so one code path runs on every topology.
 */
export class RoomChannels {
  constructor(private readonly subscriber: RedisClient) {}

  async subscribe(channel: string): Promise<void> {
    await this.subscriber.ssubscribe(channel);
  }

  async unsubscribe(channel: string): Promise<void> {
    await this.subscriber.sunsubscribe(channel);
  }

  /** Calls `handler` for every message on every subscribed room channel. */
  onMessage(handler: (channel: string, message: string) => void): void {
    this.subscriber.on('smessage', handler);
  }
}
