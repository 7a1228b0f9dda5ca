/*
 * elevator-mesh: the call-replication protocol as a Promela model, for spin.
 *
 * What it mirrors (read beside the code):
 *   src/core/call-register.ts  per-origin marks p/k/s, witnesses ("seen"), join, merge (self
 *                              becomes a witness of every pending instance it holds), press,
 *                              confirm, serve, coversInstance.
 *   src/core/call-confirmation.ts  confirmPendingCalls (hall: every alive node is a witness, or
 *                              alone and on the node's disk; cab: on the owner's disk and held by
 *                              one other alive peer, or alone).
 *   src/core/lamp-policy.ts    ButtonLamps.update (a lamp turns on only when the lit instances are
 *                              on this node's disk; an unsynced node, src/core/view-sync.ts, never
 *                              darkens a lamp it did not light).
 *   src/core/persistence.ts    the `persisted` event (DurableCopy: what the disk is known to hold),
 *                              restart from disk / from an empty disk (restoreView;
 *                              src/node/controller-node.ts: the epoch is above every number an
 *                              earlier run used).
 *   src/core/controller.ts     handle(): every event ends with confirmPendingCalls, then the lamps.
 *
 * The building: N nodes (N = 3 by default, -DN=2 for two), ONE hall button (every node has it on
 * its panel; its register has one origin per node) and ONE cab button of elevator 0 (origin 0 only;
 * every node keeps a copy, only node 0 persists it and has its lamp). Floors, directions and the
 * car's motion are abstracted to "the car opens its door at that floor announcing the call's
 * direction" (the serve action), which the real code allows only for a lit call of its requests.
 *
 * Abstractions (each is a superset of what the code can do, unless said otherwise):
 *  - A datagram carries the sender's whole hall register or its cab register or both (a slice:
 *    the code slices per (register, origin); the model per register).
 *  - Network: one datagram in flight per sender, kept until overwritten by the sender's next
 *    broadcast (a send may also be lost outright, leaving the older one in flight: delay). Each
 *    receiver gets it at most ... any number of times (duplication), or never (loss); a
 *    datagram of a crashed run may arrive after the node restarted (old incarnation). Delivery
 *    ignores sequence numbers: the code drops stale and duplicate sequence numbers, which only
 *    removes behaviours.
 *  - Persist (the disk write and the `persisted` event) is one atomic step that may happen at
 *    any moment and writes the memory as it is then.
 *  - Peer timeouts: a node may stop counting any peer as alive at any moment (false suspicion
 *    allowed); hearing a datagram of a peer makes it alive again.
 *  - Assignment: any up node that shows the hall call lit may serve it (the assigner picks one;
 *    two serving it is harmless), so the model allows every choice. Motor failure and obstruction
 *    ("unavailable") make a car not serve: the free choice already includes never serving, so they
 *    are no separate state (every car is available once the faults stop).
 *  - The alone rule as fixed (issue 14, observation 1): a node counts as alone only once it has
 *    been up one peer timeout (`settled`, set at any moment after a start or restart) and counts
 *    no peer alive. Until then its pending calls stay pending.
 *  - Lamp sync (ViewSync.knowsCalls): with a disk at once; once up one peer timeout (settled)
 *    with a whole datagram (both registers) heard from every peer this run heard (session 11; the
 *    rule before, one whole datagram of any peer, is finding SYNC_FIRST_PASS); or by the timeout
 *    fallback while the node hears no peer. A lamp such a node darkens with no service is allowed
 *    only when a node holding the call was never heard by its run (unheardHolderHall): the nodes
 *    do not know how many they are, so no rule can wait for it. Where the model departs
 *    from the code, a FINDING define gives the code's rule and the runner expects its
 *    counterexample (KEEP_PENDING_DARK below; the fallback at stepSync).
 *  - aloneHallCalls = accept (the default).
 *
 * Bounds, and why (the runner's configurations; --deep checks the larger ones):
 *  - Instance numbers: press numbers above max(p, k, s, epoch), and an epoch is the largest number
 *    its node ever used (the real epoch is a start time in ms, above every earlier number), so they
 *    stay below PRESS_H + PRESS_C + 2. The properties compare them only by order: larger numbers
 *    would only rename them.
 *  - One press per call (PRESS_H = 1 or PRESS_C = 1, hall and cab apart): the marks of different
 *    origins never interact (join, confirm and the properties are per origin and per instance), and
 *    hall and cab registers share no rule but the datagram that carries both. A second press makes
 *    a second instance only after the first was served or while it is dark at that node; that is
 *    "two presses of the same button during a partition": PRESS_H = 2 is in --deep, as are both
 *    calls together (the slices that carry one register and not the other). One press does NOT
 *    suffice: the lamp couples the origins (a panel's lamp stands for the instances of every
 *    origin), and the 2-press run found a defect no 1-press run can show (session 9, at 30.9
 *    million states: finding LAMP_FORGETS_INHERITED).
 *    With the fix, the unbounded 2-press run explored 98 million states without an error before
 *    its 20 GB memory bound (not finished); session 10, hash-compact (-DHC4, a partial search
 *    here: it stores fewer states than the exhaustive search on the runs that finish), 277
 *    million states without an error in 48 min, stopped unfinished. Session 11: with two presses
 *    and no cab call the nodes are symmetric (canon, below), and broadcasts are bounded
 *    (-DBCASTS, any number of duplicates of each): in CI, 2 presses with 1 crash and 1 broadcast
 *    (exhaustive; it finds LAMP_FORGETS_INHERITED, the defect the unbounded run found at 30.9
 *    million states, in 217,466) and 2 presses with 2 broadcasts and no crash; in --deep,
 *    2 presses, 1 crash, 2 broadcasts (25.4 million states, exhaustive, no error). 3 broadcasts
 *    do not finish within 20 GB (docs/design.md, 7).
 *  - One crash (CRASHES = 1), restart from the disk or from an empty disk: the claim is about a
 *    single failure; a second crash is in --deep (not run to the end yet). One more disk loss is
 *    applied when the
 *    faults stop (the calm run), in runs that had no crash.
 *  - No cut by default (CUTS = 0): every delivery may be lost, one by one and without bound, so a
 *    partition (a node cut off, then healed) is one pattern of losses the model already has; the
 *    cut step only restricts deliveries and adds no behaviour (-DCUTS=1 keeps it, for a trail that
 *    reads like failure case 6). Peer timeouts and false suspicions are unbounded.
 *  - Nodes: 2 in CI exhaustively with every fault; 3 nodes (3 witnesses, three-way races) in CI
 *    with one broadcast (BCASTS = 1: every later datagram is a duplicate of it) exhaustively, and
 *    every mutant with 3 nodes. Without that bound, 3 nodes and no crash is more than 212 million
 *    states without the symmetry reduction (below) and more than 125 million with it (neither
 *    finished): --deep, stored as a minimised automaton (-DMA, 16 MB instead of tens of GB;
 *    docs/design.md, 7, has the figures).
 *  - ROUNDS = 4 fair rounds: one round delivers every node's state to every other; a call needs at
 *    most: witnesses, confirm and persist, light and serve, the service heard; the mutants that
 *    break liveness (NO_CAB_REBROADCAST, NEVER_SYNC) are caught with these rounds.
 *
 * Liveness: checked as bounded response under one fair schedule. At any reachable state the
 * faults may stop (CALM): crashed nodes restart, every node is connected, and rounds of (every
 * node broadcasts, every node hears every datagram, persists, serves what it shows lit) run; after
 * them every instance that ever lit a lamp must be served and every lamp off. In a run that had
 * no crash, optionally one node first crashes with its disk lost (no single failure loses a lit
 * call).
 *
 * Cost: every step is one d_step (one event of one node); the properties are checked once per
 * state by a monitor process, not once per transition; one process per node keeps the C that spin
 * generates (and its compile time) small. Partial-order reduction cannot help here: every step
 * reads and writes shared variables (the network and the ghosts). With 3 nodes, the symmetry of
 * nodes 1 and 2 halves the space (canon, below: 1,072,532 states instead of 2,103,282 for the
 * 1-broadcast run, same verdict); with 2 nodes, 2 presses and no cab call, the symmetry of nodes 0
 * and 1 does the same (751,339 states instead of 1,500,246 for the 2-press 1-broadcast run).
 *
 * Mutants (-D), each rejected by a property (model/run-model.ts): CONFIRM_ALONE_WITNESS,
 * LIGHT_BEFORE_DISK, MERGE_MIN, EPOCH_REUSE, CAB_ANY_SERVER, SUSPECT_DROPS, NO_CAB_REBROADCAST,
 * NEVER_SYNC, RESTART_ALONE (the old alone rule). Findings (-D, the code's rule where the model
 * departs from it; each must fail): LAMP_DARKENS_PENDING, STRICT_LAMP_ON_DISK,
 * LAMP_FORGETS_INHERITED, SYNC_FIRST_PASS.
 */

