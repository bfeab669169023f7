/*
 * Tick fencing (SPEC §2), for SPIN: two ticker replicas campaign for two tick partitions' locks
 * (redlock: keys with a TTL); each newly elected partition leader takes the next epoch from one
 * counter shared by all partitions (bb:{ticker}:epoch), and ticks the room through the tickRooms
 * script. Which partition the room is in may change while the replicas run (TICK_PARTITIONS
 * changed in a rolling update): each replica has its own view, which flips once, at any time. A
 * replica may stall at any point for any time, and so go on believing it leads after its lock
 * expired and the other replica took over.
 *
 * Built with -DFENCED it is today's design: the script refuses a tick whose epoch is older than
 * the newest that ticked the room (the fence in the tally's `#tick`), and stores a ts only once
 * (the last tick in `#tick`). It also has the script's steady path: a room whose state is exactly
 * (the caller's previous tick, the caller's epoch) is stored without the checks, as a shortcut
 * that must never store what the checked path would refuse. Without -DFENCED, the script checks
 * only the last tick.
 *
 * Invariants (asserted inside the script when it stores, the only place a point is written):
 *   T1 a (room, ts) is stored and published at most once;
 *   T2 once a leader with epoch e ticked the room, no leader with an older epoch stores there
 *      (a paused or deposed leader never writes, whichever partition it thinks the room is in).
 */

#define TTL    2
#define MAXT   5
#define MAXTS  3

byte now = 0;
byte owner[2];          /* partition lock: 0 free, else replica 1 or 2 */
byte until[2];          /* lock expiry */
byte epoch = 0;         /* bb:{ticker}:epoch, shared by the partitions */
byte fence = 0;         /* #tick's fence: newest epoch that ticked the room */
byte last_ts = 0;       /* #tick's last tick */
byte stored[MAXTS + 1]; /* how often each ts was stored */

active proctype clock() {
  do
  :: now < MAXT -> now++
  :: now == MAXT -> break
  od
}

/* campaign for partition p whose lock is free or expired */
#define CAMPAIGN(p) atomic { mine[p] == 0 && (owner[p] == 0 || now > until[p]) -> owner[p] = me; until[p] = now + TTL; epoch++; mine[p] = epoch }
/* extend while still the owner */
#define EXTEND(p)   atomic { mine[p] != 0 && owner[p] == me && now <= until[p] -> until[p] = now + TTL }
/* notices the lock is lost (when it looks) */
#define NOTICE(p)   atomic { mine[p] != 0 && (owner[p] != me || now > until[p]) -> mine[p] = 0 }

proctype replica(byte me) {
  byte mine[2];         /* the epoch it believes it leads each partition with; 0: not leading */
  byte view = 0;        /* the partition it believes the room is in */
  bool flipped = false;
  byte ts = 1;
end:
  do
  :: CAMPAIGN(0)
  :: CAMPAIGN(1)
  :: EXTEND(0)
  :: EXTEND(1)
  :: NOTICE(0)
  :: NOTICE(1)
  /* its view of the room's partition changes (once) */
  :: atomic { !flipped -> view = 1 - view; flipped = true }
  /* a tick of the room, by the leader of the partition it believes the room is in: the script, atomic in Redis */
  :: atomic {
       mine[view] != 0 && ts <= MAXTS ->
#ifdef FENCED
       if
       :: last_ts == ts - 1 && fence == mine[view] ->  /* steady: the state this caller left at its previous tick */
          assert(stored[ts] == 0);               /* T1 */
          assert(mine[view] >= fence);           /* T2 */
          stored[ts]++; last_ts = ts; fence = mine[view]
       :: fence > mine[view] -> mine[view] = 0  /* Fenced: step down */
       :: else ->
#endif
          if
          :: last_ts < ts ->
             assert(stored[ts] == 0);            /* T1 */
             assert(mine[view] >= fence);        /* T2 */
             stored[ts]++; last_ts = ts; fence = mine[view]
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
