import { runScenario } from './src/testing/sim-scenario.js';
const T0 = Number(process.argv[3]), T1 = Number(process.argv[4]);
const r = runScenario(Number(process.argv[2]), { inspect: (sim) => {
  sim.observe((o) => { if (o.at > T0 && o.at < T1) console.log(Math.round(o.at), JSON.stringify(o)); });
  let last = '';
  sim.afterEachStep(() => { if (sim.now < T0 || sim.now > T1) return; const k = sim.nodes.map(n => { const e = n.controller?.elevator; return `${n.id}:${e?.behaviour}/${e?.floor}/${e?.direction}/${n.doorLamp?'D':'-'}/${n.obstruction?'O':''}`; }).join(' '); if (k !== last) { console.log(Math.round(sim.now), k); last = k; } });
}});
console.log(r.events.filter(e => { const t = Number(e.split(' ')[0]); return t > T0 - 30000 && t < T1; }).join('\n'));
console.log(r.violations);