#ifndef N
#define N 3
#endif
#ifndef PRESS_H
#define PRESS_H 2
#endif
#ifndef PRESS_C
#define PRESS_C 1
#endif
#ifndef CRASHES
#define CRASHES 2
#endif
#ifndef CUTS
#define CUTS 0
#endif
#ifndef ROUNDS
#define ROUNDS 4
#endif

#define ALL ((1 << N) - 1)
#define IX(n, vo) ((n) * N + (vo))
#define BIT(n) (1 << (n))
#define UNK 0
#define OFF 1
#define ON 2

/* --- every node's memory ---------------------------------------------------------------- */
bit up[N];
byte hp[N * N]; byte hk[N * N]; byte hs[N * N]; byte hw[N * N];   /* hall register, origin o at node n; hw: witnesses */
byte cp[N]; byte ck[N]; byte cs[N]; byte cw[N];                   /* elevator 0's cab register, as node n holds it */
byte alive[N];      /* peers node n counts as alive (bit set), itself excluded */
bit fellBack[N];    /* ghost: this run synced its lamps by the timeout fallback (it knew no call) */
bit settled[N];     /* this run has been up one peer timeout (the alone rule may apply) */
bit synced[N];      /* ViewSync.knowsCalls */
byte heardRun[N];   /* ViewSync: the peers this run has heard (bit set) */
byte passRun[N];    /* ViewSync: the peers whose whole datagram (both registers) this run has heard */
byte lampH[N];      /* ButtonLamps' lamp map for the hall button: UNK / OFF / ON */
byte lampC;         /* node 0's cab lamp map */
byte inhH[N * N];   /* ButtonLamps.inherited: the instance of origin o held pending at node n while its
                       hall lamp was UNK (a previous run may have lit the lamp for it); 0: none */
byte inhC;          /* the same for node 0's cab lamp */
byte epoch[N];

/* --- every node's disk ------------------------------------------------------------------- */
byte dp[N * N]; byte dk[N * N]; byte ds[N * N]; byte dw[N * N];
byte dcp; byte dck; byte dcs; byte dcw;                          /* node 0's own cab calls */

/* --- the network: one datagram in flight per sender ---------------------------------------- */
byte mhp[N * N]; byte mhk[N * N]; byte mhs[N * N]; byte mhw[N * N];
byte mcp[N]; byte mck[N]; byte mcs[N]; byte mcw[N];
byte mto[N];        /* receivers that may still get sender s's datagram */
byte cut;           /* nodes cut off from the others */

/* --- the physical world and ghosts (not part of any node) ---------------------------------- */
bit physH[N];       /* the hall lamp as panel n shows it (survives a crash of its controller) */
bit physC;          /* node 0's cab lamp */
byte litH[N * N];   /* the newest instance of origin o that panel n's lamp has been lit for */
byte litC;
byte everLitH[N];   /* the newest instance of origin o that ever lit a lamp */
byte everLitC;
byte doorH;         /* panels whose lamp has seen a door open at the call (any car) since it lit */
byte servedH[N];    /* the newest instance of origin o cleared by a real service (door opening) */
byte servedC;
byte aloneH[N];     /* instances of origin o confirmed under the alone rule (bit set) */
byte aloneC;
byte issuedH[N];    /* instance numbers origin o has used (bit set) */
byte issuedC;
byte used[N];       /* the largest instance number node n ever used (its clock is past it) */

/* --- budgets -------------------------------------------------------------------------------- */
byte pressesH; byte pressesC; byte crashes; byte cuts;
#ifdef BCASTS
byte bcasts;     /* broadcasts so far (-DBCASTS) */
#endif
bit calm;
byte lossAtCalm;  /* the node whose disk is lost when the faults stop (N: none) */
bit emptied;     /* some node's disk has been lost (a restart with an empty disk) */

/* temporaries: never carry information between two atomic steps */
hidden byte vi, vj, vo, vx, vt, vu, vw, np, nk, ns, rnd;
hidden byte vok, vb;
hidden byte vinh;   /* an inherited instance of the lamp is still pending */
hidden byte vblind, vdisk;  /* the lamp being darkened is one its run never knew (fellBack) */

#define MAX(a, vb) ((a) > (vb) -> (a) : (vb))
#define PENDH(n, vo) (hp[IX(n, vo)] > hk[IX(n, vo)] && hp[IX(n, vo)] > hs[IX(n, vo)])
#define PENDC(n) (cp[n] > ck[n] && cp[n] > cs[n])

/* The alone rule (confirmPendingCalls and aloneKnownFrom in call-confirmation.ts, as fixed): a node counts as alone for confirmation only
   once it has been up one peer timeout (settled) and counts no peer as alive. GENUINELY_ALONE is
   the requirements' notion, used by the ghosts that record which instances the alone rule
   confirmed (the only ones a lost disk may lose). */
#define GENUINELY_ALONE(n) (alive[n] == 0 && settled[n])
#ifdef RESTART_ALONE
/* MUTANT (the old rule): a node that hears no peer is alone at once, even just after a restart. */
#define ALONE(n) (alive[n] == 0)
#else
#define ALONE(n) GENUINELY_ALONE(n)
#endif

/* isLit: some origin has k > s */
inline litHall(n, res) {
  res = 0;
  for (vj : 0 .. N - 1) { if :: hk[IX(n, vj)] > hs[IX(n, vj)] -> res = 1 :: else -> skip fi; skip }
}
/* phaseOf(register) != 'none' */
inline liveHall(n, res) {
  res = 0;
  for (vj : 0 .. N - 1) {
    if :: hk[IX(n, vj)] > hs[IX(n, vj)] || PENDH(n, vj) -> res = 1 :: else -> skip fi; skip
  }
}

/* marks(): witnesses are kept only while the instance is pending */
inline normW(pp, kk, ss, ww) {
  if :: !(pp > kk && pp > ss) -> ww = 0 :: else -> skip fi; skip
}

/* mergeRegister for hall origin oo: join of node r's copy and sender s's datagram, then r is a
   witness of the pending instance it now holds. Asserts that the merge only grows marks. */
