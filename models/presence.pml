/*
 * The presence protocol of SPEC §7 (docs/protocol-presence.md), for SPIN.
 *
 * One room, one user, one gateway that may hold a connection of the user there, the registry
 * (leases in Redis time), the room's slot, the network between them (batches in flight, delayed
 * and delivered in order, the way one connection delivers them), and the reaper. The gateway may
 * stall at any point for any time (a GC pause, SIGSTOP, a partition): nothing forces it to act.
 *
 * Built with -DFENCED it is today's design: every write carries (id, valid_until); the room's
 * script refuses it when the id has a tombstone there or Redis time is past valid_until; rooms
 * are registered with a live lease before the first write; a refused write or a lost lease makes
 * the gateway move to a new id (register, re-assert what it holds, retire the old id).
 * Without it, it is the design before: writes carry only the id and land whatever happened, and
 * the room is registered in the same pipeline as the first write (so possibly never).
 *
 * Invariants (the monitor asserts them in every reachable state):
 *   I1 a reaped gateway's writes never land: once the reaper took id i out of the room, the
 *      room holds no connection under i;
 *   I2 the user counts in the room only while some id that is not reaped holds a connection
 *      there (with I1: never through a dead gateway once it was reaped);
 *   I3 when nothing is in flight and the gateway's lease is live and settled, the room holds
 *      exactly what the gateway holds (a live connection counts; a closed one does not).
 */

#define IDS      3      /* lease ids the gateway may use: one at start, new ones on resync */
#define LEASE    2      /* lease time, clock ticks */
#define MAXT     7      /* the clock stops here (bounds the state space) */
#define MOVES    2      /* connects (and as many disconnects) the user makes */

byte now = 0;

/* registry slot */
byte expiry[IDS];       /* lease expiry, Redis time; 0 = none */
bool registered[IDS];   /* lease exists (not yet reaped or released) */
bool held[IDS];         /* the room is in the id's registered rooms */
bool reaped[IDS];       /* the reaper has taken id out (for the invariants) */

/* the room's slot */
byte conns[IDS];        /* connections of the user under id */
bool tomb[IDS];         /* the reaper's tombstone */
byte users = 0;         /* the user's total connections (users hash) */

/* the gateway */
byte cur = 0;           /* current id */
byte valid = 0;         /* valid_until of the current grant */
byte holds = 0;         /* connections the gateway holds locally (0 or 1) */
bool settled = true;    /* false from a refused write until the resync has re-asserted */

/* batches in flight to the room's slot: op (1 join, 2 leave, 3 sync), id, count, valid_until */
chan net = [2] of { byte, byte, byte, byte };

#define LIVE(i)   (registered[i] && now <= expiry[i])

active proctype clock() {
  do
  :: now < MAXT -> now++
  :: now == MAXT -> break
  od
}

/* The room's script (roomOps-6): one message at a time, atomic. */
active proctype room() {
  byte op, id, n, until, mine;
  do
  :: atomic {
       net ? op, id, n, until;
#ifdef FENCED
       if
       :: tomb[id] || now >= until -> settled = false   /* refused: the gateway resyncs */
       :: else ->
#endif
          mine = conns[id];
          if
          :: op == 1 -> conns[id] = mine + n; users = users + n
          :: op == 2 -> if :: mine > 0 -> conns[id] = mine - 1; users = users - 1 :: else -> skip fi
          :: op == 3 -> users = users - mine + n; conns[id] = n
          fi
#ifdef FENCED
       fi
#endif
     }
  od
}

/* The reaper (the ticker's leader of partition 0): a lease expired before Redis's now. */
active proctype reaper() {
  byte i;
  do
  :: atomic {
       i = 0;
       do
       :: i < IDS ->
          if
          :: registered[i] && now > expiry[i] ->
             if
             :: held[i] ->
#ifdef FENCED
                tomb[i] = true;
#endif
                users = users - conns[i]; conns[i] = 0
             :: else -> skip
             fi;
             registered[i] = false; held[i] = false; reaped[i] = true
          :: else -> skip
          fi;
          i++
       :: else -> break
       od
     }
  od
}

/* Sends one op under the current grant, registering the room with the lease first (FENCED). */
inline send(op, n) {
#ifdef FENCED
  if
  :: LIVE(cur) -> held[cur] = true; valid = expiry[cur]; net ! op, cur, n, valid
  :: else -> settled = false                      /* not live: dropped, the resync re-asserts */
  fi
#else
  net ! op, cur, n, 0;
  if :: LIVE(cur) -> held[cur] = true :: else -> skip fi   /* the piggy-backed registration */
#endif
}

/* A resync: a new id, registered; what the gateway holds re-asserted under it; the old retired. */
inline resync() {
  if
  :: cur + 1 < IDS ->
     atomic {
       expiry[cur] = 0;                           /* retire: reapable now */
       cur++; registered[cur] = true; expiry[cur] = now + LEASE;
       held[cur] = true; valid = expiry[cur];
       net ! 3, cur, holds, valid;
       settled = true
     }
  :: else -> skip                                 /* out of ids: the bound of the model */
  fi
}

active proctype gateway() {
  byte moves = 0;
  atomic { registered[0] = true; expiry[0] = LEASE; valid = LEASE }
  do
  /* (nfull: a step that sends starts only when the send cannot block, so it stays atomic) */
  :: atomic { nfull(net) && holds == 0 && moves < MOVES -> holds = 1; moves++; send(1, 1) }  /* a socket joins */
  :: atomic { nfull(net) && holds == 1 -> holds = 0; send(2, 1) }                            /* it closes */
  :: atomic { LIVE(cur) && now + LEASE > expiry[cur] -> expiry[cur] = now + LEASE; valid = expiry[cur] }  /* renewal */
#ifdef FENCED
  :: atomic { nfull(net) && (!LIVE(cur) || !settled) -> resync() }                 /* lost or refused */
#else
  :: atomic { nfull(net) && !LIVE(cur) -> resync() }
#endif
  od
}

active proctype monitor() {
  byte i;
  do
  :: atomic {
       i = 0;
       do
       :: i < IDS -> assert(!reaped[i] || conns[i] == 0); i++     /* I1 */
       :: else -> break
       od;
       /* I2: users is the sum over ids; an id that counts is not reaped (I1), so: */
       assert(users == conns[0] + conns[1] + conns[2]);
       /* I3 */
       assert(!(len(net) == 0 && settled && LIVE(cur) && reaped[cur] == false &&
                (cur == 0 || !registered[cur - 1])) || users == holds)
     }
  od
}
