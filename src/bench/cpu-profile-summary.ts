/**
 * Summarises V8 .cpuprofile files (from `node --cpu-prof`, e.g. `npm run bench:cost --
 * --cpu-prof-dir DIR`): where a process spends its CPU, by area of the code and by function.
 *
 * A sample's area is that of the innermost frame in this project's code (src/ or dist/), so time
 * spent in zod, crypto or a Node built-in counts for the project code that called it; samples
 * with no project frame are the runtime's (GC, timers, sockets). Shares are of the process's
 * busy samples (idle left out); `cpu%` is busy time over the profiled window, of one core.
 *
 * Usage: node --import tsx src/bench/cpu-profile-summary.ts [--last-s 30] [--top 25] FILE...
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';

const profileSchema = z.object({
  nodes: z.array(
    z.object({
      id: z.number(),
      callFrame: z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number() }),
      children: z.array(z.number()).optional(),
    }),
  ),
  startTime: z.number(),
  endTime: z.number(),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});

/** Areas by project file (first match wins). */
const AREAS: [RegExp, string][] = [
  [
    /\/(io\/tcp-elevator-driver|io\/elevator-output-state|io\/elevator-io-validation|protocol\/elevator-frames)\./,
    'driver',
  ],
  [/\/(protocol\/peer-envelope|protocol\/world-message|io\/hmac)\./, 'peer codec'],
  [/\/core\/assigner\//, 'assignment'],
  [/\/core\/(controller|call-register)\./, 'controller/merge'],
  [/\/core\/(elevator-fsm|single-elevator-rules)\./, 'elevator fsm'],
  [/\/io\/durable-state-store\./, 'persist'],
  [/\/io\/udp-peer-transport\./, 'udp transport'],
  [/\/node\/(metrics|datagram-budget)\./, 'metrics/budget'],
  [/\/node\/controller-node\./, 'node shell'],
  [/\/sim\/(sim-server)\./, 'sim server'],
  [/\/sim\/(sim-elevator|car-physics)\./, 'sim physics'],
  [/\/sim\/control-api\./, 'sim control api'],
];
const PROJECT = /\/(src|dist)\/(core|io|node|protocol|sim|cli|dashboard|bench|testing)\//;

interface Summary {
  file: string;
  windowS: number;
  cpuPercent: number;
  areas: Map<string, number>;
  self: Map<string, number>;
  busy: number;
}

function areaOf(url: string): string | undefined {
  for (const [re, area] of AREAS) if (re.test(url)) return area;
  return PROJECT.test(url) ? 'other project code' : undefined;
}

function summarise(file: string, lastS: number | undefined): Summary {
  const p = profileSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const areaCache = new Map<number, string>();
  const areaOfNode = (id: number): string => {
    const cached = areaCache.get(id);
    if (cached !== undefined) return cached;
    let area: string | undefined;
    let builtin: string | undefined;
    for (
      let cur: number | undefined = id;
      cur !== undefined && area === undefined;
      cur = parent.get(cur)
    ) {
      const { url, functionName } = byId.get(cur)!.callFrame;
      area = areaOf(url);
      if (builtin === undefined && url.startsWith('node:')) builtin = `runtime: ${url}`;
      if (builtin === undefined && functionName === '(garbage collector)') builtin = 'runtime: GC';
      if (builtin === undefined && functionName === '(program)') builtin = 'runtime: (program)';
    }
    const result = area ?? builtin ?? 'runtime: other';
    areaCache.set(id, result);
    return result;
  };
  const from = lastS === undefined ? -Infinity : p.endTime - lastS * 1e6;
  let t = p.startTime;
  let total = 0;
  let busy = 0;
  const areas = new Map<string, number>();
  const self = new Map<string, number>();
  p.samples.forEach((id, i) => {
    t += p.timeDeltas[i] ?? 0;
    if (t < from) return;
    total++;
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)') return;
    busy++;
    const area = areaOfNode(id);
    areas.set(area, (areas.get(area) ?? 0) + 1);
    const where =
      url === ''
        ? ''
        : ` ${url.replace(/^.*\/(src|dist|node_modules)\//, '$1/')}:${lineNumber + 1}`;
    const key = `${functionName || '(anonymous)'}${where} [${area}]`;
    self.set(key, (self.get(key) ?? 0) + 1);
  });
  const windowS = (p.endTime - Math.max(from, p.startTime)) / 1e6;
  return {
    file: basename(file),
    windowS,
    cpuPercent: total === 0 ? 0 : (busy / total) * 100,
    areas,
    self,
    busy,
  };
}

function pct(n: number, of: number): string {
  return `${((n / of) * 100).toFixed(1)}%`.padStart(6);
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'last-s': { type: 'string' },
    top: { type: 'string', default: '25' },
    merge: { type: 'boolean', default: false },
  },
});
const lastS = values['last-s'] === undefined ? undefined : Number(values['last-s']);
const top = Number(values.top);
const summaries = positionals.map((f) => summarise(f, lastS));
const groups = values.merge ? [summaries] : summaries.map((s) => [s]);
for (const group of groups) {
  const busy = group.reduce((a, s) => a + s.busy, 0);
  const areas = new Map<string, number>();
  const self = new Map<string, number>();
  for (const s of group) {
    for (const [k, v] of s.areas) areas.set(k, (areas.get(k) ?? 0) + v);
    for (const [k, v] of s.self) self.set(k, (self.get(k) ?? 0) + v);
  }
  const cpu = group.reduce((a, s) => a + s.cpuPercent, 0) / group.length;
  process.stdout.write(
    `\n== ${group.map((s) => s.file).join(', ')}: ${group[0]!.windowS.toFixed(1)} s, busy ${cpu.toFixed(1)}% of one core (sampled), ${busy} busy samples\n`,
  );
  process.stdout.write('-- by area (innermost project frame)\n');
  for (const [k, v] of [...areas].sort((a, b) => b[1] - a[1]))
    process.stdout.write(`${pct(v, busy)}  ${k}\n`);
  process.stdout.write(`-- top ${top} self time\n`);
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top))
    process.stdout.write(`${pct(v, busy)}  ${k}\n`);
}