inline mergeHallOrigin(r, s, oo) {
  if
  :: hp[IX(r, oo)] == mhp[IX(s, oo)] -> vw = hw[IX(r, oo)] | mhw[IX(s, oo)]
  :: hp[IX(r, oo)] > mhp[IX(s, oo)] -> vw = hw[IX(r, oo)]
  :: else -> vw = mhw[IX(s, oo)]
  fi;
#ifdef MERGE_MIN
  /* MUTANT: the merge takes the minimum of the served mark. */
  np = MAX(hp[IX(r, oo)], mhp[IX(s, oo)]); nk = MAX(hk[IX(r, oo)], mhk[IX(s, oo)]);
  ns = (hs[IX(r, oo)] < mhs[IX(s, oo)] -> hs[IX(r, oo)] : mhs[IX(s, oo)]);
#else
  np = MAX(hp[IX(r, oo)], mhp[IX(s, oo)]); nk = MAX(hk[IX(r, oo)], mhk[IX(s, oo)]);
  ns = MAX(hs[IX(r, oo)], mhs[IX(s, oo)]);
#endif
  normW(np, nk, ns, vw);
  if :: np > nk && np > ns -> vw = vw | BIT(r) :: else -> skip fi;
  /* P_MONOTONE: merging never lowers a mark (no served instance comes back, whatever the order) */
  assert(np >= hp[IX(r, oo)] && nk >= hk[IX(r, oo)] && ns >= hs[IX(r, oo)]);
  assert(np >= mhp[IX(s, oo)] && nk >= mhk[IX(s, oo)] && ns >= mhs[IX(s, oo)]);
  hp[IX(r, oo)] = np; hk[IX(r, oo)] = nk; hs[IX(r, oo)] = ns; hw[IX(r, oo)] = vw
}

inline mergeCab(r, s) {
  if
  :: cp[r] == mcp[s] -> vw = cw[r] | mcw[s]
  :: cp[r] > mcp[s] -> vw = cw[r]
  :: else -> vw = mcw[s]
  fi;
  np = MAX(cp[r], mcp[s]); nk = MAX(ck[r], mck[s]);
#ifdef MERGE_MIN
  ns = (cs[r] < mcs[s] -> cs[r] : mcs[s]);
#else
  ns = MAX(cs[r], mcs[s]);
#endif
  normW(np, nk, ns, vw);
  if :: np > nk && np > ns -> vw = vw | BIT(r) :: else -> skip fi;
  assert(np >= cp[r] && nk >= ck[r] && ns >= cs[r]);
  assert(np >= mcp[s] && nk >= mck[s] && ns >= mcs[s]);
  cp[r] = np; ck[r] = nk; cs[r] = ns; cw[r] = vw
}

/* confirmPendingCalls: pending instances become confirmed once stored where a single failure cannot
   lose them. */
inline confirmPendingCalls(n) {
  for (vo : 0 .. N - 1) {
    if
    :: PENDH(n, vo) ->
       if
       :: ALONE(n) -> vok = (dp[IX(n, vo)] >= hp[IX(n, vo)])   /* alone: on our disk (accept) */
       :: alive[n] == 0 && !ALONE(n) -> vok = 0               /* up less than a peer timeout: wait */
#ifdef CONFIRM_ALONE_WITNESS
       /* MUTANT: confirm as soon as this node holds it, before any peer does. */
       :: else -> vok = 1
#else
       :: else -> vok = ((hw[IX(n, vo)] & (alive[n] | BIT(n))) == (alive[n] | BIT(n)))
#endif
       fi;
       if
       :: vok ->
          if :: GENUINELY_ALONE(n) -> aloneH[vo] = aloneH[vo] | BIT(hp[IX(n, vo)]) :: else -> skip fi;
          hk[IX(n, vo)] = hp[IX(n, vo)]; hw[IX(n, vo)] = 0
       :: else -> skip
       fi
    :: else -> skip
    fi; skip
  }
  if
  :: n == 0 && PENDC(0) ->
     vok = (dcp >= cp[0]) && (ALONE(0) || (cw[0] & alive[0]) != 0);
     if
     :: vok ->
        if :: GENUINELY_ALONE(0) -> aloneC = aloneC | BIT(cp[0]) :: else -> skip fi;
        ck[0] = cp[0]; cw[0] = 0
     :: else -> skip
     fi
  :: else -> skip
  fi; skip
}

/* The panel's lamp changes: ghosts record which instances it was lit for; P_LAMP_OFF_AFTER_SERVICE. */
inline physHall(n, on) {
  if
  :: on ->
     if :: !physH[n] -> doorH = doorH & ~BIT(n) :: else -> skip fi;
     physH[n] = 1;
     for (vj : 0 .. N - 1) {
       if
       :: hk[IX(n, vj)] > hs[IX(n, vj)] ->
          litH[IX(n, vj)] = MAX(litH[IX(n, vj)], hk[IX(n, vj)]);
          everLitH[vj] = MAX(everLitH[vj], hk[IX(n, vj)])
       :: else -> skip
       fi; skip
     }
  :: else ->
     if
     :: physH[n] ->
        /* P_LAMP_OFF_AFTER_SERVICE: every instance the lamp was lit for has been served, or a car
           opened its door at the call since the lamp lit (that serves whoever waits there; a
           restarted node may clear only the instances it knows, and an instance it did not know
           stays lit elsewhere, to be served again: an extra stop, no lost call) */
        for (vj : 0 .. N - 1) {
          /* (after the calm-phase disk loss, an instance confirmed alone may be gone: permitted) */
          assert(litH[IX(n, vj)] <= servedH[vj] || (emptied && (aloneH[vj] & BIT(litH[IX(n, vj)]))) || vblind
                 || (doorH & BIT(n)))
        }
     :: else -> skip
     fi;
     physH[n] = 0;
     for (vj : 0 .. N - 1) { litH[IX(n, vj)] = 0 }
  fi; skip
}

/* A lamp whose state this run does not know yet (UNK: just started) is not darkened while the call
   is pending here (as ButtonLamps.update in src/core/lamp-policy.ts does; before, it darkened it once it knew the calls):
   a restart from a disk that holds a lit call only as pending (the confirmation was not written
   yet) would otherwise turn the lamp off until the call is confirmed again, which under the fixed
   alone rule takes a peer timeout (model/README: the counterexample LAMP_DARKENS_PENDING). */
#ifdef LAMP_DARKENS_PENDING
#define KEEP_PENDING_DARK(live) 0
#else
#define KEEP_PENDING_DARK(live) (live)
#endif
/* And not only while the lamp is UNK: the instances pending while it was UNK are remembered
   (ButtonLamps.inherit) and keep it from being darkened until each is confirmed or served
   (ButtonLamps.stillInherited), even after this run has set the lamp on again for another instance
   since (session 9: in the 2-press run the lamp was set on for an older instance of the other
   origin, heard after the restart, and darkened when its service was heard, with this node's own
   instance still pending; finding LAMP_FORGETS_INHERITED is that rule, which the code had). */
inline inheritHall(n) {
  if
  :: lampH[n] == UNK ->
     for (vj : 0 .. N - 1) {
       if :: PENDH(n, vj) -> inhH[IX(n, vj)] = MAX(inhH[IX(n, vj)], hp[IX(n, vj)]) :: else -> skip fi; skip
     }
  :: else -> skip
  fi;
  vinh = 0;
  for (vj : 0 .. N - 1) {
    if
    :: inhH[IX(n, vj)] != 0 && hk[IX(n, vj)] < inhH[IX(n, vj)] && hs[IX(n, vj)] < inhH[IX(n, vj)] -> vinh = 1
    :: else -> inhH[IX(n, vj)] = 0
    fi; skip
  }
#ifdef LAMP_FORGETS_INHERITED
  vinh = (lampH[n] != UNK -> 0 : vinh);
#endif
  skip
}
inline inheritCab() {
  if :: lampC == UNK && PENDC(0) -> inhC = MAX(inhC, cp[0]) :: else -> skip fi;
  if
  :: inhC != 0 && ck[0] < inhC && cs[0] < inhC -> vinh = 1
  :: else -> inhC = 0; vinh = 0
  fi;
#ifdef LAMP_FORGETS_INHERITED
  vinh = (lampC != UNK -> 0 : vinh);
#endif
  skip
}

