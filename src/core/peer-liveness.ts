/**
 * The peers this node hears, and failure detection: a peer not heard from for a peer timeout is
 * lost; hearing it again makes it alive again. Per peer it keeps its last elevator report (the
 * assignment's input), the round-robin pass of its view being heard (a whole pass heard: this node
 * knows every call that peer knew), and when it last asked for a whole pass. The table is bounded
 * by the mesh's bound of nodes.
 */
import type { ControllerEffect } from './controller-events.js';
import { MAX_MESH_NODES } from './mesh-bounds.js';
import type { ElevatorReport, SlicePass, WorldMessage } from './view-message.js';

interface PeerEntry {
  lastHeard: number;
  report: ElevatorReport;
  alive: boolean;
  /** The peer's round-robin pass being heard: its id and the next slice index expected. */
  pass?: { id: number; next: number } | undefined;
  /** When the peer last asked for a pass (it does not know the calls yet). */
  askedAt?: number | undefined;
}

/** What hearing a peer's slice told this node (beyond the registers it carries). */
export interface PeerHeard {
  /** The peer joined, or its elevator report changed: the assignment's inputs changed. */
  inputsChanged: boolean;
  /** The slice completed a whole pass of the peer's view. */
  wholePass: boolean;
}

export class PeerLiveness {
  private readonly peers = new Map<string, PeerEntry>();
  /** Peers ignored because the mesh is full, logged once each. */
  private readonly ignoredLogged = new Set<string>();
  /** Peers logged as running another dispatch strategy, with the one they announced. */
  private readonly mismatchLogged = new Map<string, string>();
  private requests = 0;

  constructor(
    private readonly self: string,
    private readonly peerTimeoutMs: number,
    /** This node's dispatch strategy, compared with the one each peer announces. */
    private readonly dispatchName: string | undefined,
  ) {}

  /** Grows each time a peer joins or asks for a pass (see `ViewSnapshot.passRequests`). */
  get passRequests(): number {
    return this.requests;
  }

  /** Whether this node has ever heard a peer (and tracks it still, alive or lost). */
  get heardAny(): boolean {
    return this.peers.size > 0;
  }

  /** Ids of the nodes this node hears (itself included), sorted. */
  alive(): string[] {
    const ids = [this.self];
    for (const [id, p] of this.peers) if (p.alive) ids.push(id);
    return ids.sort();
  }

  /** The alive peers' last elevator reports, in the order they were first heard. */
  aliveReports(): { id: string; report: ElevatorReport }[] {
    const out: { id: string; report: ElevatorReport }[] = [];
    for (const [id, p] of this.peers) if (p.alive) out.push({ id, report: p.report });
    return out;
  }

  /** When each alive peer is lost unless heard again. */
  lossDeadlines(): number[] {
    const times: number[] = [];
    for (const p of this.peers.values()) if (p.alive) times.push(p.lastHeard + this.peerTimeoutMs);
    return times;
  }

  /**
   * Peer `from` was heard at `now` with a slice `body` of its view. Null: it is ignored (the mesh is
   * full).
   */
  hear(from: string, body: WorldMessage, now: number, out: ControllerEffect[]): PeerHeard | null {
    let entry = this.peers.get(from);
    if (entry === undefined && !this.makeRoomForPeer()) {
      if (!this.ignoredLogged.has(from) && this.ignoredLogged.size < MAX_MESH_NODES) {
        this.ignoredLogged.add(from);
        out.push({ type: 'log', event: 'peerIgnored', peer: from, maxNodes: MAX_MESH_NODES });
      }
      return null;
    }
    const joined = entry === undefined || !entry.alive;
    if (joined) {
      out.push({ type: 'log', event: 'peerJoined', peer: from });
      this.requests += 1;
    }
    this.checkDispatch(from, body.dispatch, out);
    const inputsChanged = joined || !sameReport(entry?.report, body.elevator);
    if (entry === undefined) {
      entry = { lastHeard: now, report: body.elevator, alive: true };
      this.peers.set(from, entry);
    } else Object.assign(entry, { lastHeard: now, report: body.elevator, alive: true });
    const wholePass = followPass(entry, body.pass);
    if (
      body.sync === true &&
      (entry.askedAt === undefined || now >= entry.askedAt + this.peerTimeoutMs)
    ) {
      entry.askedAt = now;
      this.requests += 1;
    }
    return { inputsChanged, wholePass };
  }

  /** Failure detection: marks lost every peer silent for a peer timeout. Whether any was lost. */
  detectLost(now: number, out: ControllerEffect[]): boolean {
    let changed = false;
    for (const [id, p] of this.peers) {
      if (p.alive && now >= p.lastHeard + this.peerTimeoutMs) {
        p.alive = false;
        changed = true;
        out.push({ type: 'log', event: 'peerLost', peer: id });
      }
    }
    return changed;
  }

  /** Whether a new peer may be tracked: forgets the longest-silent lost peer when full. */
  private makeRoomForPeer(): boolean {
    if (this.peers.size < MAX_MESH_NODES - 1) return true;
    let oldest: [string, PeerEntry] | undefined;
    for (const e of this.peers)
      if (!e[1].alive && (oldest === undefined || e[1].lastHeard < oldest[1].lastHeard)) oldest = e;
    if (oldest === undefined) return false;
    this.peers.delete(oldest[0]);
    return true;
  }

  /** Logs once (per peer and strategy) a peer that runs another dispatch strategy than this node. */
  private checkDispatch(peer: string, theirs: string | undefined, out: ControllerEffect[]): void {
    const ours = this.dispatchName;
    if (theirs === undefined || ours === undefined || theirs === ours) {
      this.mismatchLogged.delete(peer);
      return;
    }
    if (this.mismatchLogged.get(peer) === theirs) return;
    if (this.mismatchLogged.size >= MAX_MESH_NODES) this.mismatchLogged.clear();
    this.mismatchLogged.set(peer, theirs);
    out.push({ type: 'log', event: 'dispatchMismatch', peer, theirs, ours });
  }
}

/**
 * Follows a peer's pass over its view: a node that has heard every slice of one pass knows every
 * call that peer knew when the pass began. A slice without a pass marker is a whole view.
 */
function followPass(entry: PeerEntry, pass: SlicePass | undefined): boolean {
  if (pass === undefined) return true;
  if (pass.index === 0) entry.pass = { id: pass.id, next: 0 };
  if (entry.pass === undefined || entry.pass.id !== pass.id || entry.pass.next !== pass.index) {
    entry.pass = undefined;
    return false;
  }
  entry.pass.next += 1;
  return pass.last;
}

function sameReport(a: ElevatorReport | undefined, b: ElevatorReport): boolean {
  return (
    a !== undefined &&
    a.behaviour === b.behaviour &&
    a.floor === b.floor &&
    a.direction === b.direction &&
    a.available === b.available &&
    a.motorFailed === b.motorFailed &&
    a.obstructed === b.obstructed &&
    a.connected === b.connected &&
    a.park === b.park
  );
}
