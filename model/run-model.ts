/**
 * `npm run test:model [-- --deep] [-- --only NAME]`: checks model/mesh.pml exhaustively with spin,
 * in several configurations, then every mutant.
 *
 * For each run: spin -a (with the run's -D defines) and gcc pan.c in a fresh temporary directory,
 * then pan (an exhaustive depth-first safety search, stopping at the first error). The real model
 * must have no error and a complete search; each mutant must violate an assertion (its
 * counterexample is replayed with spin -t and its steps printed). Prints configuration, states
 * explored, time and result per run; exits 1 if any run disagrees. Two runs at a time (CI's machine
 * and this one have two cores).
 *
 * Deterministic: spin's search order is fixed, no random seed is used.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { judge, parsePan, type PanResult, type Run } from './pan-output.js';

const HALL = ['-DPRESS_H=1', '-DPRESS_C=0'];
const CAB = ['-DPRESS_H=0', '-DPRESS_C=1'];
/** Two presses: a number can be reused only by a second one. */
const HALL2 = ['-DPRESS_H=2', '-DPRESS_C=0'];

/**
 * The real protocol: the hall call and the cab call apart, 2 nodes in CI, and 3 nodes with one
 * broadcast; 3 nodes unbounded and larger bounds with --deep (model/mesh.pml, "Bounds";
 * docs/design.md section 7 has the figures).
 */
const REAL: Run[] = [
  {
    name: 'hall, 2 nodes',
    defines: ['-DN=2', '-DCRASHES=1', ...HALL],
    expect: 'clean',
    what: '1 press, 1 crash (from disk or empty), + 1 disk loss as the faults stop',
  },
  {
    name: 'cab, 2 nodes',
    defines: ['-DN=2', '-DCRASHES=1', ...CAB],
    expect: 'clean',
    what: '1 press, 1 crash (from disk or empty), + 1 disk loss as the faults stop',
  },
  {
    name: 'hall, 3 nodes, 1 broadcast',
    defines: ['-DN=3', '-DCRASHES=0', '-DBCASTS=1', ...HALL],
    expect: 'clean',
    what: '1 press, 1 broadcast (then its duplicates; confirmed only alone), 1 disk loss at calm',
  },
  {
    name: 'hall, 3 nodes, 1 broadcast, no symmetry',
    defines: ['-DN=3', '-DCRASHES=0', '-DBCASTS=1', '-DNOSYM', ...HALL],
    expect: 'clean',
    what: 'the run above without the symmetry reduction: same verdict, about twice the states',
    deep: true,
  },
  {
    name: 'hall, 3 nodes',
    defines: ['-DN=3', '-DCRASHES=0', ...HALL],
    expect: 'clean',
    what: '1 press, 3 witnesses, no crash before 1 disk loss as the faults stop',
    deep: true,
    graph: true,
  },
  {
    name: 'cab, 3 nodes',
    defines: ['-DN=3', '-DCRASHES=0', ...CAB],
    expect: 'clean',
    what: '1 press, 3 nodes, no crash before 1 disk loss as the faults stop',
    deep: true,
    graph: true,
  },
  {
    name: 'hall, 2 nodes, 2 presses, 1 broadcast',
    defines: ['-DN=2', '-DCRASHES=1', '-DBCASTS=1', ...HALL2],
    expect: 'clean',
    what: '2 presses (two instances, both origins), 1 crash, 1 broadcast (then its duplicates), symmetry reduced; finds LAMP_FORGETS_INHERITED',
  },
  {
    name: 'hall, 2 nodes, 2 presses, 2 broadcasts, no crash',
    defines: ['-DN=2', '-DCRASHES=0', '-DBCASTS=2', ...HALL2],
    expect: 'clean',
    what: '2 presses, 2 broadcasts, no crash before 1 disk loss as the faults stop, symmetry reduced',
  },
  {
    name: 'hall, 2 nodes, 2 presses, 1 broadcast, no symmetry',
    defines: ['-DN=2', '-DCRASHES=1', '-DBCASTS=1', '-DNOSYM', ...HALL2],
    expect: 'clean',
    what: 'the 1-broadcast run without the symmetry reduction: same verdict, twice the states',
    deep: true,
  },
  {
    name: 'hall, 2 nodes, 2 presses, 2 broadcasts',
    defines: ['-DN=2', '-DCRASHES=1', '-DBCASTS=2', ...HALL2],
    expect: 'clean',
    what: '2 presses, 1 crash, 2 broadcasts, symmetry reduced (6 GB)',
    deep: true,
  },
  {
    name: 'hall, 2 nodes, 2 presses',
    defines: ['-DN=2', '-DCRASHES=1', '-DPRESS_H=2', '-DPRESS_C=0'],
    expect: 'clean',
    what: '2 presses (two instances, both origins), 1 crash, broadcasts unbounded (does not finish in 8 GB)',
    deep: true,
  },
  {
    name: 'hall, 3 nodes, 2 broadcasts',
    defines: ['-DN=3', '-DCRASHES=0', '-DBCASTS=2', ...HALL],
    expect: 'clean',
    what: '1 press, no crash, 2 broadcasts, + 1 disk loss as the faults stop (more than 8 GB)',
    deep: true,
  },
  {
    name: 'hall, 2 nodes, 2 crashes',
    defines: ['-DN=2', '-DCRASHES=2', ...HALL],
    expect: 'clean',
    what: '1 press, 2 crashes',
    deep: true,
  },
  {
    name: 'hall + cab, 2 nodes',
    defines: ['-DN=2', '-DCRASHES=1', '-DPRESS_H=1', '-DPRESS_C=1'],
    expect: 'clean',
    what: 'both calls (slices that carry one register), 1 crash',
    deep: true,
  },
  {
    name: 'hall, 3 nodes, 1 crash',
    defines: ['-DN=3', '-DCRASHES=1', ...HALL],
    expect: 'clean',
    what: '1 press, 1 crash',
    deep: true,
    graph: true,
  },
];

