--[[
  pokerManage-6: the owner sets the topic, kicks a member or hands the room to a member.

  KEYS, ARGV[1..2]: see include/pokerRoom.lua
  ARGV[3] user id of the caller
  ARGV[4] action: "topic", "kick" or "transfer"
  ARGV[5] the topic, or the member's user id
  Returns: seq after the change, or -1 no such room, -2 the caller is not the owner,
           -3 the target is not a member, -6 the owner named themself
]]
-- @include pokerRoom
if not exists() then return -1 end
local caller, action, arg = ARGV[3], ARGV[4], ARGV[5]
if owner() ~= caller then return -2 end

if action == 'topic' then
  redis.call('HSET', room, 'topic', arg)
  room_changed()
  return finish()
end
if arg == caller then return -6 end
if redis.call('HEXISTS', members, arg) == 0 then return -3 end
if action == 'kick' then
  local _, fields = connections_of(arg)
  for _, field in ipairs(fields) do redis.call('HDEL', conns, field) end
  remove_member(arg, 'kicked')
elseif action == 'transfer' then
  redis.call('HSET', room, 'owner', arg)
  room_changed()
end
return finish()
