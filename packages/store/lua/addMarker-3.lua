--[[
  addMarker-3: stores a timeline marker of a vote room at Redis's now and tells its viewers
  (SPEC §9). Markers are kept in the order they were added (Redis time never goes back within a
  server), at most ARGV[3] of them, and expire with the room (tickRooms-n renews them with it).

  KEYS[1] meta     hash  the room's facts (a room without them has no markers)
  KEYS[2] markers  list  JSON markers, oldest first: {"ts":<ms>,"label":"…","auto":<bool>}
  KEYS[3] quiet    string  set for ARGV[6] ms after an automatic marker: none is stored meanwhile
                   (every gateway holding the room sees the same swing; one marker is kept)
  ARGV[1] the label, JSON-encoded by the caller (a string)
  ARGV[2] "true" for an automatic marker, "false" for one a person added
  ARGV[3] markers kept
  ARGV[4] idle expiry, ms
  ARGV[5] the room's channel (sharded pub/sub, same hash tag)
  ARGV[6] for an automatic marker: how long no other automatic marker is stored, ms ("0": none)
  Publishes {"marker":<marker>} on the channel.
  Returns the stored marker, or false when there is no such room or the room is quiet.
]]
-- @include redisTime
if redis.call('HEXISTS', KEYS[1], 'options') == 0 then return false end
if tonumber(ARGV[6]) > 0 and not redis.call('SET', KEYS[3], '1', 'NX', 'PX', ARGV[6]) then return false end
local marker = '{"ts":' .. now_ms() .. ',"label":' .. ARGV[1] .. ',"auto":' .. ARGV[2] .. '}'
local length = redis.call('RPUSH', KEYS[2], marker)
if length > tonumber(ARGV[3]) then redis.call('LTRIM', KEYS[2], -tonumber(ARGV[3]), -1) end
redis.call('PEXPIRE', KEYS[2], ARGV[4])
redis.call('SPUBLISH', ARGV[5], '{"marker":' .. marker .. '}')
return marker
