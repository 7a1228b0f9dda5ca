/**
 * Whether this node knows the calls yet: it has a disk, has heard a whole pass of the view of every
 * peer it has heard and been up a peer timeout, or has waited long enough. Until then it lights
 * lamps but switches none off (`lamp-policy.ts`): a restarted node with an empty disk would
 * otherwise darken lights it is about to learn from its peers. It also asks its peers for a whole
 * pass meanwhile (`ViewSnapshot.unsynced`).
 *
 * One peer's pass is not enough: a confirmed call is held by the node that confirmed it and by
 * every peer that node counted alive, not by every node. A peer that was cut off when the call was
 * confirmed knows nothing of it, and if its pass came first the node would darken a lamp another
 * peer is about to tell it of (found by the model, `model/mesh.pml`, 3 nodes and 2 broadcasts;
 * scripted in `failure-cases.test.ts`). The nodes do not know how many they are, so the node waits
 * one peer timeout from its start (every reachable peer is heard within it) and then for a whole
 * pass of every peer it heard.
 */

/**
 * A node with no disk that hears peers but not a whole pass of each of them (heavy loss in a big
 * building, or a peer that went away) stops waiting for them after this many peer timeouts: it
 * then switches off the lamps it did not light (a slice that carries a lit call lights it again).
 */
const SYNC_FALLBACK_PEER_TIMEOUTS = 3;

export class ViewSync {
  private known: boolean;
  private startedAt: number | null = null;
  /** When this node first heard a peer (the fallback counts from it). */
  private firstHeardAt: number | null = null;
  /** The peers this run heard, and those of them whose whole pass it heard (until it knows). */
  private readonly heard = new Set<string>();
  private readonly passed = new Set<string>();

  /** `fromDisk`: the node restored its view from its disk, so it knows the calls at once. */
  constructor(
    fromDisk: boolean,
    private readonly peerTimeoutMs: number,
  ) {
    this.known = fromDisk;
  }

  /** When this node started: its first event (null before it). */
  get started(): number | null {
    return this.startedAt;
  }

  /** Whether this node knows the calls. */
  get knowsCalls(): boolean {
    return this.known;
  }

  /** Time passes: the first event starts the clock; past a deadline the node stops waiting. */
  advance(now: number): void {
    this.startedAt ??= now;
    this.settle(now);
  }

  /** Peer `from` was heard; `wholePass`: its slice completed a whole pass over its view. */
  heardPeer(now: number, from: string, wholePass: boolean): void {
    if (this.known) return;
    this.firstHeardAt ??= now;
    this.heard.add(from);
    if (wholePass) this.passed.add(from);
    this.settle(now);
  }

  /** When the node stops waiting, if it still waits and nothing else is heard (for simulations). */
  deadline(): number | null {
    if (this.known || this.startedAt === null) return null;
    const fallback = this.fallbackFrom(this.startedAt);
    return this.everyPassHeard() ? Math.min(fallback, this.settledAt(this.startedAt)) : fallback;
  }

  /** Past the deadline (the one condition, stated once in `deadline`), the node knows the calls. */
  private settle(now: number): void {
    const due = this.deadline();
    if (due !== null && now >= due) {
      this.known = true;
      this.heard.clear();
      this.passed.clear();
    }
  }

  /** A whole pass of every peer heard, and at least one peer heard. */
  private everyPassHeard(): boolean {
    return this.passed.size > 0 && this.passed.size === this.heard.size;
  }

  private settledAt(start: number): number {
    return start + this.peerTimeoutMs;
  }

  private fallbackFrom(start: number): number {
    if (this.firstHeardAt === null) return start + this.peerTimeoutMs;
    return this.firstHeardAt + SYNC_FALLBACK_PEER_TIMEOUTS * this.peerTimeoutMs;
  }
}
