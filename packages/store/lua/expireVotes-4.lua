--[[
  expireVotes-4: takes the standing votes that were not re-sent within the room's vote_ttl_s out
  of the count (SPEC §9), in a vote room (or one voter part of it). Called by the ticker before
  each tick of a room with an expiry; its cost follows the number of votes expiring, never the
  room's voters.

  An expired vote is stored as "cancel", its ts one past the expired vote's: a gateway that sends
  the same vote again (re-asserting what it wrote) does not bring it back; a newer vote does.

  KEYS[1..3] users, votes, tally: see include/voters.lua
  KEYS[4] expiring  zset  user -> when their vote expires, ms of Redis time (roomOps-6)
  ARGV[1] most votes to expire in this call (the rest wait for the next)
  Returns: the number of entries taken off `expiring` (votes expired, or of users gone since).
]]
-- @include voters
-- @include redisTime
local expiring = KEYS[4]
local due = call('ZRANGEBYSCORE', expiring, '-inf', now_ms(), 'LIMIT', 0, tonumber(ARGV[1]))
for _, user in ipairs(due) do
  local stored = call('HGET', votes, user)
  if stored then
    local value, at, segment, round = parse(stored)
    if value ~= 'cancel' then replace(user, stored, encode('cancel', at + 1, segment, round)) end
  end
end
if #due > 0 then call('ZREM', expiring, unpack(due)) end
flush_tally()
return #due
