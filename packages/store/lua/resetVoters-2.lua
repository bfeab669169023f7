--[[
  resetVoters-2: starts round ARGV[1] in a vote room's voters (its own, or one voter part): every
  count of the tally goes to zero and the votes of earlier rounds count nowhere from now on
  (include/voters.lua compares each stored vote's round with #round), so a reset costs
  O(options × segments), never O(voters). Idempotent: a part already at that round or a later one
  is left as it is. Runs on every part before lua/roomRound-6 moves the room itself on.

  KEYS[1] tally     hash  counts, #conn, #round and the tick state (include/tallyFields.lua)
  KEYS[2] expiring  zset  the votes' expiry times (roomOps-6): none of them counts any more
  ARGV[1] the new round
  ARGV[2] the room's idle expiry, ms (for a tally the reset creates)
  Returns: 1 reset, 0 already at that round or past it.
]]
-- @include tallyFields
local tally, expiring = KEYS[1], KEYS[2]
local round = tonumber(ARGV[1])
if tonumber(redis.call('HGET', tally, ROUND) or '0') >= round then return 0 end
local flat = redis.call('HGETALL', tally)
for i = 1, #flat, 2 do
  -- counts only: "#conn", "#tick" and "#round" stay (35 is "#")
  if string.byte(flat[i], 1) ~= 35 then redis.call('HDEL', tally, flat[i]) end
end
redis.call('HSET', tally, ROUND, round)
if redis.call('PTTL', tally) < 0 then redis.call('PEXPIRE', tally, ARGV[2]) end
redis.call('DEL', expiring)
return 1
