/*
 * Atoll cross-core capability protocol: the reference model.
 * See docs/cross_core_protocol.md. Checked exhaustively by spin for 3 cores
 * (CTest: model/capability_protocol, driver tests/model/run_spin.py).
 *
 * One kernel object, owned by core 0; cores 1 and 2 may hold copies.
 * Channels are reliable FIFO, one per ordered pair: ch[from*N+to].
 * Each core handles one message (or starts one operation) at a time and its
 * state is private, so every handler is one atomic step.
 *
 * Bug injection (spin -a -DBUG_NO_ACK_WAIT ..., etc.) must make pan report
 * an assertion violation:
 *   BUG_NO_ACK_WAIT        owner completes a revoke as soon as it has sent
 *                          the RevokeMarks, without waiting for the RevokeAcks
 *   BUG_GRANT_WHILE_REVOKING  owner grants transfers while Revoking
 *   BUG_RELEASE_UNCHECKED  owner honours HolderRelease(n) even if n != granted
 */

#define N 3
#define OWNER 0
#ifndef MAX_TRANSFERS
#define MAX_TRANSFERS 4   /* transfers started, all cores together */
#endif
#ifndef MAX_DELETES
#define MAX_DELETES 2     /* deletes per holder core */
#endif
#ifndef MAX_REVOKES
#define MAX_REVOKES 2     /* revokes started (locally or by RevokeRequest) */
#endif

/* Channel buffer: large enough that no send can block under the bounds
 * (holder->owner: requests + releases + revoke requests + acks). SEND
 * asserts it. */
#ifndef QSZ
#define QSZ (MAX_TRANSFERS + MAX_DELETES + 2 * MAX_REVOKES)
#endif

#define LIVE 0
#define REVOKING 1

mtype = { TransferRequest, TransferGrant, TransferDone, TransferRefused,
          HolderRelease, RevokeRequest, RevokeMark, RevokeAck };

chan ch[N*N] = [QSZ] of { mtype, byte };

/* Owner (core 0) state for the object. */
byte state = LIVE;
byte holders;          /* bitmask of non-owner cores that may hold copies */
byte pending;          /* revoke: holders whose RevokeAck is outstanding */
byte granted[N];       /* TransferGrants sent to each core */

/* Holder state (indexed by core; index 0 unused: the owner always holds). */
byte copies[N];
byte installed[N];     /* TransferGrants installed */

/* Budgets (bounds of the check). */
byte transfers;
byte revokes;

/* Ghosts. */
byte inflight[N];      /* TransferGrants sent to core h, not yet received */
byte treq_sent, treq_answered;   /* TransferRequest vs Done/Refused received */
byte marks_sent, acks_recv;      /* RevokeMark vs RevokeAck received */
byte revokes_done;

/* No send may block: the real messenger drains its own inbox while a peer's
 * ring is full; here the buffers must simply be big enough for the bounds. */
#define SEND(from, to, m, a) \
    assert(nfull(ch[(from)*N + (to)])); ch[(from)*N + (to)]!m,a

#define BIT(c) (1 << (c))

/* Invariant 1: when a revoke completes, no other core holds a copy and no
 * grant is in flight. */
inline revoke_complete() {
    assert(copies[1] == 0 && copies[2] == 0);
    assert(inflight[1] == 0 && inflight[2] == 0);
    assert(holders == 0);
    state = LIVE;
    revokes_done++
}

inline grant(y) {
    holders = holders | BIT(y);
    granted[y]++;
    inflight[y]++;
    SEND(OWNER, y, TransferGrant, 0)
}

inline start_revoke() {
    if
    :: state == LIVE ->
        state = REVOKING;
        pending = holders;
        if
        :: pending & BIT(1) -> marks_sent++; SEND(OWNER, 1, RevokeMark, 0)
        :: else
        fi;
        if
        :: pending & BIT(2) -> marks_sent++; SEND(OWNER, 2, RevokeMark, 0)
        :: else
        fi;
#ifdef BUG_NO_ACK_WAIT
        pending = 0; holders = 0;
#endif
        if
        :: pending == 0 -> revoke_complete()
        :: else
        fi
    :: else -> skip   /* a revoke is already running: it covers this one */
    fi
}

#ifdef BUG_GRANT_WHILE_REVOKING
#define CAN_GRANT true
#else
#define CAN_GRANT (state == LIVE)
#endif