/* A restarted node that knows the calls by the rule of ViewSync (up one peer timeout, a whole
   datagram of every peer it heard) may still darken a lamp it did not light when a node holding
   the call was not heard by its run at all (lost for that peer timeout, or down with the call on
   its disk): it cannot know of that node (the nodes do not know how many they are), as with the
   timeout fallback. res: such a holder exists for an unserved instance the lamp was lit for. */
#define UNHEARD_HOLDS(n, h, j, i) (!(heardRun[n] & BIT(h)) && ((up[h] && hp[IX(h, j)] >= (i) && hs[IX(h, j)] < (i)) || (dp[IX(h, j)] >= (i) && ds[IX(h, j)] < (i))))
#define UNHEARD_HOLDS_ANY(n, j, i) (UNHEARD_HOLDS(n, (n + 1) % N, j, i) || (N == 3 && UNHEARD_HOLDS(n, (n + 2) % N, j, i)))
/* (one expression, no loop: the calm run's d_step is near spin's limit of 2048 jump targets) */
#define UNHEARD_LIT(n, j) (litH[IX(n, j)] > servedH[j] && UNHEARD_HOLDS_ANY(n, j, litH[IX(n, j)]))
#define unheardHolderHall(n, res) res = (settled[n] && (UNHEARD_LIT(n, 0) || UNHEARD_LIT(n, 1) || (N == 3 && UNHEARD_LIT(n, N - 1))))
#define UNHEARD_CAB(h) (!(heardRun[0] & BIT(h)) && up[h] && cp[h] >= litC && cs[h] < litC)
#define unheardHolderCab(res) res = (settled[0] && litC > servedC && (UNHEARD_CAB(1) || (N == 3 && UNHEARD_CAB(N - 1))))

/* ViewSync.settle: a node without a disk knows the calls once it has been up one peer timeout and
   has heard a whole datagram of every peer it heard (at least one). SYNC_FIRST_PASS (a finding):
   the rule the code had before session 11, one whole datagram of any peer. */
#if defined(NEVER_SYNC) || defined(SYNC_FIRST_PASS)
#define syncByPasses(n) skip
#else
#define syncByPasses(n) synced[n] = (synced[n] || (settled[n] && heardRun[n] != 0 && (heardRun[n] & ~passRun[n]) == 0))
#endif
inline heardDatagram(r, s, part) {
  heardRun[r] = heardRun[r] | BIT(s);
  passRun[r] = passRun[r] | (part == 3 -> BIT(s) : 0);
#if defined(SYNC_FIRST_PASS) && !defined(NEVER_SYNC)
  if :: part == 3 -> synced[r] = 1 :: else -> skip fi;
#endif
  syncByPasses(r)
}

/* ButtonLamps.update for the hall button at node n */
inline lampsHall(n) {
  litHall(n, vb);
  inheritHall(n);
  /* holdsLitInstances(durable, reg) */
  vok = 1;
  for (vj : 0 .. N - 1) {
    if :: hk[IX(n, vj)] > hs[IX(n, vj)] && dp[IX(n, vj)] < hk[IX(n, vj)] -> vok = 0 :: else -> skip fi; skip
  }
  vdisk = vok;
#ifdef LIGHT_BEFORE_DISK
  vok = 1; /* MUTANT: light without waiting for the disk write */
#endif
  if
  :: vb && lampH[n] != ON && !vok -> skip          /* lit, not on our disk yet: wait */
  :: else ->
     if
     :: vb && lampH[n] != ON ->
        /* P_LIGHT_ON_DISK: a lamp turns on only for instances on this node's disk */
        assert(vdisk);
        lampH[n] = ON; physHall(n, 1)
     :: vb && lampH[n] == ON -> physHall(n, 1)      /* still on: record the instances it now shows */
     :: !vb && lampH[n] == ON && !KEEP_PENDING_DARK(vinh) -> lampH[n] = OFF; physHall(n, 0)
     :: !vb && lampH[n] == UNK && synced[n] && !KEEP_PENDING_DARK(vinh) ->
        unheardHolderHall(n, vblind); vblind = vblind || fellBack[n];
        lampH[n] = OFF; physHall(n, 0); vblind = 0
     :: else -> skip
     fi
  fi; skip
}

inline lampsCab() {
  vb = (ck[0] > cs[0]);
  inheritCab();
  vok = (dcp >= ck[0]);
#ifdef LIGHT_BEFORE_DISK
  vok = 1;
#endif
  if
  :: vb && lampC != ON && !vok -> skip
  :: else ->
     if
     :: vb ->
        lampC = ON; physC = 1; litC = MAX(litC, ck[0]); everLitC = MAX(everLitC, ck[0])
     :: !vb && !KEEP_PENDING_DARK(vinh) && (lampC == ON || (lampC == UNK && synced[0])) ->
        unheardHolderCab(vblind);
        if :: physC -> assert(litC <= servedC || (emptied && (aloneC & BIT(litC))) || (lampC == UNK && (fellBack[0] || vblind))) :: else -> skip fi;
        vblind = 0;
        lampC = OFF; physC = 0; litC = 0
     :: else -> skip
     fi
  fi; skip
}

/* What every event ends with (Controller.handle): confirmPendingCalls, then the lamps. */
inline post(n) {
  confirmPendingCalls(n);
  lampsHall(n);
  if :: n == 0 -> lampsCab() :: else -> skip fi; skip
}

/* held(oo, ii, ex): instance ii of origin oo (or a newer one) is unserved in the memory of an
   up node or on a disk, other than node ex's (ex = N: no node excluded). */
inline heldHall(oo, ii, ex, res) {
  res = 0;
  for (vx : 0 .. N - 1) {
    if
    :: vx != ex && up[vx] && hp[IX(vx, oo)] >= ii && hs[IX(vx, oo)] < ii -> res = 1
    :: vx != ex && dp[IX(vx, oo)] >= ii && ds[IX(vx, oo)] < ii -> res = 1
    :: else -> skip
    fi; skip
  }
}

inline heldCab(ii, ex, res) {
  res = 0;
  for (vx : 0 .. N - 1) {
    if :: vx != ex && up[vx] && cp[vx] >= ii && cs[vx] < ii -> res = 1 :: else -> skip fi; skip
  }
  if :: ex != 0 && dcp >= ii && dcs < ii -> res = 1 :: else -> skip fi; skip
}

/* P_SINGLE_FAILURE is a claim about ONE failure: it is checked in the states no crash has reached
   yet (then with each node's memory and disk gone in turn); after a crash, the failure has happened
   and P_LAMP_BACKED (one copy) is what must hold, and the calm run checks the rest. (Checked after
   a crash too it would demand two copies after the first failure, which no protocol can give: a
   node confirms on a witness that crashed a moment later without its disk, before any timeout.)
   SF_LAST: the last node removed in turn; -1 (an empty loop) once a crash happened. */
#define SF_LAST (crashes == 0 -> N - 1 : -1)

