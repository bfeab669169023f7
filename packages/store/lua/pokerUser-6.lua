--[[
  pokerUser-6: what a user's change means to one room they joined or own: a new name, or their
  expiry (a room whose owner expired closes; elsewhere the user leaves).

  KEYS, ARGV[1..2]: see include/pokerRoom.lua
  ARGV[3] user id
  ARGV[4] action: "name" or "expire"
  ARGV[5] name, ARGV[6] its version (Redis time, µs), for "name"
  Returns: 1 the room closed, 0 otherwise, -1 no such room
]]
-- @include pokerRoom
if not exists() then return -1 end
local user, action = ARGV[3], ARGV[4]

if action == 'name' then
  if set_name(user, ARGV[5], ARGV[6]) and redis.call('HEXISTS', members, user) == 1 then
    emit('name', user, ARGV[5])
  end
  finish()
  return 0
end
if owner() ~= user then
  remove_member(user, 'expired')
  finish()
  return 0
end
emit('closed')
local seq = redis.call('HINCRBY', room, 'seq', 1)
redis.call('SPUBLISH', channel, cjson.encode({ seq = seq, ev = events }))
redis.call('DEL', room, members, estimates, names, rounds)
-- Reaped gateways' tombstones stay (for the room's idle expiry), in case the id is used again.
for _, field in ipairs(redis.call('HKEYS', conns)) do
  if string.sub(field, 1, 1) ~= '!' then redis.call('HDEL', conns, field) end
end
redis.call('PEXPIRE', conns, ttl)
return 1
