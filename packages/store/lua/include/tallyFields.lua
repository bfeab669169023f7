--[[
  tallyFields: the fields a vote room's tally hash holds beside the option counts (pasted in
  where a script says `-- @include`): the tick state, read with the counts in one HMGET, and the
  count of present users. Their names start with "#", which no option can (OPTION_PATTERN).

  tally  hash  option -> counted votes (include/voters.lua), and:
    #layout     "<tick_ms>|<shards>|<options JSON>": what the tick needs to build the point; fixed
                when the room is created (copied from meta, which keeps the same facts for the API)
    #fence      newest ticker epoch that ticked the room
    #last       newest stored tick, ms
    #refreshed  tick at which meta, tally and history last had their expiry renewed, ms
    #conn       present users, kept by the voters' scripts (include/voters.lua)
]]
local LAYOUT, FENCE, LAST, REFRESHED, CONN = '#layout', '#fence', '#last', '#refreshed', '#conn'
