--[[
  ensureRoom-3: creates a vote room unless it exists, and returns its stored meta.

  KEYS[1] meta   hash  options (JSON list), open ("1"/"0"), tick_ms, created_at, shards (voter
                       parts, absent for 1), history (points kept, absent for the service's),
                       swing ("<net change>:<window ms>", absent for none), segments, ask,
                       question, vote_ttl, round (absent for none; see keys.ts)
  KEYS[2] tally  hash  the room's tick state beside its counts: see include/tickState.lua
  KEYS[3] users  hash  user -> live connections (counted into the tick state)
  ARGV[1] options as a JSON list
  ARGV[2] open: "1" guests may join, "0" tokens only
  ARGV[3] tick_ms ("0" = every global tick)
  ARGV[4] created_at, ms
  ARGV[5] idle expiry, ms
  ARGV[6] voter shards (1 = the room's own voter keys); fixed when the room is created
  ARGV[7] points of history the room keeps ("0": the service's HISTORY_LIMIT); fixed when the
          room is created
  ARGV[8] automatic swing markers: "<net change>:<window ms>", "" for none; fixed when created
  ARGV[9] segments as a JSON list, "" for none; fixed when created
  ARGV[10] the question that lets voters choose their segment, "" for none (segments come from
          the tokens' `seg` claim only)
  ARGV[11] the first round's question, "" for none
  ARGV[12] vote expiry, ms ("0" for none); fixed when created
  Returns: { created (1/0), options, open, tick_ms, shards (false for 1), closed (ms; false while
           voting is open, roomVoting-2), history (false for the service's), swing (false for
           none), segments, ask, question, vote_ttl, round (each false for none) }
  The tick state is written with the meta, and for a room written by an older version, moved
  where this one keeps it (include/tickState.lua; meta and tally expire together).
]]
-- @include tickState
local meta, tally, users = KEYS[1], KEYS[2], KEYS[3]
local created = 0
if redis.call('HEXISTS', meta, 'options') == 0 then
  redis.call('HSET', meta, 'options', ARGV[1], 'open', ARGV[2], 'tick_ms', ARGV[3], 'created_at', ARGV[4])
  if tonumber(ARGV[6]) > 1 then redis.call('HSET', meta, 'shards', ARGV[6]) end
  if tonumber(ARGV[7] or '0') > 0 then redis.call('HSET', meta, 'history', ARGV[7]) end
  for i, field in pairs({ [8] = 'swing', [9] = 'segments', [10] = 'ask', [11] = 'question' }) do
    if ARGV[i] ~= '' then redis.call('HSET', meta, field, ARGV[i]) end
  end
  if tonumber(ARGV[12]) > 0 then redis.call('HSET', meta, 'vote_ttl', ARGV[12]) end
  redis.call('HDEL', tally, TICK, unpack(V6_FIELDS))
  created = 1
end
redis.call('PEXPIRE', meta, ARGV[5])
write_tick_state(meta, tally, users)
redis.call('PEXPIRE', tally, ARGV[5])
local m = redis.call('HMGET', meta, 'options', 'open', 'tick_ms', 'shards', 'closed', 'history', 'swing', 'segments', 'ask', 'question', 'vote_ttl', 'round')
return { created, m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8], m[9], m[10], m[11], m[12] }
