--[[
  pokerPresence-6: one gateway's connections of one user to a poker room changed. Membership
  follows connections: a user joins with their first connection on any gateway and leaves when
  their last one closes.

  KEYS, ARGV[1..2]: see include/pokerRoom.lua
  ARGV[3] op: "J" join (count connections opened; replies with the room snapshot)
              "L" leave (count connections closed), "S" sync (count = connections now held)
              "X" the reaper: the gateway is dead, drop all its connections (user and count
                  ignored) and leave its tombstone "!|<gateway>" in conns, so nothing written
                  under that id lands here any more (include/gatewayFence.lua)
  ARGV[4] gateway id
  ARGV[5] user id
  ARGV[6] count
  ARGV[7] spectator "1"/"0" (used when the user becomes a member)
  ARGV[8] name, ARGV[9] its version (kept if newer than the room's copy)
  ARGV[10] most members the room may have (a join over it is refused)
  ARGV[11] ms a member who leaves keeps their estimate of the round for a rejoin
  ARGV[12] J, L, S: the gateway's lease expiry as last granted by the registry, ms of Redis time
  Returns: {-1} no such room, {-7} the room is full,
           {-8} refused: the reaper reaped this gateway id here, {-9} refused: its lease lapsed,
           (codes: PokerReply in src/poker-scripts.ts, one meaning each across the poker scripts)
           {seq} for L, S, X;
           J: {seq, owner, topic, revealed, deck, auto, {user, spectator, name, ...}, {user, estimate, ...}}
]]
-- @include pokerRoom
-- @include gatewayFence
local op, gateway, user, count = ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6])
local tombstone = '!|' .. gateway
if op == 'X' then
  -- The tombstone goes in even where the room is gone, in case one is created again with this id.
  redis.call('HSET', conns, tombstone, '0')
  if not exists() then
    redis.call('PEXPIRE', conns, ttl)
    return { -1 }
  end
else
  local fenced = gateway_fence(conns, tombstone, ARGV[12])
  if fenced ~= 0 then return { fenced == FENCE_REAPED and -8 or -9 } end
  if not exists() then return { -1 } end
end

local function settle(u)
  local total = connections_of(u)
  local member = redis.call('HEXISTS', members, u) == 1
  if total > 0 and not member then
    redis.call('HSET', members, u, ARGV[7])
    set_name(u, ARGV[8], ARGV[9])
    emit('joined', u, name_of(u), ARGV[7])
    if ARGV[7] == '0' then
      restore_estimate(u)
      auto_reveal()
    end
  elseif total == 0 and member then
    remove_member(u, 'left', tonumber(ARGV[11]))
  end
end

if op == 'X' then
  local suffix, flat = '|' .. gateway, redis.call('HGETALL', conns)
  for i = 1, #flat, 2 do
    if string.sub(flat[i], 1, 1) ~= '!' and string.sub(flat[i], -#suffix) == suffix then
      redis.call('HDEL', conns, flat[i])
      settle(string.sub(flat[i], 1, #flat[i] - #suffix))
    end
  end
  return { finish() }
end

local field = user .. '|' .. gateway
local held = tonumber(redis.call('HGET', conns, field) or '0')
if op == 'J' and redis.call('HEXISTS', members, user) == 0 and
    redis.call('HLEN', members) >= tonumber(ARGV[10]) then
  return { -7 }
end
local now = (op == 'J' and held + count) or (op == 'L' and math.max(0, held - count)) or count
if now > 0 then redis.call('HSET', conns, field, now) else redis.call('HDEL', conns, field) end
settle(user)
local seq = finish()
if op ~= 'J' then return { seq } end

local r = redis.call('HMGET', room, 'owner', 'topic', 'revealed', 'deck', 'auto')
local list, flat = {}, redis.call('HGETALL', members)
for i = 1, #flat, 2 do
  list[#list + 1] = flat[i]
  list[#list + 1] = flat[i + 1]
  list[#list + 1] = name_of(flat[i])
end
return { seq, r[1], r[2], r[3], r[4], r[5], list, redis.call('HGETALL', estimates) }
