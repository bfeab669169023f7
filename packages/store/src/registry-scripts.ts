import { keys } from './keys';
import { ACTIVITY_BUCKETS, roomBucket } from './partitions';
import { integer } from './script-replies';
import { ReplyError, defineScript } from './scripts';

/** The registry's scripts: gateway leases and what they hold (../lua/holdForGateway-2, renewLease-n). */

/** A lease expiry (ms of Redis time), or undefined when the lease was gone or expired (reply 0). */
function leaseExpiry(reply: unknown): number | undefined {
  const expiry = integer(reply);
  if (expiry < 0) throw new ReplyError(`unknown code ${expiry}`);
  return expiry > 0 ? expiry : undefined;
}

export const holdForGateway = defineScript(
  'holdForGateway-2',
  (a: { gatewayId: string; held: string; members: readonly string[] }) => ({
    keys: [keys.gateways, a.held],
    argv: [a.gatewayId, ...a.members],
  }),
  leaseExpiry,
);

export type LeaseMode = 'register' | 'renew';

export interface RenewLeaseArgs {
  gatewayId: string;
  ttlMs: number;
  mode: LeaseMode;
  /** Rooms to mark active (ticked) and registered to the gateway (reaped with it). */
  rooms: readonly string[];
}

export const renewLease = defineScript(
  'renewLease-n',
  (a: RenewLeaseArgs) => ({
    // Every activity bucket's key, in bucket order: the script finds bucket b at KEYS[2 + b + 1].
    keys: [
      keys.gateways,
      keys.gatewayRooms(a.gatewayId),
      ...Array.from({ length: ACTIVITY_BUCKETS }, (_, bucket) => keys.activeRooms(bucket)),
    ],
    argv: [a.gatewayId, a.ttlMs, a.mode, ...a.rooms.flatMap((room) => [roomBucket(room), room])],
  }),
  leaseExpiry,
);
