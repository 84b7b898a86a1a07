/*
 * Atoll cross-core capability protocol: the reference model.
 * See docs/cross_core_protocol.md. Checked exhaustively by spin for 3 cores
 * (CTest: model/capability_protocol, driver tests/model/run_spin.py).
 *
 * One kernel object, owned by core 0; cores 1 and 2 may hold copies. The
 * messages are the kernel's (percpu/messages.hpp), by the same names:
 *   IpcCap          a copy travelling in a call, reply or invocation
 *                   (from the owner, or from a holder to a third core)
 *   TransferRequest Y -> owner: Y got a copy from a third core; record me
 *   TransferGrant   owner -> Y: arg 1 granted, 0 refused (the token is stale)
 *   HolderRelease   holder -> owner: arg = copies of the token it took in
 *   RevokeRequest   owner -> holder: your copies of this token are void
 *   RevokeAck       holder -> owner: none of them can be used any more
 * Every message also carries the token's generation: a revoke moves the
 * object's export to the next one, so a token sent before it is stale.
 *
 * Channels are reliable FIFO, one per ordered pair: ch[from*N+to]. Each
 * core handles one message (or starts one operation) at a time and its
 * state is private, so every handler is one atomic step.
 *
 * The owner does not send new copies while its revoke is running (its one
 * thread here waits in the revoke; in the kernel another thread may, which
 * exports the object again under a new generation: a separate instance of
 * the same protocol).
 *
 * Bug injection (run_spin.py MODEL DIR -DBUG_...) must make pan report an
 * assertion violation; CTest checks each one fails:
 *   BUG_NO_ACK_WAIT        the revoke returns as soon as it has sent the
 *                          RevokeRequests, without waiting for the RevokeAcks
 *   BUG_GRANT_STALE        the owner grants a TransferRequest for a stale token
 *   BUG_RELEASE_UNCHECKED  the owner honours HolderRelease(n) even if copies
 *                          it sent are still on their way
 *   BUG_NO_JOIN            a second revoke of the object returns at once
 *                          instead of waiting for the one running
 */

#define N 3
#define OWNER 0
#ifndef MAX_SENDS
#define MAX_SENDS 4       /* copies sent, all cores together */
#endif
#ifndef MAX_DELETES
#define MAX_DELETES 2     /* deletes per holder core */
#endif
#ifndef MAX_REVOKES
#define MAX_REVOKES 2     /* revoke calls on the owner */
#endif

/* Channel buffer: large enough that no send can block under the bounds. */
#ifndef QSZ
#define QSZ (MAX_SENDS + MAX_DELETES + 2 * MAX_REVOKES + 2)
#endif

mtype = { IpcCap, TransferRequest, TransferGrant, HolderRelease, RevokeRequest, RevokeAck };

chan ch[N*N] = [QSZ] of { mtype, byte, byte };   /* type, arg, generation */

/* Owner (core 0). */
byte gen = 1;            /* the export's generation: tokens carry it */
byte outstanding[N];     /* copies of the current token sent to h, not yet released by h */
bool revoking;
byte revoking_gen;       /* the generation the running revoke voids */
byte pending;            /* holders whose RevokeAck is outstanding */
byte waiters;            /* revoke calls waiting for it (the first, and any that joined) */

/* Holders (index 0 unused). One RemoteRef per token and core. */
byte live[N];            /* usable copies */
byte held_gen[N];        /* generation of the RemoteRef (0: none) */
byte installed[N];       /* copies it took in since its last release */
byte hold_gen[N];        /* asked the owner for a copy of this generation, holding its RemoteRef */

/* Budgets. */
byte sends, revokes;

/* Ghosts. */
byte revoked_upto;       /* every generation up to this one: its revoke returned */
byte owner_inflight[N];  /* IpcCaps of the current generation from the owner to h, not yet received */
byte requests, grants;   /* TransferRequests sent, TransferGrants received */
byte marks, acks;        /* RevokeRequests sent, RevokeAcks received */

