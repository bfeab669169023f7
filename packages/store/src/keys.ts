/**
 * The whole Redis key and channel layout of banterbox. No other file builds key names.
 *
 * Every key of one room shares the hash tag `{room:<id>}`, so one script touches one slot and the
 * same code runs on Redis Cluster. Process-wide keys share `{registry}` or `{ticker}`.
 *
 * Vote room `<r>` (seed 000, layout v2 mapped onto hashes):
 *   bb:{room:<r>}:meta       hash  options (JSON list), open ("1"/"0"), tick_ms ("0" = every
 *                                  tick), created_at (ms), fence (newest ticker epoch that
 *                                  ticked the room), last_ts (newest stored tick). Expires after
 *                                  ROOM_TTL_S without ticks.
 *   bb:{room:<r>}:users      hash  user -> live connections on all gateways ("connected"; HLEN is
 *                                  the connected count)
 *   bb:{room:<r>}:votes      hash  user -> "<option>|<ts ms>": the standing vote and its time
 *                                  ($USRN and $USRN_VTime in one field); present users only
 *   bb:{room:<r>}:tally      hash  option -> votes of present users; updated by every change,
 *                                  so a tick reads it in O(options), never O(voters);
 *                                  expires with the meta
 *   bb:{room:<r>}:history    list  tick points as JSON `{"ts","votes","connected"}`, oldest
 *                                  first, capped at HISTORY_LIMIT ("history" and $TSX in one)
 *   bb:{room:<r>}:gw:<g>     hash  user -> live connections that gateway <g> holds, so a dead
 *                                  gateway's share can be taken back out of `users`
 *   bb:{room:<r>}:ch         channel  each tick's snapshot `{"data":[point]}`
 *
 * Registry (gateway leases and the rooms to tick):
 *   bb:{registry}:gateways       zset  gateway id -> lease expiry, ms of Redis time
 *   bb:{registry}:rooms          zset  room -> last time a gateway reported connections, ms
 *   bb:{registry}:gw:<g>:rooms   set   rooms gateway <g> has held connections in
 *
 * Ticker leadership:
 *   bb:{ticker}:leader   string  redlock lock on leadership
 *   bb:{ticker}:epoch    counter incremented by every newly elected leader (the fence)
 *   bb:{ticker}:info     hash    id, epoch and since of the current leader, for operators
 */

const room = (id: string): string => `bb:{room:${id}}`;

export interface VoteRoomKeys {
  meta: string;
  users: string;
  votes: string;
  tally: string;
  history: string;
  channel: string;
}

export const keys = {
  voteRoom(id: string): VoteRoomKeys {
    const prefix = room(id);
    return {
      meta: `${prefix}:meta`,
      users: `${prefix}:users`,
      votes: `${prefix}:votes`,
      tally: `${prefix}:tally`,
      history: `${prefix}:history`,
      channel: `${prefix}:ch`,
    };
  },
  gatewayConns: (roomId: string, gatewayId: string): string => `${room(roomId)}:gw:${gatewayId}`,
  gateways: 'bb:{registry}:gateways',
  activeRooms: 'bb:{registry}:rooms',
  gatewayRooms: (gatewayId: string): string => `bb:{registry}:gw:${gatewayId}:rooms`,
  leaderLock: 'bb:{ticker}:leader',
  leaderEpoch: 'bb:{ticker}:epoch',
  leaderInfo: 'bb:{ticker}:info',
} as const;

/** The room id a snapshot channel belongs to, or undefined for another channel. */
export function roomOfChannel(channel: string): string | undefined {
  const match = /^bb:\{room:([A-Za-z0-9_-]{1,64})\}:ch$/.exec(channel);
  return match?.[1];
}
