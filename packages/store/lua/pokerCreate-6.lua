--[[
  pokerCreate-6: creates a poker room unless one with this id exists.

  KEYS, ARGV[1..2]: see include/pokerRoom.lua
  ARGV[3] owner user id
  ARGV[4] deck, JSON list of card values
  ARGV[5] autoReveal "1"/"0"
  ARGV[6] topic
  ARGV[7] created_at, ms
  Returns: 1 created, 0 the id is taken
]]
-- @include pokerRoom
if exists() then return 0 end
redis.call('HSET', room, 'owner', ARGV[3], 'deck', ARGV[4], 'auto', ARGV[5], 'topic', ARGV[6],
  'revealed', '0', 'created_at', ARGV[7], 'seq', '0')
finish()
return 1
