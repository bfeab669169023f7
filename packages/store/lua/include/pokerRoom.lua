--[[
  pokerRoom: shared by every poker room script (pasted in where a script says `-- @include`).

  KEYS[1] room       hash  owner, topic, revealed, deck, auto, created_at, seq, and "away": JSON
                           {user: {e = estimate JSON, u = kept until, ms}} of members who left
                           in this round with an estimate, restored if they rejoin in time
  KEYS[2] members    hash  user -> "1" spectator / "0" estimator
  KEYS[3] conns      hash  "<user>|<gateway>" -> live connections; "!|<gateway>" -> "0" is a reaped
                           gateway's tombstone (no user id has a "!"; it counts nothing)
  KEYS[4] estimates  hash  user -> JSON {value, comment}
  KEYS[5] names      hash  user -> "<version>|<name>"
  KEYS[6] rounds     list  JSON rounds
  ARGV[1] channel to publish changes on (sharded pub/sub: SPUBLISH, same hash tag as the keys)
  ARGV[2] idle expiry of the room's keys, ms
  A script collects changes with emit(kind, ...strings) and ends with finish(), which publishes
  them as one message `{"seq":n,"ev":[[kind, ...], ...]}` and refreshes the keys' expiry.
]]
-- @include redisTime
local room, members, conns, estimates, names, rounds = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local channel, ttl = ARGV[1], ARGV[2]
local events = {}

local function emit(...) events[#events + 1] = { ... } end
local function exists() return redis.call('HEXISTS', room, 'owner') == 1 end
local function owner() return redis.call('HGET', room, 'owner') end

local function name_of(user)
  local stored = redis.call('HGET', names, user)
  return stored and string.match(stored, '^%d+|(.*)$') or ''
end

local function set_name(user, name, version)
  local stored = redis.call('HGET', names, user)
  if stored and tonumber(string.match(stored, '^(%d+)|')) >= tonumber(version) then return false end
  redis.call('HSET', names, user, version .. '|' .. name)
  return true
end

local function room_changed()
  local r = redis.call('HMGET', room, 'owner', 'topic', 'revealed', 'deck', 'auto')
  emit('room', r[1], r[2], r[3], r[4], r[5])
end

local function reveal()
  redis.call('HSET', room, 'revealed', '1')
  room_changed()
  emit('revealed', unpack(redis.call('HGETALL', estimates)))
end

-- autoReveal: reveal once every estimator (at least one) has estimated.
local function auto_reveal()
  local r = redis.call('HMGET', room, 'auto', 'revealed')
  if r[1] ~= '1' or r[2] ~= '0' then return end
  local flat, estimators = redis.call('HGETALL', members), 0
  for i = 1, #flat, 2 do
    if flat[i + 1] == '0' then
      if redis.call('HEXISTS', estimates, flat[i]) == 0 then return end
      estimators = estimators + 1
    end
  end
  if estimators > 0 then reveal() end
end

local function connections_of(user)
  local prefix, total, fields = user .. '|', 0, {}
  local flat = redis.call('HGETALL', conns)
  for i = 1, #flat, 2 do
    if string.sub(flat[i], 1, #prefix) == prefix then
      total = total + tonumber(flat[i + 1])
      fields[#fields + 1] = flat[i]
    end
  end
  return total, fields
end

local function away_of()
  local stored = redis.call('HGET', room, 'away')
  return stored and cjson.decode(stored) or {}
end

local function save_away(away)
  if next(away) == nil then redis.call('HDEL', room, 'away') else redis.call('HSET', room, 'away', cjson.encode(away)) end
end

-- A member who left with an estimate keeps it `keep_ms` for a rejoin (a reload, a drained gateway).
local function keep_estimate(user, estimate, keep_ms)
  local away, now = away_of(), now_ms()
  for u, entry in pairs(away) do
    if entry.u <= now then away[u] = nil end
  end
  away[user] = { e = estimate, u = now + keep_ms }
  save_away(away)
end

-- The estimator `user` (re)joined: their kept estimate of this round comes back, if still kept.
local function restore_estimate(user)
  local away = away_of()
  local entry = away[user]
  if not entry then return end
  away[user] = nil
  save_away(away)
  if entry.u <= now_ms() or redis.call('HEXISTS', estimates, user) == 1 then return end
  redis.call('HSET', estimates, user, entry.e)
  if redis.call('HGET', room, 'revealed') == '1' then emit('estimate', user, entry.e) else emit('estimate', user, 'hidden', entry.e) end
end

-- keep_ms: how long a rejoin gets the estimate back (nil or 0: dropped at once).
local function remove_member(user, reason, keep_ms)
  if redis.call('HDEL', members, user) == 0 then return false end
  local estimate = redis.call('HGET', estimates, user)
  if estimate and keep_ms and keep_ms > 0 then keep_estimate(user, estimate, keep_ms) end
  redis.call('HDEL', estimates, user)
  emit('left', user, name_of(user), reason)
  auto_reveal()
  return true
end

local function finish()
  for _, key in ipairs(KEYS) do redis.call('PEXPIRE', key, ttl) end
  if #events == 0 then return tonumber(redis.call('HGET', room, 'seq') or '0') end
  local seq = redis.call('HINCRBY', room, 'seq', 1)
  redis.call('SPUBLISH', channel, cjson.encode({ seq = seq, ev = events }))
  return seq
end
