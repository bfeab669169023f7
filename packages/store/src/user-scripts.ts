import { fenceReason, type FenceReason } from './gateway-fence';
import { keys, type UserKeys } from './keys';
import { OP_LETTER, type PresenceChange, type ReaperChange } from './script-ops';
import { codes, integer, list, oneOf, text, texts } from './script-replies';
import { ReplyError, defineScript } from './scripts';

/** The poker users' scripts (../lua/user*-3.lua, unscheduleUser-1). */

const userKeys = (user: UserKeys): string[] => [user.profile, user.gateways, user.rooms];

export interface UserConnectionsArgs {
  userId: string;
  gatewayId: string;
  /** drop: the reaper drops a dead gateway's connections and leaves its tombstone. */
  op: PresenceChange | ReaperChange;
  count: number;
  /** The gateway's lease expiry as last granted (unused by drop). */
  validUntil: number;
  userTtlMs: number;
  backstopMs: number;
}

/** A user's connections after a change, or the fence's refusal. */
export type UserConnectionsReply =
  { connections: number; expiresAt: number; name: string | null; nameVersion: string } | { fenced: FenceReason };

export const userConnections = defineScript(
  'userConnections-3',
  (a: UserConnectionsArgs) => ({
    keys: userKeys(keys.user(a.userId)),
    argv: [a.gatewayId, OP_LETTER[a.op], a.count, a.userTtlMs, a.backstopMs, a.validUntil],
  }),
  (reply): UserConnectionsReply => {
    const [first, expiresAt, name, nameVersion] = list(reply, 1);
    if (expiresAt === undefined) {
      const reason = fenceReason(integer(first));
      if (!reason) throw new ReplyError(`unknown code ${String(first)}`);
      return { fenced: reason };
    }
    const connections = integer(first);
    if (connections < 0) throw new ReplyError('negative connections');
    const stored = text(name);
    return { connections, expiresAt: integer(expiresAt), name: stored === '' ? null : stored, nameVersion: text(nameVersion) };
  },
);

export const userName = defineScript(
  'userName-3',
  (a: { userId: string; name: string }) => ({
    keys: userKeys(keys.user(a.userId)),
    argv: [a.name],
  }),
  (reply) => {
    const [version, ...rooms] = texts(list(reply, 1));
    return { version: version!, rooms };
  },
);

/** The first element of userExpire-3's reply. */
enum UserExpireCode {
  Expired = 0,
  Connected = 1,
  Later = 2,
}

/** What the expiry check found for one user. */
export type UserExpiry = { state: 'connected' } | { state: 'later'; expiresAt: number } | { state: 'expired'; rooms: string[] };

export const userExpire = defineScript(
  'userExpire-3',
  (a: { userId: string }) => ({
    keys: userKeys(keys.user(a.userId)),
    argv: [],
  }),
  (reply): UserExpiry => {
    const [state, ...rest] = list(reply, 1);
    switch (oneOf(state, codes<UserExpireCode>(UserExpireCode))) {
      case UserExpireCode.Connected:
        return { state: 'connected' };
      case UserExpireCode.Later:
        return { state: 'later', expiresAt: integer(rest[0]) };
      case UserExpireCode.Expired:
        return { state: 'expired', rooms: texts(rest) };
    }
  },
);

export const unscheduleUser = defineScript(
  'unscheduleUser-1',
  (a: { userId: string; score: string }) => ({
    keys: [keys.expiringUsers],
    argv: [a.userId, a.score],
  }),
  (reply) => oneOf(reply, [0, 1]) === 1,
);
