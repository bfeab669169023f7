export { keys, topics, roomOfChannel, voterShard } from './keys';
export type { VoteRoomKeys, VoterKeys } from './keys';
export { connectRedis, onNodesChanged, whenReady } from './connection';
export type { ConnectionOptions, Redis, Cluster, RedisClient } from './connection';
export { registerScripts, execPipeline, StoreError } from './scripts';
export type { ScriptedRedis, ScriptedPipeline } from './scripts';
export { VoteStore, OPS_PER_CALL, MARKERS_KEPT, voterRules, plainPlan } from './vote-store';
export type { RoomMeta, RoomOp, StoreSettings, VoterPlan, VoterRules, RoundRecord } from './vote-store';
export { TickEngine, ROOMS_PER_TICK_CALL, parseLayout } from './tick-engine';
export type { TickSettings, TickTarget, RoomLayout } from './tick-engine';
export { renewLease, holdForGateway, redisTimeMs, activeRooms, releaseLease, retireLease } from './registry';
export { expiredGateways, reapGateway } from './reaper';
export type { Stores } from './reaper';
export { GatewayFenced, FenceReply, fenceReason, TOMBSTONE_MS } from './gateway-fence';
export type { LeaseGrant, FenceReason } from './gateway-fence';
export { TickResult } from './script-defs';
export type { LeaseMode, PresenceChange } from './script-defs';
export { pokerRoomOfChannel } from './keys';
export type { PokerRoomKeys, UserKeys } from './keys';
export { PokerStore, PokerRefused, PokerReply } from './poker-store';
export type {
  PokerSettings,
  PokerSnapshot,
  PokerSnapshotMember,
  PokerRound,
  PokerRefusal,
  PresenceOp,
  CardsAction,
  ManageAction,
} from './poker-store';
export { decodePokerMessage } from './poker-messages';
export type { PokerChange, PokerMessage, PokerRoomState, StoredEstimate, LeaveReason } from './poker-messages';
export { UserStore } from './user-store';
export type { UserPresence, UserExpiry } from './user-store';
export { RoomChannels } from './room-channels';
export { SlotBatch } from './slot-batch';
export { topologyProblem, misconfiguration, TopologyWatch } from './topology-check';
export { ACTIVITY_BUCKETS, PARTITION_COUNTS, keySlot, roomSlot, roomBucket, partitionBuckets, roomPartition } from './partitions';
export { WebhookStore, pokerClosedOnce } from './webhook-store';
export type { DeliveryLogEntry } from './webhook-store';
export type { ClaimedDelivery, DeliveryResult } from './webhook-scripts';
