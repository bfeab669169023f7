import calculateSlot from 'cluster-key-slot';

/**
 * The whole Redis key and channel layout of banterbox. No other file builds key names.
 *
 * Every key of one room shares the hash tag `{room:<id>}`, so one script touches one slot and the
 * same code runs on Redis Cluster. Process-wide keys share `{registry}` or `{ticker}`.
 *
 * Vote room `<r>` (seed 000, layout v2 mapped onto hashes):
 *   bb:{room:<r>}:meta       hash  options (JSON list), open ("1"/"0"), tick_ms ("0" = every
 *                                  tick), created_at (ms), shards; while voting is closed
 *                                  closed (ms) and closed_last (lua/roomVoting-2); segments (JSON
 *                                  list), ask (the question that lets voters choose one), question,
 *                                  vote_ttl (ms), round (number, absent for 0) and rounds (JSON list
 *                                  of the earlier ones: lua/roomRound-6). Expires after ROOM_TTL_S
 *                                  without ticks.
 *   bb:{room:<r>}:users      hash  user -> live connections on all gateways ("connected"; HLEN is
 *                                  the connected count)
 *   bb:{room:<r>}:votes      hash  user -> "<option>|<ts ms>[|<segment>|<round>]": the standing
 *                                  vote and its time ($USRN and $USRN_VTime in one field), with
 *                                  the user's segment and the round it was cast in when the room
 *                                  has either (include/voters.lua); present users only
 *   bb:{room:<r>}:tally      hash  option -> votes of present users, "<option>/<segment>" -> those
 *                                  of one segment, #conn -> present users, #round -> the round;
 *                                  updated by every change, so a tick reads it in O(options),
 *                                  never O(voters). It also holds the room's tick state, read in
 *                                  the same HMGET: #tick ("<last>:<fence>:<layout>": newest
 *                                  stored tick, newest ticker epoch that ticked the room, and
 *                                  "<tick_ms>|<shards>|<options JSON>"); no option starts with
 *                                  "#" (lua/include/tallyFields.lua). Expires with the meta
 *   bb:{room:<r>}:history    list  tick points as JSON `{"ts","votes","connected"}`, oldest
 *                                  first, capped at HISTORY_LIMIT or the room's own history_limit
 *                                  ("history" and $TSX in one)
 *   bb:{room:<r>}:markers    list  timeline markers as JSON `{"ts","label","auto"}`, oldest
 *                                  first (lua/addMarker-3); expire with the room
 *   bb:{room:<r>}:swing      string  "1" for a room's swing window after an automatic marker
 *   bb:{room:<r>}:segs       hash  user -> segment (SPEC §9), from the token's `seg` claim or the
 *                                  user's own choice (the first one holds); rooms with segments
 *   bb:{room:<r>}:expiring   zset  user -> when their standing vote stops counting, ms of Redis
 *                                  time; rooms with vote_ttl_s (lua/expireVotes-4)
 *   bb:{room:<r>}:round:<n>:history, :round:<n>:markers   list  round n's series and markers,
 *                                  kept for ROOM_TTL_S after a reset started round n + 1
 *                                  (lua/roomRound-6); meta `rounds` lists them
 *   bb:{room:<r>}:gw:<g>     hash  user -> live connections that gateway <g> holds, so a dead
 *                                  gateway's share can be taken back out of `users`
 *   bb:{room:<r>}:ch         channel  each tick's point `{"ts":…}` (the text stored in history), and
 *                                  `{"state":…}` and `{"marker":…}` as they happen
 *   A room created with voter_shards = n > 1 (meta field `shards`) keeps its voters in n parts
 *   instead of its own users, votes, tally and gw:<g>: part k of n holds the users whose
 *   voterShard(user, n) is k, under its own hash tag, so on a Cluster the parts (and the room's
 *   vote writes) spread over the shards:
 *   bb:{room:<r>:v<k>of<n>.<j>}:users, :votes, :tally, :segs, :expiring, :gw:<g>   (same layout as above; j is the
 *                                  first suffix that puts part k in slot range k of n: voterTag)
 *   The tick sums the parts' tallies and user counts, then stores and publishes on the room's own
 *   slot as for any room.
 *
 * Poker room `<p>` (seed 004; its own tag, so a poker and a vote room may share an id):
 *   bb:{poker:<p>}:room       hash  owner, topic, revealed ("1"/"0"), deck (JSON list), auto
 *                                   ("1" reveal once every estimator estimated), created_at,
 *                                   seq (number of the last message published on the channel)
 *   bb:{poker:<p>}:members    hash  user -> "1" spectator / "0" estimator; present users only
 *   bb:{poker:<p>}:conns      hash  "<user>|<gateway>" -> live connections to the room
 *   bb:{poker:<p>}:estimates  hash  user -> JSON {value, comment}
 *   bb:{poker:<p>}:names      hash  user -> "<version>|<name>", newest version wins
 *   bb:{poker:<p>}:rounds     list  JSON rounds recorded by each clear after a reveal
 *   bb:{poker:<p>}:ch         channel  `{"seq":n,"ev":[change, ...]}` for every state change
 *   All expire after ROOM_TTL_S without a change; the room closes earlier when its owner expires.
 *
 * Poker user `<u>` (the session cookie's user id):
 *   bb:{user:<u>}:profile     hash  name, name_v (its version, Redis time in µs), expires_at
 *                                   (ms; set while the user has no connection)
 *   bb:{user:<u>}:gateways    hash  gateway -> live /connect connections of the user there
 *   bb:{user:<u>}:rooms       set   poker rooms the user joined or created
 *   All expire an hour after expires_at, as a backstop to the ticker's expiry.
 *
 * Registry (gateway leases, the rooms to tick, users to expire):
 *   bb:{registry}:gateways       zset  gateway id -> lease expiry, ms of Redis time
 *   bb:{registry}:rooms:<b>      zset  room -> last time a gateway reported connections, ms; one
 *                                      per activity bucket b = 0..15 (the room's hash slot / 1024),
 *                                      so a tick partition reads only its own rooms
 *   bb:{registry}:gw:<g>:rooms   set   rooms gateway <g> has held connections in
 *   bb:{registry}:gw:<g>:poker   set   poker rooms gateway <g> has held connections in
 *   bb:{registry}:gw:<g>:users   set   users gateway <g> has held /connect connections for
 *   bb:{registry}:expiring       zset  user -> when to check whether they expired, ms
 *
 * Ticker leadership, per tick partition p (TICK_PARTITIONS of them, each a range of buckets):
 *   bb:{ticker}:leader:<p>  string  redlock lock on partition p
 *   bb:{ticker}:epoch       counter incremented by every newly elected partition leader: one
 *                                   counter for all partitions, so a room that changes partition
 *                                   (TICK_PARTITIONS changed) still fences every older leader
 *   bb:{ticker}:info        hash    p -> "<replica id>|<epoch>|<since ms>", for operators
 *   bb:{ticker}:replicas    zset    replica id -> heartbeat expiry, ms of Redis time (the count
 *                                   of live replicas spreads the partitions)
 *
 * Webhooks (SPEC §8; written only when WEBHOOK_URLS is set):
 *   bb:{webhooks}:events     stream  events, oldest first: type, body (JSON); about 100,000 kept
 *   bb:{webhooks}:once:<k>   string  an event emitted under dedupe key k (many gateways, one event)
 *   bb:{webhooks}:cursor     string  the last event turned into deliveries
 *   bb:{webhooks}:due        zset    "<event id> <url>" -> when the delivery is due (or its claim
 *                                    ends), ms
 *   bb:{webhooks}:attempts   hash    "<event id> <url>" -> failed attempts so far
 *   bb:{webhooks}:log        stream  one entry per delivery attempt; about 10,000 kept
 *
 * Slots (Redis Cluster hashes only what is between the braces):
 *   {room:<r>}, {poker:<p>}  one slot per room: every script of a room, its history and its channel
 *                            (SPUBLISH/SSUBSCRIBE) stay on the shard that owns the room, and rooms
 *                            spread over the shards. All per-vote traffic is here.
 *   {user:<u>}               one slot per poker user: the user scripts touch only these keys.
 *   {registry}               one slot for all gateway leases, active rooms and expiries: it is
 *                            written once per lease renewal (every GATEWAY_LEASE_MS / 3 per
 *                            gateway), per batch that holds a room new to a gateway, and per poker
 *                            join or /connect; it grows with gateways and rooms, never with votes.
 *   {ticker}                 one slot for leadership; written by the replicas' lock loops only.
 *   {webhooks}               one slot for the webhook events and deliveries.
 * uWS topics (inside each gateway, not in Redis; built by `topics` below and nowhere else): three
 * namespaces split by "/", which no room id can hold, so no room id reaches another namespace:
 *   vote/<r>          a vote room's sockets: each tick's snapshot, one publish per gateway
 *   poker/room/<p>    a poker room's sockets: its events, rendered once per message
 *   poker/heartbeat   every /connect socket: the heartbeat
 * No command or script spans two slots: commands for many rooms go through SlotBatch (one pipeline
 * per node), and a change that touches two slots (a poker join: registry, user, room) is sent as
 * separate commands in the order the reaper needs.
 */