/* The safety properties, checked in every state of the fault phase (by the monitor). */
inline check() {
  for (vi : 0 .. N - 1) {
    /* P_LAMP_BACKED and P_SINGLE_FAILURE: a lamp on for an unserved instance means that instance
       is held by an up node's memory or a disk, and still is with any one node's memory and disk
       gone (instances confirmed under the alone rule are exempt from the latter: the alone node's
       disk is their only copy, as the requirements allow). */
    if
    :: physH[vi] ->
       vt = 0;  /* some unserved instance the lamp stands for */
       vok = 0; /* one of them is held */
       for (vo : 0 .. N - 1) {
         if
         :: litH[IX(vi, vo)] > servedH[vo] && !(emptied && (aloneH[vo] & BIT(litH[IX(vi, vo)]))) ->
            vt = 1; heldHall(vo, litH[IX(vi, vo)], N, vb); vok = vok || vb
         :: else -> skip
         fi; skip
       }
       assert(!vt || vok);
       for (vw : 0 .. SF_LAST) {
         vt = 0; vok = 0;
         for (vo : 0 .. N - 1) {
           if
           :: litH[IX(vi, vo)] > servedH[vo] && !(aloneH[vo] & BIT(litH[IX(vi, vo)])) ->
              vt = 1; heldHall(vo, litH[IX(vi, vo)], vw, vb); vok = vok || vb
           :: else -> skip
           fi; skip
         }
         assert(!vt || vok)
       }
    :: else -> skip
    fi;
    /* P_LAMP_ON_DISK (FINDING, observation 2; only with -DSTRICT_LAMP_ON_DISK): an up node's lamp
       that is on stands for instances on its own disk. It fails in the code: a lamp already on
       stays on for a newly merged lit instance that is not on this node's disk yet (ButtonLamps.update),
       and once the older instance is served the lamp stands only for that one. What matters is
       checked without it, per instance: P_LAMP_BACKED and P_SINGLE_FAILURE (the instance is
       confirmed, so every node that counted as alive at its confirmation holds it). */
#ifdef STRICT_LAMP_ON_DISK
    if
    :: up[vi] && lampH[vi] == ON ->
       vt = 0;
       for (vo : 0 .. N - 1) {
         if :: hk[IX(vi, vo)] > hs[IX(vi, vo)] && dp[IX(vi, vo)] >= hk[IX(vi, vo)] -> vt = 1 :: else -> skip fi; skip
       }
       litHall(vi, vb);
       assert(!vb || vt)
    :: else -> skip
    fi;
#endif
    skip
  }
  if
  :: physC && litC > servedC ->
     if :: !(emptied && (aloneC & BIT(litC))) -> heldCab(litC, N, vb); assert(vb) :: else -> skip fi;
     if :: !(aloneC & BIT(litC)) -> for (vw : 0 .. SF_LAST) { heldCab(litC, vw, vb); assert(vb) } :: else -> skip fi
  :: else -> skip
  fi;
  if :: up[0] && lampC == ON && ck[0] > cs[0] -> assert(dcp >= ck[0]) :: else -> skip fi; skip
}

/* The sender's datagram: its view as it is now. */
inline broadcast(s) {
  for (vo : 0 .. N - 1) {
    mhp[IX(s, vo)] = hp[IX(s, vo)]; mhk[IX(s, vo)] = hk[IX(s, vo)];
    mhs[IX(s, vo)] = hs[IX(s, vo)]; mhw[IX(s, vo)] = hw[IX(s, vo)]
  }
#ifdef NO_CAB_REBROADCAST
  /* MUTANT: a node sends only its own elevator's cab calls. */
  if
  :: s == 0 -> mcp[s] = cp[s]; mck[s] = ck[s]; mcs[s] = cs[s]; mcw[s] = cw[s]
  :: else -> mcp[s] = 0; mck[s] = 0; mcs[s] = 0; mcw[s] = 0
  fi;
#else
  mcp[s] = cp[s]; mck[s] = ck[s]; mcs[s] = cs[s]; mcw[s] = cw[s];
#endif
  mto[s] = ALL & ~BIT(s)
}

inline hearFrom(r, s) {
  alive[r] = alive[r] | BIT(s)
}

inline mergeHall(r, s) {
  for (vo : 0 .. N - 1) { mergeHallOrigin(r, s, vo) }
}

/* persist + `persisted`: the disk and what the controller knows it holds */
inline persist(n) {
  for (vo : 0 .. N - 1) {
    dp[IX(n, vo)] = hp[IX(n, vo)]; dk[IX(n, vo)] = hk[IX(n, vo)];
    ds[IX(n, vo)] = hs[IX(n, vo)]; dw[IX(n, vo)] = hw[IX(n, vo)]
  }
  if :: n == 0 -> dcp = cp[0]; dck = ck[0]; dcs = cs[0]; dcw = cw[0] :: else -> skip fi; skip
}

/* serveRegister: the car opened its door there; every instance this node knows is cleared */
inline serveHall(n) {
  doorH = ALL;
  for (vo : 0 .. N - 1) {
    vu = MAX(hp[IX(n, vo)], hk[IX(n, vo)]);
    hs[IX(n, vo)] = MAX(hs[IX(n, vo)], vu); hw[IX(n, vo)] = 0;
    servedH[vo] = MAX(servedH[vo], hs[IX(n, vo)])
  }
}

inline serveCab(n) {
  /* P_CAB_OWN_ELEVATOR: only elevator 0 serves elevator 0's cab call */
  assert(n == 0);
  vu = MAX(cp[n], ck[n]);
  cs[n] = MAX(cs[n], vu); cw[n] = 0;
  servedC = MAX(servedC, cs[n])
}

inline crash(n) {
  up[n] = 0; crashes++;
  for (vo : 0 .. N - 1) { hp[IX(n, vo)] = 0; hk[IX(n, vo)] = 0; hs[IX(n, vo)] = 0; hw[IX(n, vo)] = 0; inhH[IX(n, vo)] = 0 }
  cp[n] = 0; ck[n] = 0; cs[n] = 0; cw[n] = 0;
  alive[n] = 0; settled[n] = 0; synced[n] = 0; fellBack[n] = 0; lampH[n] = UNK;
  heardRun[n] = 0; passRun[n] = 0;
  if :: n == 0 -> lampC = UNK; inhC = 0 :: else -> skip fi; skip
}

inline loseDisk(n) {
  for (vo : 0 .. N - 1) { dp[IX(n, vo)] = 0; dk[IX(n, vo)] = 0; ds[IX(n, vo)] = 0; dw[IX(n, vo)] = 0 }
  if :: n == 0 -> dcp = 0; dck = 0; dcs = 0; dcw = 0 :: else -> skip fi; skip
}

/* A new run: memory from the disk (which may be empty), a new epoch above every number used. */
inline restart(n) {
  up[n] = 1;
  for (vo : 0 .. N - 1) {
    hp[IX(n, vo)] = dp[IX(n, vo)]; hk[IX(n, vo)] = dk[IX(n, vo)];
    hs[IX(n, vo)] = ds[IX(n, vo)]; hw[IX(n, vo)] = dw[IX(n, vo)]
  }
  if :: n == 0 -> cp[0] = dcp; ck[0] = dck; cs[0] = dcs; cw[0] = dcw :: else -> skip fi;
  /* restored !== undefined: a disk with anything on it */
  synced[n] = 0;
  for (vo : 0 .. N - 1) { if :: dp[IX(n, vo)] > 0 -> synced[n] = 1 :: else -> skip fi; skip }
  if :: n == 0 && dcp > 0 -> synced[n] = 1 :: else -> skip fi;
  epoch[n] = used[n];
#ifdef EPOCH_REUSE
  /* MUTANT: a restart with an empty disk starts numbering from scratch. */
  if :: !synced[n] -> epoch[n] = 0 :: else -> skip fi;
#endif
  post(n)
}

inline pressHall(n) {
  pressesH++;
  liveHall(n, vb);
  if
  :: !vb ->
     vu = MAX(hp[IX(n, n)], hk[IX(n, n)]); vu = MAX(vu, hs[IX(n, n)]); vu = MAX(vu, epoch[n]) + 1;
     /* P_UNIQUE_INSTANCE: an origin never uses an instance number twice */
     assert(!(issuedH[n] & BIT(vu)));
     issuedH[n] = issuedH[n] | BIT(vu); used[n] = MAX(used[n], vu);
     hp[IX(n, n)] = vu; hw[IX(n, n)] = BIT(n)
  :: else -> skip
  fi;
  post(n)
}

