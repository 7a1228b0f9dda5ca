/**
 * Peer flapping: how often each node declared a peer lost, against what the loss rate alone
 * explains. A node hears each peer's view every broadcast interval `I` (30 ms at real time) and
 * declares it lost after `T` (the peer timeout, 800 ms) without one. The events come from the
 * nodes' own logs (`"event":"peerLost"`), the only check that looks inside the controllers:
 * flapping is invisible on the panels until it loses a call.
 *
 * The arithmetic. Let q be the probability that one datagram from peer P reaches node X, p = 1 - q.
 * P sends at least every I, so within T of the last datagram X heard there are m = ⌊T/I⌋ - 1 more
 * (26 at 800/30 with the boundary one excluded; one less still, 25, for a send that is late by up
 * to an interval on a loaded machine: we use the smaller m, which gives the larger bound); X loses
 * P exactly when all m are lost. Each delivered datagram starts a run of at least m losses with
 * probability p^m, so over a stretch of D ms at a constant q the expected number of peer-lost
 * events of that ordered pair is (D / I) q p^m, plus p^m for a run that starts with the stretch.
 * Extra broadcasts on changes only make a loss less likely, so this is an upper estimate.
 *
 * q per direction: the requirement is that every datagram fits in one Ethernet frame, so a
 * datagram is one frame and each loss rule on its way (the sender's `out`, the receiver's `in`,
 * `all` being both hosts) lets it through with 1 - rate: q = Π (1 - rate). A protocol whose
 * datagrams travel as k fragments sees q^k under per-frame loss, and flaps far more than this
 * bound allows: that is what the check is for. At 20% both ways q = 0.64 and p^25 = 8e-12 (no
 * flap expected at all); at 50% both ways q = 0.25, p^25 = 7.5e-4, about 0.006 events per second
 * per pair, a few per node over a minute with 8 peers.
 *
 * The bound per node is the sum of those expectations over its peers and the loss windows, μ,
 * plus a Poisson allowance: ⌊μ + 4√μ⌋ + 3 (the 3 absorbs a rare stall of a loaded machine; the
 * chance that a Poisson(μ) count exceeds the bound is below 1e-4 for every μ). Events while a
 * non-loss fault concerns either node (a pulled cable, a kill, a power cycle, until it has
 * settled and the timeout has passed) and before traffic starts are expected and not counted.
 */
import type { FaultSpan, PeerLostEvent, RunRecord } from './run-record.js';

/** Per node: the peer-lost events counted, what the loss explains, and the bound. */
export interface PeerFlapResult {
  elevator: string;
  /** Events counted (outside non-loss faults, after traffic started). */
  peerLost: number;
  /** Events excused (a non-loss fault concerned one of the two nodes, or before traffic). */
  excused: number;
  /** Expected events from the loss arithmetic (see the module comment). */
  expected: number;
  bound: number;
}

/**
 * The `peerLost` events in one node's log (pino JSON lines; other lines are skipped). `zeroEpochMs`
 * is the wall-clock time (ms since the epoch) of the run's t = 0.
 */
export function parsePeerLost(log: string, elevator: string, zeroEpochMs: number): PeerLostEvent[] {
  const out: PeerLostEvent[] = [];
  for (const line of log.split('\n')) {
    if (!line.includes('peerLost')) continue;
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {
      continue;
    }
    if (typeof entry !== 'object' || entry === null) continue;
    const e = entry as Record<string, unknown>;
    if (e['event'] !== 'peerLost' || typeof e['time'] !== 'number') continue;
    if (typeof e['peer'] !== 'string') continue;
    out.push({ t: e['time'] - zeroEpochMs, elevator, peer: e['peer'] });
  }
  return out;
}

/** m: consecutive datagrams that must all be lost for a peer to be declared lost. */
export function runLengthForLoss(peerTimeoutMs: number, broadcastIntervalMs: number): number {
  return Math.max(1, Math.floor(peerTimeoutMs / broadcastIntervalMs) - 1);
}

/**
 * Expected peer-lost events of the ordered pair "`node` hears `peer`" over `durationMs` at a
 * per-datagram delivery probability `q`.
 */
export function expectedPeerLosses(
  q: number,
  durationMs: number,
  peerTimeoutMs: number,
  broadcastIntervalMs: number,
): number {
  const m = runLengthForLoss(peerTimeoutMs, broadcastIntervalMs);
  const pm = (1 - q) ** m;
  return (durationMs / broadcastIntervalMs) * q * pm + pm;
}

/** The allowed count for an expectation μ (see the module comment). */
export function peerLostBound(expected: number): number {
  return Math.floor(expected + 4 * Math.sqrt(expected)) + 3;
}

function concerns(f: FaultSpan, host: string): boolean {
  return f.target === host || f.target === 'all';
}

/** Probability that one single-frame datagram from `from` reaches `to` under the active losses. */
function deliveryProbability(active: FaultSpan[], from: string, to: string): number {
  let q = 1;
  for (const f of active) {
    const loss = f.loss;
    if (loss === undefined) continue;
    if (concerns(f, from) && loss.direction !== 'in') q *= 1 - loss.rate;
    if (concerns(f, to) && loss.direction !== 'out') q *= 1 - loss.rate;
  }
  return q;
}

/**
 * The per-node figures, or `undefined` when the record has no peer-lost data (a run recorded
 * before the check existed).
 */
export function peerFlaps(record: RunRecord): PeerFlapResult[] | undefined {
  const events = record.peerLost;
  const timeoutMs = record.bounds.peerTimeoutMs;
  const intervalMs = record.bounds.broadcastIntervalMs;
  if (events === undefined || timeoutMs === undefined || intervalMs === undefined) return undefined;
  const losses = record.faults.filter((f) => f.kind === 'loss' && f.loss !== undefined);
  const others = record.faults.filter((f) => f.kind !== 'loss');
  // Stretches of constant loss: cut [0, end] at every loss fault's start and lift.
  const cuts = [...new Set([0, record.end, ...losses.flatMap((f) => [f.start, f.lifted])])]
    .filter((t) => t >= 0 && t <= record.end)
    .sort((a, b) => a - b);
  return record.elevators.map((node) => {
    let expected = 0;
    for (const peer of record.elevators) {
      if (peer === node) continue;
      for (let i = 0; i + 1 < cuts.length; i++) {
        const a = cuts[i] ?? 0;
        const b = cuts[i + 1] ?? 0;
        const active = losses.filter((f) => f.start <= a && f.lifted >= b);
        if (active.length === 0) continue;
        const q = deliveryProbability(active, peer, node);
        expected += expectedPeerLosses(q, b - a, timeoutMs, intervalMs);
      }
    }
    const mine = events.filter((e) => e.elevator === node);
    const excusedBy = (e: PeerLostEvent): boolean =>
      e.t < 0 ||
      others.some(
        (f) =>
          (concerns(f, e.elevator) || concerns(f, e.peer)) &&
          e.t >= f.start &&
          e.t <= f.end + record.bounds.settleMs + timeoutMs,
      );
    const excused = mine.filter(excusedBy).length;
    return {
      elevator: node,
      peerLost: mine.length - excused,
      excused,
      expected: Math.round(expected * 1000) / 1000,
      bound: peerLostBound(expected),
    };
  });
}
