--[[
  pokerEstimate-6: sets or withdraws a member's estimate; reveals the room if it auto-reveals
  and every estimator has now estimated. A hidden estimate is published as
  ["estimate", user, "hidden", estimate JSON]: gateways show the value to its owner only.

  KEYS, ARGV[1..2]: see include/pokerRoom.lua
  ARGV[3] user id
  ARGV[4] card value, "" to withdraw the estimate
  ARGV[5] comment
  Returns: seq of the room after the change, or
           -1 no such room, -3 not a member, -4 a spectator, -5 the value is not on the deck
]]
-- @include pokerRoom
if not exists() then return -1 end
local user, value = ARGV[3], ARGV[4]
local role = redis.call('HGET', members, user)
if not role then return -3 end
if role == '1' then return -4 end

if value == '' then
  if redis.call('HDEL', estimates, user) == 1 then emit('estimate', user, 'none') end
  return finish()
end
local on_deck = false
for _, card in ipairs(cjson.decode(redis.call('HGET', room, 'deck'))) do
  if card == value then on_deck = true end
end
if not on_deck then return -5 end
local estimate = cjson.encode({ value = value, comment = ARGV[5] })
redis.call('HSET', estimates, user, estimate)
if redis.call('HGET', room, 'revealed') == '1' then
  emit('estimate', user, estimate)
else
  emit('estimate', user, 'hidden', estimate)
  auto_reveal()
end
return finish()