/** Each mutant breaks one rule and must be rejected; a finding is the code's rule as it is. */
const MUTANT_LIST = [
  ['CONFIRM_ALONE_WITNESS', HALL, 'confirm before any peer holds the call', 'single failure'],
  ['LIGHT_BEFORE_DISK', HALL, 'light before the disk write', 'light on disk'],
  ['MERGE_MIN', HALL, 'the merge takes the minimum of the served mark', 'merge only grows'],
  ['EPOCH_REUSE', HALL2, 'an empty-disk restart reuses instance numbers', 'unique instances'],
  ['CAB_ANY_SERVER', CAB, 'any car serves a cab call', 'cab served by its own car'],
  ['SUSPECT_DROPS', HALL, "a node drops a suspected peer's calls", 'lamp off after service'],
  ['NO_CAB_REBROADCAST', CAB, "peers do not re-send others' cab calls", 'lit cab call served'],
  ['NEVER_SYNC', HALL, 'an empty-disk node never darkens a lamp', 'lamps agree after faults'],
  ['RESTART_ALONE', HALL, 'alone at once after a (re)start (the old rule)', 'single failure'],
  ['RESTART_ALONE', CAB, 'alone at once after a (re)start (the old rule), cab', 'single failure'],
] as const;

const MUTANTS: Run[] = MUTANT_LIST.map(([define, call, broken, property]) => ({
  name: `mutant ${define}${call === CAB ? ' (cab)' : ''}`,
  defines: ['-DN=2', '-DCRASHES=1', ...call, `-D${define}`],
  expect: 'counterexample' as const,
  what: `${broken} -> must break: ${property}`,
  ...(define === 'EPOCH_REUSE' && { optimise: true }),
}));

