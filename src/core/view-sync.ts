/**
 * Whether this node knows the calls yet: it has a disk, has heard a whole pass of a peer's view, or
 * has waited long enough. Until then it lights lamps but switches none off (`lamp-policy.ts`): a
 * restarted node with an empty disk would otherwise darken lights it is about to learn from its
 * peers. It also asks its peers for a whole pass meanwhile (`ViewSnapshot.unsynced`).
 */

/**
 * A node with no disk that hears peers but no whole pass of any of them (heavy loss in a big
 * building) stops waiting for one after this many peer timeouts: it then switches off the lamps it
 * did not light (a slice that carries a lit call lights it again).
 */
const SYNC_FALLBACK_PEER_TIMEOUTS = 3;

export class ViewSync {
  private known: boolean;
  private startedAt: number | null = null;
  /** When this node first heard a peer (the fallback counts from it). */
  private firstHeardAt: number | null = null;

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

  /** Time passes: the first event starts the clock; past the deadline the node stops waiting. */
  advance(now: number): void {
    this.startedAt ??= now;
    if (!this.known && now >= this.deadlineFrom(this.startedAt)) this.known = true;
  }

  /** A peer was heard; `wholePass`: its slice completed a whole pass over its view. */
  heardPeer(now: number, wholePass: boolean): void {
    this.firstHeardAt ??= now;
    if (wholePass) this.known = true;
  }

  /** When the node stops waiting for a whole pass, if it still waits (for simulations). */
  deadline(): number | null {
    return this.known || this.startedAt === null ? null : this.deadlineFrom(this.startedAt);
  }

  private deadlineFrom(start: number): number {
    if (this.firstHeardAt === null) return start + this.peerTimeoutMs;
    return this.firstHeardAt + SYNC_FALLBACK_PEER_TIMEOUTS * this.peerTimeoutMs;
  }
}
