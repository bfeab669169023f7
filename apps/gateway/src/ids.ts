import { nanoid } from 'nanoid';

/** A gateway's lease id: GATEWAY_ID plus a random suffix, new after every lost lease. */
export function newGatewayId(base: string): string {
  return `${base}-${nanoid(8)}`;
}
