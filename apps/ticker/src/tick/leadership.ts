import type { PartitionLeadership } from '@banterbox/leader';

/** What ticking and the chores ask of this replica's leadership (PartitionLeadership). */
export type Leadership = Pick<PartitionLeadership, 'led' | 'leads' | 'epochOf' | 'stepDown'>;
