export { PartitionLeadership } from './partition-leadership';
export type { LeadershipOptions } from './partition-leadership';
export { PartitionLock } from './partition-lock';
export type { LockLog } from './partition-lock';
