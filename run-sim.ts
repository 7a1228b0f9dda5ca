import { runScenario, describeFailure } from '/work/main/src/testing/sim-scenario.js';
const from = Number(process.argv[2] ?? 1), n = Number(process.argv[3] ?? 10);
let fails = 0; const c0 = process.cpuUsage(); let virt = 0;
for (let seed = from; seed < from + n; seed++) {
  const r = runScenario(seed);
  virt += r.virtualMs;
  if (r.violations.length > 0) { fails++; if (fails <= 3) console.log(describeFailure(r)); else console.log('FAIL seed', seed); }
}
console.log('fails', fails, 'of', n, 'cpu s', (process.cpuUsage(c0).user / 1000000).toFixed(1), 'virtual s', Math.round(virt/1000));
