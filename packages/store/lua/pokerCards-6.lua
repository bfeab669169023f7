--[[
  pokerCards-6: the owner reveals, hides or clears the estimates. A clear after a reveal records
  the round (topic, time, estimates with names) in the room's history.

  KEYS, ARGV[1..2]: see include/pokerRoom.lua
  ARGV[3] user id of the caller
  ARGV[4] action: "reveal", "hide" or "clear"
  ARGV[5] now, ms (the round's cleared_at)
  ARGV[6] rounds kept
  Returns: seq after the change, -1 no such room, -2 the caller is not the owner
]]
-- @include pokerRoom
if not exists() then return -1 end
if owner() ~= ARGV[3] then return -2 end
local action, revealed = ARGV[4], redis.call('HGET', room, 'revealed') == '1'

if action == 'reveal' and not revealed then
  reveal()
elseif action == 'hide' and revealed then
  redis.call('HSET', room, 'revealed', '0')
  room_changed()
  local flat = redis.call('HGETALL', estimates)
  for i = 1, #flat, 2 do emit('estimate', flat[i], 'hidden', flat[i + 1]) end
elseif action == 'clear' then
  local flat = redis.call('HGETALL', estimates)
  if revealed and #flat > 0 then
    local list = {}
    for i = 1, #flat, 2 do
      local e = cjson.decode(flat[i + 1])
      list[#list + 1] = { userId = flat[i], name = name_of(flat[i]), value = e.value, comment = e.comment }
    end
    local topic = redis.call('HGET', room, 'topic')
    redis.call('RPUSH', rounds, cjson.encode({ topic = topic, clearedAt = tonumber(ARGV[5]), estimates = list }))
    redis.call('LTRIM', rounds, -tonumber(ARGV[6]), -1)
  end
  redis.call('DEL', estimates)
  redis.call('HDEL', room, 'away')
  redis.call('HSET', room, 'revealed', '0')
  emit('cleared')
  room_changed()
end
return finish()
