/**
 * Why a gateway's write was refused (include/gatewayFence.lua): the negative replies -1 and -2 of
 * roomOps and userConnections (pokerPresence maps them into the poker table: PokerReply).
 */
export enum FenceReply {
  /** The reaper reaped the gateway id in this slot. */
  Reaped = -1,
  /** The lease the write carried has lapsed. */
  Lapsed = -2,
}

/**
 * What a gateway writes under: its lease id and the lease's expiry as the registry last granted
 * it (ms of Redis time). Every script a gateway runs on a room or a user carries both, and is
 * refused when the id was reaped there or the expiry has passed (lua/include/gatewayFence.lua).
 */
export interface LeaseGrant {
  readonly id: string;
  readonly validUntil: number;
}

export type FenceReason = 'reaped' | 'lapsed';

/**
 * A gateway's write was refused by its fence: nothing of it landed. The gateway re-asserts its
 * state (under a new id when the old one was reaped or its lease is gone).
 */
export class GatewayFenced extends Error {
  readonly code = 'gateway_fenced';
  constructor(
    readonly reason: FenceReason,
    readonly gatewayId: string,
  ) {
    super(`write under gateway ${gatewayId} refused: ${reason === 'reaped' ? 'reaped' : 'lease lapsed'}`);
    this.name = 'GatewayFenced';
  }
}

/** The fence's reason for a script's reply code, or undefined when the reply is not a refusal. */
export function fenceReason(code: number): FenceReason | undefined {
  if (code === FenceReply.Reaped) return 'reaped';
  if (code === FenceReply.Lapsed) return 'lapsed';
  return undefined;
}

/** How long a reaped gateway's tombstone stays in a vote room's slot once its connections are out. */
export const TOMBSTONE_MS = 3_600_000;