#define SEND(from, to, m, a, g) \
    assert(nfull(ch[(from)*N + (to)])); ch[(from)*N + (to)]!m,a,g

#define BIT(c) (1 << (c))
#define HOLDERS ((outstanding[1] > 0 -> BIT(1) : 0) | (outstanding[2] > 0 -> BIT(2) : 0))

/* A usable copy of generation g is taken in on core h. Invariant 1: never
 * one whose revoke has returned. */
inline take_in(h, g) {
    assert(g > revoked_upto);
    assert(held_gen[h] == 0 || held_gen[h] == g);
    held_gen[h] = g;
    live[h]++;
    installed[h]++
}

/* The revoke returns to every caller waiting in it. Invariant 1 again: no
 * core holds a usable copy of a revoked generation. */
inline revoke_returns() {
    revoked_upto = revoking_gen;
    assert(live[1] == 0 || held_gen[1] > revoked_upto);
    assert(live[2] == 0 || held_gen[2] > revoked_upto);
    revoking = false;
    waiters = 0
}

inline send_revoke_request(h) {
    if
    :: pending & BIT(h) -> marks++; SEND(OWNER, h, RevokeRequest, 0, revoking_gen)
    :: else
    fi
}

inline start_revoke() {
    if
    :: !revoking ->
        /* The export moves to the next generation and forgets every holder. */
        revoking = true;
        revoking_gen = gen;
        gen++;
        pending = HOLDERS;
        outstanding[1] = 0; outstanding[2] = 0;
        owner_inflight[1] = 0; owner_inflight[2] = 0;
        waiters = 1;
        send_revoke_request(1);
        send_revoke_request(2);
#ifdef BUG_NO_ACK_WAIT
        pending = 0;
#endif
        if
        :: pending == 0 -> revoke_returns()
        :: else
        fi
    :: else ->
#ifdef BUG_NO_JOIN
        revoked_upto = revoking_gen;   /* returns now, as if the revoke were done */
        assert(live[1] == 0 || held_gen[1] > revoked_upto);
        assert(live[2] == 0 || held_gen[2] > revoked_upto)
#else
        waiters++                      /* joins the running revoke */
#endif
    fi
}

#ifdef BUG_GRANT_STALE
#define TOKEN_LIVE(g) true
#else
#define TOKEN_LIVE(g) ((g) == gen)
#endif

/* Owner handles message m (arg a, generation g) from core x. */
inline owner_handle(x, m, a, g) {
    if
    :: m == TransferRequest ->
        if
        :: TOKEN_LIVE(g) -> outstanding[x]++; SEND(OWNER, x, TransferGrant, 1, g)
        :: else -> SEND(OWNER, x, TransferGrant, 0, g)
        fi
    :: m == HolderRelease ->
        if
        :: g == gen ->
#ifdef BUG_RELEASE_UNCHECKED
            outstanding[x] = 0
#else
            assert(a <= outstanding[x]);
            outstanding[x] = outstanding[x] - a   /* a copy may still be on its way */
#endif
        :: else -> skip   /* a stale token: the revoke forgot this holder already */
        fi
    :: m == RevokeAck ->
        acks++;
#ifndef BUG_NO_ACK_WAIT
        assert(pending & BIT(x));
#endif
        pending = pending & ~BIT(x);
        if
        :: pending == 0 && revoking -> revoke_returns()
        :: else
        fi
    fi
}

active proctype owner() {
    mtype m;
    byte a, g, y;
end:
    do
    /* Pass a copy to a holder core (a call, reply or invocation). */
    :: atomic {
        sends < MAX_SENDS && !revoking -> sends++;
        if :: y = 1 :: y = 2 fi;
        outstanding[y]++;
        owner_inflight[y]++;
        SEND(OWNER, y, IpcCap, 0, gen);
        y = 0
       }
    /* Revoke the original capability. */
    :: atomic { revokes < MAX_REVOKES -> revokes++; start_revoke() }
    :: atomic { ch[1*N + OWNER]?m,a,g -> owner_handle(1, m, a, g); m = 0; a = 0; g = 0 }
    :: atomic { ch[2*N + OWNER]?m,a,g -> owner_handle(2, m, a, g); m = 0; a = 0; g = 0 }
    /* Quiescent: every request was answered (invariant 2), no revoke hangs. */
    :: timeout ->
        assert(requests == grants);
        assert(marks == acks);
        assert(!revoking && pending == 0 && waiters == 0);
        assert(len(ch[1]) == 0 && len(ch[2]) == 0 && len(ch[3]) == 0 &&
               len(ch[5]) == 0 && len(ch[6]) == 0 && len(ch[7]) == 0);
        break
    od
}