const room = (id: string): string => `bb:{room:${id}}`;

/** The keys that hold a vote room's voters: the room's own, or one voter part of a sharded room. */
export interface VoterKeys {
  users: string;
  votes: string;
  tally: string;
  /** user -> segment, as claimed or chosen (lua/include/voters.lua) */
  segments: string;
  /** user -> when their vote expires, ms (rooms with vote_ttl_s) */
  expiring: string;
}

const SLOTS = 16384;
const voterTags = new Map<string, string>();

/**
 * The hash tag of voter part `shard` of `shards` of a room: `room:<id>:v<shard>of<shards>.<j>` with the
 * smallest j whose slot lies in the shard-th of `shards` equal slot ranges, so the parts of a room
 * spread over the slot space as evenly as a Cluster's masters usually split it. (Room ids have no
 * ':' or '.', so no tag of a part is a room's own.)
 */
function voterTag(id: string, shard: number, shards: number): string {
  const cacheKey = `${id}|${shard}|${shards}`;
  let tag = voterTags.get(cacheKey);
  if (tag === undefined) {
    for (let j = 0; tag === undefined; j += 1) {
      const candidate = `room:${id}:v${shard}of${shards}.${j}`;
      if (Math.floor((calculateSlot(candidate) * shards) / SLOTS) === shard) tag = candidate;
    }
    if (voterTags.size >= 100_000) voterTags.clear();
    voterTags.set(cacheKey, tag);
  }
  return tag;
}