inline pressCab() {
  pressesC++;
  if
  :: !(ck[0] > cs[0] || PENDC(0)) ->
     vu = MAX(cp[0], ck[0]); vu = MAX(vu, cs[0]); vu = MAX(vu, epoch[0]) + 1;
     assert(!(issuedC & BIT(vu)));
     issuedC = issuedC | BIT(vu); used[0] = MAX(used[0], vu);
     cp[0] = vu; cw[0] = BIT(0)
  :: else -> skip
  fi;
  post(0)
}

/* One round of the fair schedule once the faults have stopped. */
inline fairRound(serve) {
  for (vi : 0 .. N - 1) {
    broadcast(vi);
    for (vx : 0 .. N - 1) {
      if
      :: vx != vi -> hearFrom(vx, vi); mergeHall(vx, vi); mergeCab(vx, vi); heardDatagram(vx, vi, 3)
      :: else -> skip
      fi;
      post(vx)
    }
  }
  for (vi : 0 .. N - 1) {
    /* a round is shorter than a peer timeout, but after the first one every node has been up that
       long as far as the rule cares: it has heard a whole datagram of every node */
    settled[vi] = 1; syncByPasses(vi);
    persist(vi); post(vi);
    litHall(vi, vb);
    if :: serve && vb -> serveHall(vi) :: else -> skip fi;
    if :: serve && vi == 0 && ck[0] > cs[0] -> serveCab(0) :: else -> skip fi;
    post(vi)
  }
}

inline liveness(lost) {
  for (vo : 0 .. N - 1) {
    /* every instance that ever lit a lamp was served (unless its only copy was a lost disk of
       the alone node that confirmed it) */
    assert(everLitH[vo] <= servedH[vo] || (lost && (aloneH[vo] & BIT(everLitH[vo]))));
  }
  assert(everLitC <= servedC || (lost && (aloneC & BIT(everLitC))));
  /* and every panel agrees: all hall lamps off, the cab lamp off */
  for (vi : 0 .. N - 1) { assert(!physH[vi]) }
  assert(!physC)
}

/* With no cab call the nodes' rules are identical (node 0's cab register stays empty), so the
   state space is symmetric in the nodes: the first press may be taken at node 0 without loss of
   generality (a trace whose press is elsewhere is one of these with the nodes renamed). With
   two presses or a cab call any node may press. */
#if PRESS_C == 0 && PRESS_H == 1
#define HALL_PRESSER(n) ((n) == 0)
#else
#define HALL_PRESSER(n) 1
#endif

/* --- symmetry reduction (3 nodes) -----------------------------------------------------------
   Node 0 is the one that differs (the hall press is taken there, the cab call is elevator 0's);
   nodes 1 and 2 run the same rules on the same kind of state, and every property, the fault
   choices and the calm run's choices treat them alike. So a state and the same state with nodes 1
   and 2 renamed have the same futures up to that renaming, and the search keeps one of the two:
   after every step, if node 2's state sorts before node 1's (a key of features that renaming
   swaps exactly), the two are renamed (canon). Sound for any choice of representative; the key
   only decides how often both are kept (on a tie both may be). The calm run's fixed order of
   nodes (0, 1, 2) then stands for (0, 2, 1) in renamed states: another fair schedule of the same
   rounds. A counterexample trail prints "rename 1<->2" where it happened. -DNOSYM turns it off
   (--deep runs the 1-broadcast configuration both ways: both must finish without an error). */
#if N == 3 && !defined(NOSYM)
hidden byte vs;   /* swap temporary */
hidden byte vc;   /* the comparison: 0 tie so far, 1 node 1 first, 2 node 2 first */
/* a peer set as node n sees it: bit 0 node 0, bit 1 itself, bit 2 the other (o) */
#define REL(m, n, o) (((m) & 1) | ((((m) >> (n)) & 1) << 1) | ((((m) >> (o)) & 1) << 2))
#define SWAPPED(m) (((m) & 249) | (((m) & 2) << 1) | (((m) & 4) >> 1))
#define CMP(a, b) if :: vc == 0 && (a) < (b) -> vc = 1 :: vc == 0 && (a) > (b) -> vc = 2 :: else -> skip fi
#define KEY(E) CMP(E(1, 2), E(2, 1))
#define F_UP(n, o) (up[n] * 64 + settled[n] * 32 + synced[n] * 16 + fellBack[n] * 8 + lampH[n] * 2 + physH[n])
#define F_H(n, o) (hp[IX(n, 0)] * 64 + hk[IX(n, 0)] * 8 + hs[IX(n, 0)])
#define F_HW(n, o) (REL(hw[IX(n, 0)], n, o) * 8 + REL(alive[n], n, o))
#define F_D(n, o) (dp[IX(n, 0)] * 64 + dk[IX(n, 0)] * 8 + ds[IX(n, 0)])
#define F_DW(n, o) (REL(dw[IX(n, 0)], n, o) * 8 + REL(mto[n], n, o))
#define F_C(n, o) (cp[n] * 64 + ck[n] * 8 + cs[n])
#define F_CW(n, o) (REL(cw[n], n, o) * 8 + REL(mcw[n], n, o))
#define F_M(n, o) (mhp[IX(n, 0)] * 64 + mhk[IX(n, 0)] * 8 + mhs[IX(n, 0)])
#define F_MW(n, o) (REL(mhw[IX(n, 0)], n, o) * 8 + ((doorH >> (n)) & 1) * 2 + ((cut >> (n)) & 1))
#define F_MC(n, o) (mcp[n] * 64 + mck[n] * 8 + mcs[n])
#define F_E(n, o) (epoch[n] * 16 + used[n])
#define F_O(n, o) (hp[IX(0, n)] * 64 + hp[IX(n, n)] * 8 + litH[IX(n, 0)])
#define F_G(n, o) (everLitH[n] * 16 + servedH[n])
#define F_I(n, o) (issuedH[n] * 16 + aloneH[n])
inline sw(a, b) { vs = a; a = b; b = vs }
/* a (node, origin) table: both indices renamed */
#define swTable(t) sw(t[1], t[2]); sw(t[3], t[6]); sw(t[4], t[8]); sw(t[5], t[7])
/* every peer bitmask of an array of len entries: bits 1 and 2 swapped */
#define swMasks(t, len) for (vs : 0 .. (len) - 1) { t[vs] = SWAPPED(t[vs]) }
inline canon() {
  vc = 0;
  KEY(F_UP); KEY(F_H); KEY(F_HW); KEY(F_D); KEY(F_DW); KEY(F_C); KEY(F_CW); KEY(F_M); KEY(F_MW);
  KEY(F_MC); KEY(F_E); KEY(F_O); KEY(F_G); KEY(F_I);
  if
  :: vc == 2 ->
     printf("rename 1<->2\n");
     swTable(hp); swTable(hk); swTable(hs); swTable(hw); swMasks(hw, N * N);
     swTable(dp); swTable(dk); swTable(ds); swTable(dw); swMasks(dw, N * N);
     swTable(mhp); swTable(mhk); swTable(mhs); swTable(mhw); swMasks(mhw, N * N);
     swTable(litH); swTable(inhH);
     sw(up[1], up[2]); sw(settled[1], settled[2]); sw(synced[1], synced[2]);
     sw(fellBack[1], fellBack[2]); sw(lampH[1], lampH[2]); sw(physH[1], physH[2]);
     sw(epoch[1], epoch[2]); sw(used[1], used[2]);
     sw(cp[1], cp[2]); sw(ck[1], ck[2]); sw(cs[1], cs[2]); sw(cw[1], cw[2]);
     sw(mcp[1], mcp[2]); sw(mck[1], mck[2]); sw(mcs[1], mcs[2]); sw(mcw[1], mcw[2]);
     sw(alive[1], alive[2]); sw(mto[1], mto[2]);
     sw(heardRun[1], heardRun[2]); sw(passRun[1], passRun[2]);
     swMasks(cw, N); swMasks(mcw, N); swMasks(alive, N); swMasks(mto, N);
     swMasks(heardRun, N); swMasks(passRun, N);
     doorH = SWAPPED(doorH); cut = SWAPPED(cut); dcw = SWAPPED(dcw);
     sw(everLitH[1], everLitH[2]); sw(servedH[1], servedH[2]);
     sw(aloneH[1], aloneH[2]); sw(issuedH[1], issuedH[2])
  :: else -> skip
  fi
}
#elif N == 2 && PRESS_C == 0 && PRESS_H >= 2 && !defined(NOSYM)
/* Two nodes, hall calls only, every node may press (PRESS_H >= 2): nothing tells node 0 from node 1
   (node 0's cab register stays empty; its cab lamp map lampC only follows synced[0], UNK until
   node 0 syncs, OFF after, and is set again from it after a renaming). So, as for nodes 1 and 2
   above, a state and the same state with the nodes renamed have the same futures up to the
   renaming, and canon keeps one of the two: it renames when node 1's state sorts before node 0's
   (a key of features that renaming swaps exactly). The calm run's order (0, 1) stands for (1, 0)
   in renamed states. A trail prints "rename 0<->1" where it happened. -DNOSYM turns it off. */