/* Releasing the RemoteRef (its last copy deleted, nothing held). */
inline release(h) {
    SEND(h, OWNER, HolderRelease, installed[h], held_gen[h]);
    installed[h] = 0;
    held_gen[h] = 0
}

/* The RemoteRef of the live copies is also the one held for a grant. (The
 * counted releases alone keep the owner right: a release sent after the
 * request follows it on the FIFO channel. The hold keeps the kernel's
 * RemoteRef object alive for the grant to find.) */
#define HELD(h) (hold_gen[h] != 0 && hold_gen[h] == held_gen[h])

proctype holder(byte h; byte other) {
    mtype m;
    byte a, g, deletes;
end:
    do
    /* From the owner. */
    :: atomic {
        ch[OWNER*N + h]?m,a,g ->
        if
        :: m == IpcCap ->
            if
            :: g == gen -> owner_inflight[h]--
            :: else
            fi;
            take_in(h, g)
        :: m == TransferGrant ->
            assert(hold_gen[h] == g);
            grants++;
            if
            :: a == 1 -> take_in(h, g)
            :: else -> skip   /* refused: the copy is dropped (the call sees kDead) */
            fi;
            if   /* the hold goes; a RemoteRef nothing else uses is released */
            :: held_gen[h] == g && live[h] == 0 -> release(h)
            :: held_gen[h] != g -> SEND(h, OWNER, HolderRelease, 0, g)
            :: else
            fi;
            hold_gen[h] = 0
        :: m == RevokeRequest ->
            if
            :: held_gen[h] == g ->
                live[h] = 0;   /* void: operations answer kDead, mappings go */
                if             /* deleted (here at once) unless held for a grant */
                :: !HELD(h) -> release(h)
                :: else
                fi
            :: else
            fi;
            SEND(h, OWNER, RevokeAck, 0, g)
        fi;
        m = 0; a = 0; g = 0
       }
    /* A copy from the other holder: ask the owner before taking it. */
    :: atomic {
        hold_gen[h] == 0 && nempty(ch[other*N + h]) ->
        ch[other*N + h]?m,a,g;
        hold_gen[h] = g;
        requests++;
        SEND(h, OWNER, TransferRequest, 0, g);
        m = 0; a = 0; g = 0
       }
    /* Pass a copy on to the other holder. */
    :: atomic {
        live[h] > 0 && sends < MAX_SENDS -> sends++;
        SEND(h, other, IpcCap, 0, held_gen[h])
       }
    /* Delete a copy; the last one releases the RemoteRef unless it is held. */
    :: atomic {
        live[h] > 0 && deletes < MAX_DELETES ->
        deletes++;
        live[h]--;
        if
        :: live[h] == 0 && !HELD(h) -> release(h)
        :: else
        fi
       }
    od
}

/* Invariant 3: the owner keeps the export (counts a core as a holder) while
 * that core has a usable copy of the current token, or one is on its way
 * to it from the owner, or it holds its RemoteRef for a grant. Checked in
 * every reachable state. */
active proctype monitor() {
    assert(revoking || live[1] == 0 || held_gen[1] != gen || outstanding[1] > 0);
    assert(revoking || live[2] == 0 || held_gen[2] != gen || outstanding[2] > 0);
    assert(owner_inflight[1] == 0 || outstanding[1] > 0);
    assert(owner_inflight[2] == 0 || outstanding[2] > 0)
}

init {
    atomic { run holder(1, 2); run holder(2, 1) }
}
