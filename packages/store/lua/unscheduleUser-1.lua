--[[
  unscheduleUser-1: drops a user's expiry check, unless it was rescheduled since it was read
  (a disconnect after the check writes a new time, which must survive).

  KEYS[1] expiring  zset  user -> when to check whether they expired, ms
  ARGV[1] user id
  ARGV[2] the score the check was read with
  Returns: 1 dropped, 0 rescheduled meanwhile (kept)
]]
if redis.call('ZSCORE', KEYS[1], ARGV[1]) == ARGV[2] then
  return redis.call('ZREM', KEYS[1], ARGV[1])
end
return 0