/**
 * Every mutant again with three nodes and the symmetry reduction: each must still be rejected (the
 * reduction hides none of their counterexamples). The 3-node space is too large for a plain search
 * to reach a counterexample soon (its first branch runs thousands of steps deep), so these search
 * within a depth bound that grows (12, 16, ... steps) until one is found.
 */
const MUTANTS3: Run[] = MUTANT_LIST.map(([define, call, , property]) => ({
  name: `mutant ${define}${call === CAB ? ' (cab)' : ''}, 3 nodes`,
  defines: ['-DN=3', '-DCRASHES=1', ...call, `-D${define}`],
  expect: 'counterexample' as const,
  what: `3 nodes, symmetry reduced -> must break: ${property}`,
  depths: [12, 16, 20, 24, 32],
}));

/** The code's rules where the model departs from them (model/mesh.pml says why): each must fail. */
const FINDINGS: Run[] = [
  {
    name: 'finding LAMP_DARKENS_PENDING',
    defines: ['-DN=2', '-DCRASHES=1', ...HALL, '-DLAMP_DARKENS_PENDING'],
    expect: 'counterexample',
    what: 'emitLamps as in the code with the fixed alone rule -> a restart darkens a lit call',
  },
  {
    // Found in session 9 by the unbounded 2-press run (--deep, at 30.9 million states); the
    // 1-broadcast 2-press run above (in CI, exhaustive) reaches it in 217,466 states.
    name: 'finding LAMP_FORGETS_INHERITED',
    defines: ['-DN=2', '-DCRASHES=1', '-DBCASTS=1', ...HALL2, '-DLAMP_FORGETS_INHERITED'],
    expect: 'counterexample',
    what: 'the lamp rule the code had: a lamp set again since the restart is darkened while an instance held pending before is still pending',
    optimise: true,
  },
  {
    // Found in session 11 by the 3-node run with 2 broadcasts (by hand, at 55 million states): a
    // node restarted with an empty disk darkened a lamp after the whole datagram of a peer that
    // had never heard of its call. Within a depth bound pan finds it at once.
    name: 'finding SYNC_FIRST_PASS',
    defines: ['-DN=3', '-DCRASHES=0', '-DBCASTS=2', ...HALL, '-DSYNC_FIRST_PASS'],
    expect: 'counterexample',
    what: 'the lamp-sync rule the code had: one whole datagram of any peer -> a lamp darkened with no service',
    depths: [12, 16, 20],
  },
  {
    name: 'finding STRICT_LAMP_ON_DISK',
    defines: ['-DN=2', '-DCRASHES=0', '-DPRESS_H=2', '-DPRESS_C=0', '-DSTRICT_LAMP_ON_DISK'],
    expect: 'counterexample',
    what: 'a lamp stays on for an instance not on its disk (allowed: backed elsewhere)',
  },
];

const args = process.argv.slice(2);
const deep = args.includes('--deep');
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const model = join(dirname(fileURLToPath(import.meta.url)), 'mesh.pml');
/** MB per pan (two run at once): --deep's larger runs need more. */
const memlim = deep ? 8000 : 3000;

interface Done {
  run: Run;
  ok: boolean;
  line: string;
  trail: string;
  seconds: number;
}

