/** Text and JSON renderings of a benchmark result. */
import { DEFAULT_DISPATCH } from '../core/assigner/dispatch.js';
import type { AssignerSummary, BenchResult, CellResult } from './bench-runner.js';
import { cellLabel } from './bench-runner.js';

function pad(s: string, n: number, left = false): string {
  return left ? s.padStart(n) : s.padEnd(n);
}

function fmt(x: number, digits = 1): string {
  return Number.isFinite(x) ? x.toFixed(digits) : '-';
}

const COLUMNS: { title: string; width: number; value: (c: CellResult) => string }[] = [
  { title: 'avg wait s', width: 10, value: (c) => fmt(c.metrics.avgWaitS) },
  {
    title: 'seeds min-max',
    width: 13,
    value: (c) => `${fmt(c.seedAvgWaitMinS)}-${fmt(c.seedAvgWaitMaxS)}`,
  },
  { title: 'p95', width: 6, value: (c) => fmt(c.metrics.p95WaitS) },
  {
    title: 'p95 min-max',
    width: 11,
    value: (c) => `${fmt(c.seedP95WaitMinS)}-${fmt(c.seedP95WaitMaxS)}`,
  },
  { title: 'max', width: 6, value: (c) => fmt(c.metrics.maxWaitS) },
  { title: '>60s%', width: 6, value: (c) => fmt(100 * c.metrics.over60Share) },
  { title: 'trip s', width: 7, value: (c) => fmt(c.metrics.avgTripS) },
  { title: 'avg/NB', width: 6, value: (c) => fmt(c.avgWaitVsBound, 2) },
  { title: 'p95/NB', width: 6, value: (c) => fmt(c.p95WaitVsBound, 2) },
  { title: 'trip/LB', width: 7, value: (c) => fmt(c.avgTripVsFleetBound, 2) },
  { title: 'vs ref', width: 11, value: (c) => vsRef(c) },
  { title: 'vs ref+park', width: 11, value: (c) => vsRefPark(c) },
  { title: 'floors', width: 7, value: (c) => fmt(c.metrics.floorsTravelled, 0) },
  { title: 'stops', width: 6, value: (c) => fmt(c.metrics.stops, 0) },
  { title: 'flips%', width: 6, value: (c) => fmt(c.metrics.flipsPer100Calls) },
  { title: 'ms mean', width: 7, value: (c) => fmt(c.metrics.assignMeanMs, 3) },
  { title: 'ms p99', width: 7, value: (c) => fmt(c.metrics.assignP99Ms, 2) },
  { title: 'ms max', width: 7, value: (c) => fmt(c.metrics.assignMaxMs, 2) },
];

function vsRef(c: CellResult): string {
  if (c.avgWaitVsReference === null || c.p95WaitVsReference === null) return '-';
  return `${fmt(c.avgWaitVsReference, 2)}/${fmt(c.p95WaitVsReference, 2)}`;
}

function vsRefPark(c: CellResult): string {
  if (c.avgWaitVsReferencePark === null || c.p95WaitVsReferencePark === null) return '-';
  return `${fmt(c.avgWaitVsReferencePark, 2)}/${fmt(c.p95WaitVsReferencePark, 2)}`;
}

/** One strategy against every baseline that ran, and its energy per size. */
function comparisonLines(s: AssignerSummary, cells: number): string[] {
  const lines = s.vsBaselines.map(
    (b) =>
      `  ${pad(s.assigner, 16)} vs ${pad(b.baseline, 14)} avg wait x${fmt(
        b.meanAvgWaitRatio,
        3,
      )}  p95 wait x${fmt(b.meanP95WaitRatio, 3)}  worst cell x${fmt(b.worstRatio, 3)} (${
        b.worstCell
      })  wins ${b.cellsWon}/${cells}`,
  );
  if (s.energyBySize.length > 0)
    lines.push(
      `  ${pad('', 16)} floors/stops vs reference by size: ${s.energyBySize
        .map((e) => `${e.size} x${fmt(e.floorsRatio, 2)}/x${fmt(e.stopsRatio, 2)}`)
        .join('  ')}`,
    );
  return lines;
}

/**
 * The results table: one block per cell, one row per assigner plus the lower bound (LB, taken from
 * the reference's runs, or the first assigner's). "vs ref" is avg/p95 wait relative to reference.
 */
