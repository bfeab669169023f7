--[[
  upgradeRooms-n: moves the tick state of vote rooms written by an older version (#fence and
  #last in the tally at script version 6; fence and last_ts in meta before) into the tally's
  #tick, so tickRooms can tick them.
  Idempotent; a room that already has it is left as it is.

  KEYS    three per room i = 0, 1, …: KEYS[3i+1] meta, KEYS[3i+2] tally (include/tickState.lua),
          KEYS[3i+3] users
  Returns one code per room, in order: 1 the room has its tick state now, 0 the room has no meta
]]
-- @include tickState
local results = {}
for i = 1, #KEYS, 3 do
  results[#results + 1] = write_tick_state(KEYS[i], KEYS[i + 1], KEYS[i + 2]) and 1 or 0
end
return results
