/**
 * Measurements of the mesh (a benchmark script, not a test): run with `npm run bench:mesh`
 * (`-- --sizes 3x4,9x20` to choose the buildings, `-- --quick` for fewer samples).
 *
 * Everything runs in the deterministic simulation (virtual time, the product's timings: broadcast
 * every 30 ms, peer timeout 800 ms, network delay 1-5 ms) with real encoded datagrams, so the
 * figures are exact and repeatable for a seed. Per building, *warm* (every hall and cab button
 * pressed from every panel at once, so every call register holds an instance of every node, and
 * all of them served), with light traffic going on:
 * - datagram bytes (UDP payload) max and p50, and the IP fragments they would need;
 * - bytes per second each node sends;
 * - press to light on (the pressing panel), p50 and p99, at 0%, 20% and 50% packet loss (as the
 *   simulation's bus applies it: see `simulation/lossy-bus.ts`);
 * and for the lab's 3 x 10: crash or disconnect of the assigned node to its hall call being
 * assigned to another node.
 */
import { createAssigner } from '../core/assigner/index.js';
import { ClusterSim } from '../simulation/cluster-sim.js';
import { CONTROLLER_DEFAULTS } from '../core/timings.js';

const PRODUCT_TIMINGS = {
  broadcastIntervalMs: CONTROLLER_DEFAULTS.broadcastIntervalMs,
  peerTimeoutMs: CONTROLLER_DEFAULTS.peerTimeoutMs,
};

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

/** Every button of every panel pressed at once, then everything served. */
function warm(sim: ClusterSim): void {
  for (const n of sim.nodes)
    for (let f = 0; f < sim.floors; f++) {
      if (f < sim.floors - 1) sim.press(n.id, 'hallUp', f);
      if (f > 0) sim.press(n.id, 'hallDown', f);
      sim.press(n.id, 'cab', f);
    }
  const lit = () =>
    sim.nodes.some((n) => {
      const c = n.controller;
      return c !== null && (c.hallLights().some(([u, d]) => u || d) || c.cabLights().some(Boolean));
    });
  const deadline = sim.now + 3_600_000;
  while (sim.now < deadline && lit()) sim.runUntil(sim.now + 5000);
  sim.runUntil(sim.now + 5000);
}

/** Records the size of every datagram sent from now on. */
function recordSizes(sim: ClusterSim): number[] {
  const sizes: number[] = [];
  const send = sim.bus.send.bind(sim.bus);
  sim.bus.send = (from, datagram) => {
    sizes.push(datagram.length);
    send(from, datagram);
  };
  return sizes;
}

/** Light traffic: a cab and a hall call every 2 s, from the nodes in turn. */
function traffic(sim: ClusterSim, ms: number): void {
  const end = sim.now + ms;
  let i = 0;
  while (sim.now < end) {
    const node = sim.nodes[i % sim.nodes.length];
    if (node !== undefined) {
      sim.press(node.id, 'cab', (i * 7) % sim.floors);
      sim.press(node.id, 'hallUp', (i * 3) % (sim.floors - 1));
    }
    i++;
    sim.runUntil(Math.min(end, sim.now + 2000));
  }
}

/** Press-to-light latency on the pressing panel (a call served at once counts as lit at once). */
function lightLatency(sim: ClusterSim, loss: number, presses: number): number[] {
  sim.bus.setLoss(loss);
  const out: number[] = [];
  for (let i = 0; i < presses; i++) {
    const node = sim.nodes[i % sim.nodes.length]!;
    const floor = (i * 5) % (sim.floors - 1);
    // A lit call absorbs a press: there would be no light to wait for.
    const quietBy = sim.now + 60_000;
    while (sim.nodes.some((n) => n.lamp('hallUp', floor)) && sim.now < quietBy)
      sim.runUntil(sim.now + 100);
    if (node.lamp('hallUp', floor)) continue;
    let lit = false;
    const stop = sim.observe((o) => {
      if ((o.kind !== 'lamp' && o.kind !== 'served') || o.button !== 'hallUp') return;
      if (o.floor !== floor) return;
      if (o.kind === 'lamp' && o.on && o.node === node.id) lit = true;
      if (o.kind === 'served') lit = true;
    });
    const start = sim.now;
    sim.press(node.id, 'hallUp', floor);
    while (!lit && sim.now - start < 10_000) sim.runUntil(sim.now + 1);
    stop();
    out.push(sim.now - start);
    sim.runUntil(sim.now + 2_000);
  }
  sim.bus.setLoss(0);
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

/** IPv4 fragments of a UDP payload over Ethernet (MTU 1500). */
function fragments(payload: number): number {
  return payload <= 1472 ? 1 : Math.ceil((payload + 8) / 1480);
}

function fmt(values: number[]): string {
  return `p50 ${percentile(values, 50).toFixed(0)} ms, p99 ${percentile(values, 99).toFixed(0)} ms, max ${Math.max(...values).toFixed(0)} ms (n=${values.length})`;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
}
const quick = process.argv.includes('--quick');
const sizes = (arg('--sizes') ?? '3x4,9x20,16x50').split(',').map((s) => {
  const [e, f] = s.split('x').map(Number);
  if (!Number.isInteger(e) || !Number.isInteger(f)) throw new Error(`bad size ${s}`);
  return [e!, f!] as const;
});

const out = (line: string) => process.stdout.write(`${line}\n`);
out('elevator-mesh mesh measurements (deterministic simulation, product timings)');
for (const [e, f] of sizes) {
  const wall = performance.now();
  const sim = building(5, e, f);
  warm(sim);
  const datagrams = recordSizes(sim);
  for (const n of sim.nodes) n.bytesSent = 0;
  const windowMs = quick ? 20_000 : 60_000;
  const start = sim.now;
  traffic(sim, windowMs);
  const bps = sim.nodes.map((n) => n.bytesSent / ((sim.now - start) / 1000));
  const mean = bps.reduce((a, b) => a + b, 0) / bps.length;
  const max = Math.max(...datagrams);
  out(
    `${e} x ${f} warm: datagram bytes max ${max} (${fragments(max)} fragment${fragments(max) > 1 ? 's' : ''}), p50 ${percentile(datagrams, 50)}; ` +
      `sent per node mean ${(mean / 1024).toFixed(1)} KiB/s, max ${(Math.max(...bps) / 1024).toFixed(1)} KiB/s`,
  );
  for (const loss of [0, 0.2, 0.5])
    out(
      `  press -> light on, ${loss * 100}% loss: ${fmt(lightLatency(sim, loss, quick ? 20 : 60))}`,
    );
  out(`  (${((performance.now() - wall) / 1000).toFixed(0)} s of computer time)`);
}
const runs = quick ? 3 : 10;
out(`crash of the assigned node (3 x 10) -> call reassigned: ${fmt(reassignment('crash', runs))}`);
out(
  `disconnect of the assigned node (3 x 10) -> call reassigned: ${fmt(reassignment('disconnect', runs))}`,
);