export function formatBenchTable(result: BenchResult): string {
  const lines: string[] = [];
  const head =
    pad('cell', 17) +
    pad('assigner', 12) +
    COLUMNS.map((c) => pad(c.title, c.width, true)).join(' ');
  lines.push(head, '-'.repeat(head.length));
  let last = '';
  for (const cell of result.cells) {
    const label = cellLabel(cell);
    if (label !== last && last !== '') {
      lines.push(boundRow(result, last), '');
    }
    last = label;
    lines.push(
      pad(label, 17) +
        pad(cell.assigner, 12) +
        COLUMNS.map((c) => pad(c.value(cell), c.width, true)).join(' '),
    );
  }
  if (last !== '') lines.push(boundRow(result, last));
  const cellCount = result.config.sizes.length * result.config.patterns.length;
  lines.push(
    '',
    'LB (trip/LB, and the LB row): a lower bound that does not depend on the strategy: each',
    "passenger's trip is at least the direct ride from their floor, plus, early in a run, the time",
    'the nearest car needs from its start floor. Its wait part is 0 once the cars could have got',
    'anywhere, so there is no wait ratio to it.',
    "NB (avg/NB, p95/NB, the NB row): the nearest-car bound of each run: each passenger's wait if the",
    'car nearest to them at their arrival were free and dedicated to them. It depends on where that',
    "run's cars stand (parking lowers it), so it is a bound for that run only; runs whose bound is 0",
    'while they waited have no ratio and are left out of the NB averages.',
    `Seeds: ${result.config.seeds.join(', ')}; min-max is the spread of the per-seed averages.`,
    '',
  );
  const headline = result.summaries.find((s) => s.assigner === DEFAULT_DISPATCH);
  if (headline !== undefined && headline.vsBaselines.length > 0) {
    lines.push(`Headline: the default strategy (${DEFAULT_DISPATCH}) against both baselines:`);
    lines.push(...comparisonLines(headline, cellCount), '');
  }
  lines.push('Every strategy against the baselines (mean over cells of the per-cell ratio):');
  for (const s of result.summaries) lines.push(...comparisonLines(s, cellCount));
  lines.push('', 'Against the reference (mean over cells of the per-cell ratio; < 1 is better):');
  for (const s of result.summaries) {
    lines.push(
      `  ${pad(s.assigner, 12)} avg wait x${fmt(s.meanAvgWaitRatio, 3)}  p95 wait x${fmt(
        s.meanP95WaitRatio,
        3,
      )}  worst cell x${fmt(s.worstAvgWaitRatio, 3)} (${s.worstCell})  flips/100 calls ${fmt(
        s.meanFlipsPer100Calls,
      )}  assign ${fmt(s.meanAssignMs, 3)} ms mean, ${fmt(s.p99AssignMs, 2)} ms p99, ${fmt(
        s.maxAssignMs,
        2,
      )} ms max  wins ${
        s.cellsWon.length
      }/${result.config.sizes.length * result.config.patterns.length} cells`,
      `  ${pad('', 12)} floors travelled x${fmt(s.meanFloorsRatio, 3)}  door stops x${fmt(
        s.meanStopsRatio,
        3,
      )}  parking retargets/run ${fmt(s.meanParkRetargets)} (turned back ${fmt(
        s.meanParkTurnbacks,
      )})`,
    );
  }
  lines.push(`(${fmt(result.wallMs / 1000)} s wall)`);
  return lines.join('\n');
}

function boundRow(result: BenchResult, label: string): string {
  const cells = result.cells.filter((c) => cellLabel(c) === label);
  const base = cells.find((c) => c.assigner === 'reference') ?? cells[0];
  if (base === undefined) return '';
  const m = base.metrics;
  return (
    pad('', 17) +
    pad('NB of ref', 12) +
    [
      pad(fmt(m.boundAvgWaitS), 10, true),
      pad('', 13),
      pad(fmt(m.boundP95WaitS), 6, true),
      pad('', 11),
      pad('', 6),
      pad('', 6),
      pad(fmt(m.boundAvgTripS), 7, true),
    ].join(' ') +
    `\n${pad('', 17)}${pad('LB (any)', 12)}` +
    [
      pad(fmt(m.fleetBoundAvgWaitS), 10, true),
      pad('', 13),
      pad('', 6),
      pad('', 11),
      pad('', 6),
      pad('', 6),
      pad(fmt(m.fleetBoundAvgTripS), 7, true),
    ].join(' ')
  );
}

/** The JSON file: config, per-cell figures, summaries, and per-run figures (waits left out). */
export function benchJson(result: BenchResult): string {
  return `${JSON.stringify(
    {
      config: result.config,
      summaries: result.summaries,
      cells: result.cells,
      runs: result.runs.map(({ waitsS: _waits, ...rest }) => rest),
      wallMs: result.wallMs,
    },
    null,
    2,
  )}\n`;
}