hidden byte vs;
hidden byte vc;
/* a peer set as node n sees it: bit 0 itself, bit 1 the other (o) */
#define REL2(m, n, o) ((((m) >> (n)) & 1) | ((((m) >> (o)) & 1) << 1))
#define SWAPPED2(m) (((m) & 252) | (((m) & 1) << 1) | (((m) & 2) >> 1))
#define CMP(a, b) if :: vc == 0 && (a) < (b) -> vc = 1 :: vc == 0 && (a) > (b) -> vc = 2 :: else -> skip fi
#define KEY(E) CMP(E(0, 1), E(1, 0))
#define F_UP(n, o) (up[n] * 64 + settled[n] * 32 + synced[n] * 16 + fellBack[n] * 8 + lampH[n] * 2 + physH[n])
#define F_HN(n, o) (hp[IX(n, n)] * 64 + hk[IX(n, n)] * 8 + hs[IX(n, n)])
#define F_HO(n, o) (hp[IX(n, o)] * 64 + hk[IX(n, o)] * 8 + hs[IX(n, o)])
#define F_HW(n, o) (REL2(hw[IX(n, n)], n, o) * 16 + REL2(hw[IX(n, o)], n, o) * 4 + REL2(alive[n], n, o))
#define F_DN(n, o) (dp[IX(n, n)] * 64 + dk[IX(n, n)] * 8 + ds[IX(n, n)])
#define F_DO(n, o) (dp[IX(n, o)] * 64 + dk[IX(n, o)] * 8 + ds[IX(n, o)])
#define F_DW(n, o) (REL2(dw[IX(n, n)], n, o) * 16 + REL2(dw[IX(n, o)], n, o) * 4 + REL2(mto[n], n, o))
#define F_MN(n, o) (mhp[IX(n, n)] * 64 + mhk[IX(n, n)] * 8 + mhs[IX(n, n)])
#define F_MO(n, o) (mhp[IX(n, o)] * 64 + mhk[IX(n, o)] * 8 + mhs[IX(n, o)])
#define F_MW(n, o) (REL2(mhw[IX(n, n)], n, o) * 16 + REL2(mhw[IX(n, o)], n, o) * 4 + ((doorH >> (n)) & 1) * 2 + ((cut >> (n)) & 1))
#define F_E(n, o) (epoch[n] * 16 + used[n])
#define F_L(n, o) (litH[IX(n, n)] * 16 + litH[IX(n, o)])
#define F_G(n, o) (everLitH[n] * 16 + servedH[n])
#define F_I(n, o) (issuedH[n] * 16 + aloneH[n])
inline sw(a, b) { vs = a; a = b; b = vs }
/* a (node, origin) table: both indices renamed, (0, 0) <-> (1, 1) and (0, 1) <-> (1, 0) */
#define swTable(t) sw(t[0], t[3]); sw(t[1], t[2])
#define swMasks(t, len) for (vs : 0 .. (len) - 1) { t[vs] = SWAPPED2(t[vs]) }
inline canon() {
  vc = 0;
  KEY(F_UP); KEY(F_HN); KEY(F_HO); KEY(F_HW); KEY(F_DN); KEY(F_DO); KEY(F_DW); KEY(F_MN);
  KEY(F_MO); KEY(F_MW); KEY(F_E); KEY(F_L); KEY(F_G); KEY(F_I);
  if
  :: vc == 2 ->
     printf("rename 0<->1\n");
     swTable(hp); swTable(hk); swTable(hs); swTable(hw); swMasks(hw, N * N);
     swTable(dp); swTable(dk); swTable(ds); swTable(dw); swMasks(dw, N * N);
     swTable(mhp); swTable(mhk); swTable(mhs); swTable(mhw); swMasks(mhw, N * N);
     swTable(litH); swTable(inhH);
     sw(up[0], up[1]); sw(settled[0], settled[1]); sw(synced[0], synced[1]);
     sw(fellBack[0], fellBack[1]); sw(lampH[0], lampH[1]); sw(physH[0], physH[1]);
     sw(epoch[0], epoch[1]); sw(used[0], used[1]);
     sw(alive[0], alive[1]); sw(mto[0], mto[1]);
     sw(heardRun[0], heardRun[1]); sw(passRun[0], passRun[1]);
     swMasks(alive, N); swMasks(mto, N); swMasks(heardRun, N); swMasks(passRun, N);
     doorH = SWAPPED2(doorH); cut = SWAPPED2(cut);
     sw(everLitH[0], everLitH[1]); sw(servedH[0], servedH[1]);
     sw(aloneH[0], aloneH[1]); sw(issuedH[0], issuedH[1]);
     lampC = (synced[0] -> OFF : UNK)
  :: else -> skip
  fi
}
#else
#define canon() skip
#endif

/* The steps. Each is one d_step (one indivisible event of one node, as the controller handles
   one event at a time); its first expression is its guard. */
inline stepPressHall(n) { !calm && pressesH < PRESS_H && up[n] && HALL_PRESSER(n) -> printf("press hall at %d\n", n); pressHall(n) }
inline stepPressCab(n) { !calm && n == 0 && pressesC < PRESS_C && up[0] -> printf("press cab at 0\n"); pressCab() }
/* a broadcast (a send lost by every receiver is no step at all: the older datagram stays in flight) */
#ifdef BCASTS
/* -DBCASTS=b: at most b broadcasts before the faults stop (duplicates of them unbounded). A 3-node
   run that finishes in CI (b = 1: the only confirmations are by the alone rule, but every
   suspicion, race, sync and the calm run's disk loss with three nodes are there), and the check
   that the symmetry reduction keeps the verdict. One broadcast per node is already more than 18
   million states. With 2 nodes and 2 presses, the runs that finish: b = 1 (with a crash) and
   b = 2 (with a crash in --deep). A bound on broadcasts keeps every interleaving of the other
   steps (presses, persists, crashes, suspicions, deliveries and their duplicates): a run with a
   bound misses only the behaviours that need more fresh datagrams before the faults stop. */
