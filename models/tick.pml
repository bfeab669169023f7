/*
 * Tick fencing (SPEC §2), for SPIN: two ticker replicas campaign for one tick partition's lock
 * (redlock: a key with a TTL), each newly elected leader takes the next epoch from one counter,
 * and ticks a room through the tickRooms script. A replica may stall at any point for any time,
 * and so go on believing it leads after its lock expired and the other replica took over.
 *
 * Built with -DFENCED it is today's design: the script refuses a tick whose epoch is older than
 * the newest that ticked the room (meta `fence`), and stores a ts only once (meta `last_ts`).
 * Without it, the script checks only `last_ts`.
 *
 * Invariants (asserted inside the script when it stores, the only place a point is written):
 *   T1 a (room, ts) is stored and published at most once;
 *   T2 once a leader with epoch e ticked the room, no leader with an older epoch stores there
 *      (a paused or deposed leader never writes).
 */

#define TTL    2
#define MAXT   6
#define MAXTS  4

byte now = 0;
byte lock_owner = 0;    /* 0 free, else replica 1 or 2 */
byte lock_until = 0;
byte epoch = 0;         /* bb:{ticker}:epoch */
byte fence = 0;         /* meta fence: newest epoch that ticked the room */
byte last_ts = 0;       /* meta last_ts */
byte stored[MAXTS + 1]; /* how often each ts was stored */

active proctype clock() {
  do
  :: now < MAXT -> now++
  :: now == MAXT -> break
  od
}

proctype replica(byte me) {
  byte mine = 0;        /* the epoch this replica believes it leads with; 0: not leading */
  byte ts = 1;
  do
  /* campaign: the lock is free or expired */
  :: atomic { mine == 0 && (lock_owner == 0 || now > lock_until) -> lock_owner = me; lock_until = now + TTL; epoch++; mine = epoch }
  /* extend while still the owner */
  :: atomic { mine != 0 && lock_owner == me && now <= lock_until -> lock_until = now + TTL }
  /* notices the lock is lost (when it looks) */
  :: atomic { mine != 0 && (lock_owner != me || now > lock_until) -> mine = 0 }
  /* a tick: the script, atomic in Redis */
  :: atomic {
       mine != 0 && ts <= MAXTS ->
#ifdef FENCED
       if
       :: fence > mine -> mine = 0              /* Fenced: step down */
       :: else ->
#endif
          if
          :: last_ts < ts ->
             assert(stored[ts] == 0);            /* T1 */
             assert(mine >= fence);              /* T2 */
             stored[ts]++; last_ts = ts; fence = mine
          :: else -> skip                        /* Unchanged */
          fi
#ifdef FENCED
       fi;
#endif
       ts++
     }
  od
}

init {
  atomic { run replica(1); run replica(2) }
}