/** Which of `shards` voter parts holds `userId` (FNV-1a of the id): the same on every process. */
export function voterShard(userId: string, shards: number): number {
  if (shards <= 1) return 0;
  let hash = 0x811c9dc5;
  for (let i = 0; i < userId.length; i += 1) {
    hash ^= userId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}

export interface VoteRoomKeys {
  meta: string;
  users: string;
  votes: string;
  tally: string;
  history: string;
  markers: string;
  /** Set for a while after an automatic (swing) marker (lua/addMarker-3). */
  swingQuiet: string;
  channel: string;
}

/** An earlier round's series and markers, kept after a reset (lua/roomRound-6). */
export interface RoundKeys {
  history: string;
  markers: string;
}

export interface PokerRoomKeys {
  room: string;
  members: string;
  conns: string;
  estimates: string;
  names: string;
  rounds: string;
  channel: string;
}

export interface UserKeys {
  profile: string;
  gateways: string;
  rooms: string;
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
      markers: `${prefix}:markers`,
      swingQuiet: `${prefix}:swing`,
      channel: `${prefix}:ch`,
    };
  },
  /** Round `n` of a vote room, kept after a reset started round n + 1 (round 0 is the first). */
  voteRound(id: string, n: number): RoundKeys {
    const prefix = `${room(id)}:round:${n}`;
    return { history: `${prefix}:history`, markers: `${prefix}:markers` };
  },
  pokerRoom(id: string): PokerRoomKeys {
    const prefix = `bb:{poker:${id}}`;
    return {
      room: `${prefix}:room`,
      members: `${prefix}:members`,
      conns: `${prefix}:conns`,
      estimates: `${prefix}:estimates`,
      names: `${prefix}:names`,
      rounds: `${prefix}:rounds`,
      channel: `${prefix}:ch`,
    };
  },
  user(id: string): UserKeys {
    const prefix = `bb:{user:${id}}`;
    return { profile: `${prefix}:profile`, gateways: `${prefix}:gateways`, rooms: `${prefix}:rooms` };
  },
  /** Voter part `shard` of a room with `shards` parts; the room's own keys when it has one. */
  voterKeys(id: string, shard: number, shards: number): VoterKeys {
    const prefix = shards > 1 ? `bb:{${voterTag(id, shard, shards)}}` : room(id);
    return {
      users: `${prefix}:users`,
      votes: `${prefix}:votes`,
      tally: `${prefix}:tally`,
      segments: `${prefix}:segs`,
      expiring: `${prefix}:expiring`,
    };
  },
  /** A gateway's share of the connections in a room's voter part (see voterKeys). */
  gatewayConns: (roomId: string, gatewayId: string, shard = 0, shards = 1): string =>
    `${shards > 1 ? `bb:{${voterTag(roomId, shard, shards)}}` : room(roomId)}:gw:${gatewayId}`,
  gateways: 'bb:{registry}:gateways',
  activeRooms: (bucket: number): string => `bb:{registry}:rooms:${bucket}`,
  gatewayRooms: (gatewayId: string): string => `bb:{registry}:gw:${gatewayId}:rooms`,
  gatewayPokerRooms: (gatewayId: string): string => `bb:{registry}:gw:${gatewayId}:poker`,
  gatewayUsers: (gatewayId: string): string => `bb:{registry}:gw:${gatewayId}:users`,
  expiringUsers: 'bb:{registry}:expiring',
  partitionLock: (partition: number): string => `bb:{ticker}:leader:${partition}`,
  leaderEpoch: 'bb:{ticker}:epoch',
  leaderInfo: 'bb:{ticker}:info',
  tickerReplicas: 'bb:{ticker}:replicas',
  webhooks: {
    events: 'bb:{webhooks}:events',
    cursor: 'bb:{webhooks}:cursor',
    due: 'bb:{webhooks}:due',
    attempts: 'bb:{webhooks}:attempts',
    log: 'bb:{webhooks}:log',
    once: (key: string): string => `bb:{webhooks}:once:${key}`,
  },
} as const;

/** Every uWS topic a gateway publishes to (namespaces: see the top of this file). */
export const topics = {
  voteRoom: (id: string): string => `vote/${id}`,
  pokerRoom: (id: string): string => `poker/room/${id}`,
  pokerHeartbeat: 'poker/heartbeat',
} as const;

/** The room id a snapshot channel belongs to, or undefined for another channel. */
export function roomOfChannel(channel: string): string | undefined {
  const match = /^bb:\{room:([A-Za-z0-9_-]{1,64})\}:ch$/.exec(channel);
  return match?.[1];
}

/** The poker room id a channel belongs to, or undefined for another channel. */
export function pokerRoomOfChannel(channel: string): string | undefined {
  const match = /^bb:\{poker:([A-Za-z0-9_-]{1,64})\}:ch$/.exec(channel);
  return match?.[1];
}
