/** A change of one gateway's connections of a user: opened, closed, or re-asserted (absolute). */
export type PresenceChange = 'join' | 'leave' | 'sync';

/** The reaper drops a dead gateway's connections (and fences its id): the fourth change. */
export type ReaperChange = 'drop';

/** Each change's letter in the scripts' ARGV (the only place letters exist). */
export const OP_LETTER: Readonly<Record<PresenceChange | ReaperChange | 'vote' | 'segment', string>> = {
  join: 'J',
  leave: 'L',
  sync: 'S',
  drop: 'X',
  vote: 'V',
  segment: 'G',
};