/* Owner handles message m with argument a from core x. */
inline owner_handle(x, m, a) {
    if
    :: m == TransferRequest ->
        if
        :: CAN_GRANT -> grant(a); SEND(OWNER, x, TransferDone, 0)
        :: else -> SEND(OWNER, x, TransferRefused, 0)
        fi
    :: m == HolderRelease ->
#ifdef BUG_RELEASE_UNCHECKED
        holders = holders & ~BIT(x)
#else
        if
        :: a == granted[x] -> holders = holders & ~BIT(x)
        :: else -> skip   /* a grant is in flight: x will hold a copy again */
        fi
#endif
    :: m == RevokeRequest -> start_revoke()
    :: m == RevokeAck ->
        acks_recv++;
        if
        :: pending & BIT(x) ->
            pending = pending & ~BIT(x);
            if
            :: a == granted[x] -> holders = holders & ~BIT(x)
            :: else
            fi;
            if
            :: pending == 0 && state == REVOKING -> revoke_complete()
            :: else
            fi
        :: else -> skip   /* only under BUG_NO_ACK_WAIT */
        fi
    fi
}

active proctype owner() {
    mtype m;
    byte a, y;
end:
    do
    /* Transfer started on the owner: handled locally. */
    :: atomic {
        transfers < MAX_TRANSFERS -> transfers++;
        if :: y = 1 :: y = 2 fi;
        if
        :: CAN_GRANT -> grant(y)
        :: else -> skip     /* refused locally */
        fi;
        y = 0
       }
    /* Revoke started on the owner. */
    :: atomic { revokes < MAX_REVOKES -> revokes++; start_revoke() }
    :: atomic { ch[1*N + OWNER]?m,a -> owner_handle(1, m, a); m = 0; a = 0 }
    :: atomic { ch[2*N + OWNER]?m,a -> owner_handle(2, m, a); m = 0; a = 0 }
    /* Everything is quiescent: every request must have been answered. */
    :: timeout ->
        assert(treq_sent == treq_answered);       /* invariant 2 */
        assert(marks_sent == acks_recv);          /* invariant 2 */
        assert(inflight[1] == 0 && inflight[2] == 0);
        assert(state == LIVE && pending == 0);
        assert(len(ch[1]) == 0 && len(ch[2]) == 0 &&
               len(ch[3]) == 0 && len(ch[6]) == 0);
        break
    od
}

proctype holder(byte h) {
    mtype m;
    byte a, y, deletes;
    bool awaiting;   /* a TransferRequest of ours is unanswered */
end:
    do
    :: atomic {
        ch[OWNER*N + h]?m,a ->
        if
        :: m == TransferGrant -> copies[h]++; installed[h]++; inflight[h]--
        :: m == TransferDone || m == TransferRefused ->
            assert(awaiting); awaiting = false; treq_answered++
        :: m == RevokeMark ->
            copies[h] = 0;     /* delete every copy, unmap */
            SEND(h, OWNER, RevokeAck, installed[h])
        fi;
        m = 0; a = 0
       }
    /* Transfer: ask the owner to give a copy to core y. */
    :: atomic {
        copies[h] > 0 && !awaiting && transfers < MAX_TRANSFERS ->
        transfers++;
        if :: y = 1 :: y = 2 fi;
        awaiting = true; treq_sent++;
        SEND(h, OWNER, TransferRequest, y);
        y = 0
       }
    /* Delete one copy; releasing the last one tells the owner. */
    :: atomic {
        copies[h] > 0 && deletes < MAX_DELETES ->
        deletes++;
        copies[h]--;
        if
        :: copies[h] == 0 -> SEND(h, OWNER, HolderRelease, installed[h])
        :: else
        fi
       }
    /* Revoke, requested from a holder. */
    :: atomic {
        copies[h] > 0 && revokes < MAX_REVOKES ->
        revokes++;
        SEND(h, OWNER, RevokeRequest, 0)
       }
    od
}

/* Invariant 4: every core with a copy, or with a grant in flight to it, is
 * in holders (at every reachable state; a monitor may assert at any point). */
active proctype monitor() {
    assert((copies[1] == 0 && inflight[1] == 0) || (holders & BIT(1)));
    assert((copies[2] == 0 && inflight[2] == 0) || (holders & BIT(2)))
}

init {
    atomic { run holder(1); run holder(2) }
}
