/**
 * Measurements of the mesh (a benchmark script, not a test): run with `npm run bench:mesh`.
 *
 * Everything runs in the deterministic simulation (virtual time, the product's timings: broadcast
 * every 30 ms, peer timeout 800 ms, network delay 1-5 ms) with real encoded datagrams, so the
 * figures are exact and repeatable for a seed:
 * - press to light on (the pressing panel), p50 and p99, at 0%, 20% and 50% packet loss;
 * - crash or disconnect of the assigned node to its hall call being assigned to another node;
 * - bytes per second each node sends, for 3 elevators x 4 floors and 16 x 50.
 */
import { createAssigner } from '../core/assigner/index.js';
import { ClusterSim } from '../testing/cluster-sim.js';

const PRODUCT_TIMINGS = { broadcastIntervalMs: 30, peerTimeoutMs: 800 };

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

function building(seed: number, elevators: number, floors: number): ClusterSim {
  const sim = new ClusterSim({
    seed,
    elevators,
    floors,
    assign: createAssigner('reference'),
    timings: PRODUCT_TIMINGS,
  });
  sim.runUntil(8000);
  return sim;
}

/** Press-to-light latency on the pressing panel (a call served at once counts as lit at once). */
function lightLatency(loss: number, presses: number): number[] {
  const sim = building(11, 3, 4);
  sim.bus.setLoss(loss);
  const out: number[] = [];
  for (let i = 0; i < presses; i++) {
    const id = `e${(i % 3) + 1}`;
    const floor = i % 3; // hall up at floors 0..2
    let lit = false;
    sim.observe((o) => {
      if (o.kind === 'lamp' && o.on && o.node === id && o.button === 'hallUp' && o.floor === floor)
        lit = true;
      if (o.kind === 'served' && o.button === 'hallUp' && o.floor === floor) lit = true;
    });
    const start = sim.now;
    sim.press(id, 'hallUp', floor);
    while (!lit && sim.now - start < 10_000) sim.runUntil(sim.now + 1);
    out.push(sim.now - start);
    sim.runUntil(sim.now + 15_000);
  }
  return out;
}

/** Time from the failure of the assigned node to another node taking its hall call. */
function reassignment(fault: 'crash' | 'disconnect', runs: number): number[] {
  const out: number[] = [];
  for (let run = 0; run < runs; run++) {
    const sim = building(100 + run, 3, 10);
    for (const n of sim.nodes) sim.press(n.id, 'cab', 0);
    sim.runUntil(sim.now + 40_000);
    sim.press('e1', 'hallDown', 9);
    sim.runUntil(sim.now + 300);
    const owner = Object.entries(sim.node('e1').controller?.currentAssignment() ?? {}).find(
      ([, m]) => m[9]?.[1] === true,
    )?.[0];
    if (owner === undefined) continue;
    if (fault === 'crash') sim.crash(owner, { restartAfterMs: 60_000 });
    else sim.disconnect(owner);
    const start = sim.now;
    const others = sim.nodes.filter((n) => n.id !== owner);
    const takenOver = () =>
      others.some((n) => {
        const a = n.controller?.currentAssignment() ?? {};
        return Object.entries(a).some(([id, m]) => id !== owner && m[9]?.[1] === true);
      });
    while (!takenOver() && sim.now - start < 10_000) sim.runUntil(sim.now + 1);
    out.push(sim.now - start);
  }
  return out;
}

/** Bytes per second per node with random traffic. */
function bandwidth(elevators: number, floors: number, seconds: number): number[] {
  const sim = building(5, elevators, floors);
  for (const n of sim.nodes) n.bytesSent = 0;
  const start = sim.now;
  const end = start + seconds * 1000;
  let t = start;
  let i = 0;
  while (t < end) {
    t += 2000;
    const node = sim.nodes[i % elevators];
    if (node !== undefined) {
      sim.press(node.id, 'cab', (i * 7) % floors);
      sim.press(node.id, 'hallUp', (i * 3) % (floors - 1));
    }
    i++;
    sim.runUntil(Math.min(t, end));
  }
  return sim.nodes.map((n) => n.bytesSent / seconds);
}

function fmt(values: number[]): string {
  return `p50 ${percentile(values, 50).toFixed(1)} ms, p99 ${percentile(values, 99).toFixed(1)} ms, max ${Math.max(...values).toFixed(1)} ms (n=${values.length})`;
}

const lines: string[] = [
  'elevator-mesh mesh measurements (deterministic simulation, product timings)',
];
for (const loss of [0, 0.2, 0.5]) {
  lines.push(`press -> light on, ${loss * 100}% loss: ${fmt(lightLatency(loss, 100))}`);
}
lines.push(`crash of the assigned node -> call reassigned: ${fmt(reassignment('crash', 10))}`);
lines.push(
  `disconnect of the assigned node -> call reassigned: ${fmt(reassignment('disconnect', 10))}`,
);
for (const [e, f, s] of [
  [3, 4, 60],
  [16, 50, 10],
] as const) {
  const bps = bandwidth(e, f, s);
  const mean = bps.reduce((a, b) => a + b, 0) / bps.length;
  lines.push(
    `bytes sent per node, ${e} x ${f}: mean ${(mean / 1024).toFixed(1)} KiB/s, max ${(Math.max(...bps) / 1024).toFixed(1)} KiB/s`,
  );
}
process.stdout.write(`${lines.join('\n')}\n`);