function exec(cmd: string, argv: string[], cwd: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

async function check(run: Run): Promise<Done> {
  const dir = mkdtempSync(join(tmpdir(), 'mesh-model-'));
  const t0 = process.hrtime.bigint();
  const since = () => Number(process.hrtime.bigint() - t0) / 1e9;
  try {
    copyFileSync(model, join(dir, 'mesh.pml'));
    const gen = await exec('spin', ['-a', ...run.defines, 'mesh.pml'], dir);
    if (gen.code !== 0) throw new Error(`spin -a failed:\n${gen.out}`);
    // A clean run explores millions of states: -O2 (about 9 s of compile, 4 times faster pan).
    // A mutant stops at its first counterexample: -O0 (about 2 s of compile). -DSAFETY: assertions
    // only; -DCOLLAPSE: exhaustive, with the state vector compressed; -DMEMLIM: a run that needs
    // more is reported as not exhaustive (a failure), never as clean.
    const opt = run.expect === 'clean' || run.optimise === true ? '-O2' : '-O0';
    const cc = await exec(
      'gcc',
      [
        opt,
        '-w',
        '-DSAFETY',
        run.graph === true ? '-DMA=400' : '-DCOLLAPSE',
        '-DNOBOUNDCHECK',
        `-DMEMLIM=${memlim}`,
        '-o',
        'pan',
        'pan.c',
      ],
      dir,
    );
    if (cc.code !== 0) throw new Error(`gcc failed:\n${cc.out}`);
    const compiled = since();
    // A run with depth bounds (a mutant): the first bound whose search finds a counterexample.
    let r: PanResult | undefined;
    for (const depth of run.depths ?? [100000]) {
      r = parsePan((await exec('./pan', [`-m${depth}`, '-w24'], dir)).out);
      if (run.depths !== undefined) r = { ...r, depthBound: depth };
      if (r.errors > 0) break;
    }
    if (r === undefined) throw new Error('no pan run');
    const v = judge(run, r);
    let trail = '';
    if (r.errors > 0) {
      // The counterexample: spin replays pan's trail, printing each step's printf.
      const t = await exec('spin', ['-t', ...run.defines, 'mesh.pml'], dir);
      const steps = t.out
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l !== '' && !/^(spin|#processes|\d+:|[a-zA-Z_]+\[?\d*\]? = )/.test(l));
      const at = /spin: mesh\.pml:(\d+), Error: assertion violated/.exec(t.out);
      trail = `     counterexample (${steps.length} steps${at ? `, mesh.pml:${at[1]}` : ''}): ${steps.join(', ')}`;
    }
    const seconds = since();
    const line =
      `${v.ok ? 'ok  ' : 'FAIL'} ${run.name.padEnd(38)} ${String(r.states).padStart(9)} states` +
      ` ${String(r.transitions).padStart(10)} transitions ${seconds.toFixed(1).padStart(6)} s` +
      ` (compile ${compiled.toFixed(1)} s)  ${v.text}` +
      (r.depthBound !== undefined ? ` (within ${r.depthBound} steps)` : '') +
      `\n     ${run.what}; ${run.defines.join(' ')}`;
    return { run, ok: v.ok, line, trail, seconds };
  } catch (e) {
    const line = `FAIL ${run.name}: ${e instanceof Error ? e.message : String(e)}`;
    return { run, ok: false, line, trail: '', seconds: since() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const all = [...REAL, ...MUTANTS, ...MUTANTS3, ...FINDINGS].filter(
  (r) => (deep || !r.deep) && (only === undefined || r.name.includes(only)),
);
try {
  await exec('spin', ['-V'], tmpdir());
  await exec('gcc', ['--version'], tmpdir());
} catch {
  console.error('test:model needs spin and gcc on the PATH (Debian: apt-get install spin gcc)');
  process.exit(1);
}
const started = Date.now();
const results: Done[] = [];
let next = 0;
async function worker(): Promise<void> {
  while (next < all.length) {
    const run = all[next++];
    if (run === undefined) return;
    const done = await check(run);
    results.push(done);
    console.log(done.line);
    if (done.trail !== '' && (done.run.expect === 'counterexample' || !done.ok))
      console.log(done.trail);
  }
}
await Promise.all([worker(), worker()]);
const failed = results.filter((r) => !r.ok).length;
console.log(
  `model: ${results.length - failed} passed, ${failed} failed, ${((Date.now() - started) / 1000).toFixed(0)} s wall` +
    (deep ? ' (--deep)' : ''),
);
process.exit(failed === 0 ? 0 : 1);