inline stepBroadcast(n) { !calm && up[n] && bcasts < BCASTS -> printf("broadcast %d\n", n); bcasts++; broadcast(n) }
#else
inline stepBroadcast(n) { !calm && up[n] -> printf("broadcast %d\n", n); broadcast(n) }
#endif
/* sender s's datagram reaches r: its hall part (part 1), its cab part (2) or both (3); kept in
   flight for a duplicate, or not */
inline stepDeliver(s, r, part, keep) {
  !calm && up[r] && (mto[s] & BIT(r)) && !(cut & (BIT(s) | BIT(r))) ->
  printf("deliver %d -> %d part %d keep %d\n", s, r, part, keep);
  hearFrom(r, s);
  if :: part & 1 -> mergeHall(r, s) :: else -> skip fi;
  if :: part & 2 -> mergeCab(r, s) :: else -> skip fi;
  if :: !keep -> mto[s] = mto[s] & ~BIT(r) :: else -> skip fi;
  /* a whole pass of a peer heard (both registers) counts toward the lamp sync */
  heardDatagram(r, s, part);
  post(r)
}
/* a peer timeout at n for peer p (a true or a false suspicion) */
inline stepSuspect(n, p) {
  !calm && up[n] && (alive[n] & BIT(p)) ->
  printf("%d suspects %d\n", n, p);
  alive[n] = alive[n] & ~BIT(p);
#ifdef SUSPECT_DROPS
  /* MUTANT: a node drops the calls of a peer it stops hearing. */
  hs[IX(n, p)] = MAX(hs[IX(n, p)], hp[IX(n, p)]); hw[IX(n, p)] = 0;
#endif
  post(n)
}
/* the disk write completes (persist + `persisted`) */
inline stepPersist(n) { !calm && up[n] -> printf("persist %d\n", n); persist(n); post(n) }
/* the lamp-sync rule's timeout fallback, while this node hears no peer (the whole-pass rule is
   in stepDeliver). The code's fallback also fires while a peer is heard, when loss kept a whole
   pass from arriving; the model leaves that out: with it, the checker finds a node restarted with
   an empty disk that darkens its own lit cab call before its peers' copy reaches it (the call is
   not lost: it comes back on with the next pass). */
inline stepSync(n) {
  !calm && up[n] && !synced[n] && alive[n] == 0 ->
  printf("sync %d\n", n);
#ifndef NEVER_SYNC
  synced[n] = 1; fellBack[n] = 1;
#endif
  post(n)
}
/* a service: the car opens its door at the call's floor, announcing the call's direction */
inline stepServeHall(n) {
  !calm && up[n] && (hk[IX(n, 0)] > hs[IX(n, 0)] || hk[IX(n, N - 1)] > hs[IX(n, N - 1)]
                        || hk[IX(n, N / 2)] > hs[IX(n, N / 2)]) ->
  printf("serve hall at %d\n", n); serveHall(n); post(n)
}
#ifdef CAB_ANY_SERVER
/* MUTANT: any car serves elevator 0's cab call */
inline stepServeCab(n) { !calm && up[n] && ck[n] > cs[n] -> printf("serve cab at %d\n", n); serveCab(n); post(n) }
#else
inline stepServeCab(n) { !calm && n == 0 && up[0] && ck[0] > cs[0] -> printf("serve cab at 0\n"); serveCab(0); post(0) }
#endif
/* one peer timeout has passed since this run started */
inline stepSettle(n) { !calm && up[n] && !settled[n] -> printf("settled %d\n", n); settled[n] = 1; syncByPasses(n); post(n) }
/* crash (memory lost), restart with the disk, restart with an empty disk (a new epoch) */
inline stepCrash(n) { !calm && crashes < CRASHES && up[n] -> printf("crash %d\n", n); crash(n) }
inline stepRestart(n) { !calm && !up[n] -> printf("restart %d with disk\n", n); restart(n) }
inline stepRestartEmpty(n) { !calm && !up[n] -> printf("restart %d empty disk\n", n); emptied = 1; loseDisk(n); restart(n) }
/* a partition: node n cut off from the others */
inline stepCut(n) { !calm && cut == 0 && cuts < CUTS -> printf("cut %d\n", n); cut = BIT(n); cuts++ }

/* The faults stop; node ln (ln < N) first crashes with its disk lost. Then the fair schedule. */
inline calmRun(ln) {
  if
  :: ln < N ->
     emptied = 1;
     if :: up[ln] -> crash(ln) :: else -> skip fi; loseDisk(ln)
  :: else -> skip
  fi;
  for (vt : 0 .. N - 1) { if :: !up[vt] -> restart(vt) :: else -> skip fi }
  cut = 0
}

#define CALM(ln) d_step { calmRun(ln); for (rnd : 0 .. ROUNDS) { fairRound(rnd < ROUNDS) }; liveness(emptied) }

#define NODE(n) \
  :: d_step { stepPressHall(n); canon() } \
  :: d_step { stepPressCab(n); canon() } \
  :: d_step { stepBroadcast(n); canon() } \
  :: d_step { stepPersist(n); canon() } \
  :: d_step { stepSync(n); canon() } \
  :: d_step { stepServeHall(n); canon() } \
  :: d_step { stepServeCab(n); canon() } \
  :: d_step { stepSettle(n); canon() } \
  :: d_step { stepCrash(n); canon() } \
  :: d_step { stepRestart(n); canon() } \
  :: d_step { stepRestartEmpty(n); canon() } \
  :: d_step { stepCut(n); canon() }

/* With both calls pressed, a datagram may carry one register and not the other (a slice). With one
   call, a slice without it is a lost datagram. */
#if PRESS_H > 0 && PRESS_C > 0
#define SLICES(s, r) \
  :: d_step { stepDeliver(s, r, 1, 0); canon() } \
  :: d_step { stepDeliver(s, r, 2, 0); canon() }
#else
#define SLICES(s, r)
#endif

/* sender s's datagram to r, and s's peer timeout for r */
#define PAIR(s, r) \
  SLICES(s, r) \
  :: d_step { stepDeliver(s, r, 3, 0); canon() } \
  :: d_step { stepDeliver(s, r, 3, 1); canon() } \
  :: d_step { stepSuspect(s, r); canon() }

/* Node me's events (one process per node: the steps' code exists once; every step is one d_step
   on shared variables, so the interleavings are those of one process choosing any enabled step). */
proctype node(byte me) {
end:
  do
  NODE(me)
  PAIR((me + 1) % N, me)
#if N == 3
  PAIR((me + 2) % N, me)
#endif
  :: d_step { !calm && me == 0 && cut != 0 -> printf("heal\n"); cut = 0; canon() }
  od
}

/* The start, then at any moment the faults stop (CALM): see calmRun. */
init {
  d_step {
    for (vi : 0 .. N - 1) { up[vi] = 1; lampH[vi] = UNK; synced[vi] = 0 }
    lampC = UNK
  }
  atomic {
    run node(0); run node(1);
#if N == 3
    run node(2);
#endif
    run monitor()
  }
  /* which node (if any) loses its disk when the faults stop (the single failure: only in a run
     that has had no crash yet; see SF_LAST) */
  if
  :: d_step { !calm -> calm = 1; lossAtCalm = N }
  :: d_step { !calm && crashes == 0 -> calm = 1; lossAtCalm = 0 }
  :: d_step { !calm && crashes == 0 -> calm = 1; lossAtCalm = 1 }
#if N == 3
  :: d_step { !calm && crashes == 0 -> calm = 1; lossAtCalm = 2 }
#endif
  fi;
  CALM(lossAtCalm)
}

/* The safety properties, checked in every state the faults can reach. */
proctype monitor() {
end:
  do
  :: d_step { !calm -> check() }
  od
}
