/** Text and JSON renderings of a benchmark result. */
import type { BenchResult, CellResult } from './bench-runner.js';
import { cellLabel } from './bench-runner.js';

function pad(s: string, n: number, left = false): string {
  return left ? s.padStart(n) : s.padEnd(n);
}

function fmt(x: number, digits = 1): string {
  return Number.isFinite(x) ? x.toFixed(digits) : '-';
}

const COLUMNS: { title: string; width: number; value: (c: CellResult) => string }[] = [
  { title: 'avg wait s', width: 10, value: (c) => fmt(c.metrics.avgWaitS) },
  { title: 'p95', width: 6, value: (c) => fmt(c.metrics.p95WaitS) },
  { title: 'max', width: 6, value: (c) => fmt(c.metrics.maxWaitS) },
  { title: '>60s%', width: 6, value: (c) => fmt(100 * c.metrics.over60Share) },
  { title: 'trip s', width: 7, value: (c) => fmt(c.metrics.avgTripS) },
  { title: 'avg/LB', width: 6, value: (c) => fmt(c.avgWaitVsBound, 2) },
  { title: 'p95/LB', width: 6, value: (c) => fmt(c.p95WaitVsBound, 2) },
  { title: 'trip/LB', width: 7, value: (c) => fmt(c.avgTripVsBound, 2) },
  { title: 'vs ref', width: 11, value: (c) => vsRef(c) },
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
  lines.push(
    '',
    "LB: a lower bound per run: each passenger's wait (trip) if the car nearest to them at their",
    "arrival were free and dedicated to them. It depends on where that run's cars stand, so parking",
    "lowers it too: each /LB ratio is against the run's own bound; the LB row shows the reference's.",
    '',
    'Against the reference (mean over cells of the per-cell ratio; < 1 is better):',
  );
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
    pad('LB of ref', 12) +
    [
      pad(fmt(m.boundAvgWaitS), 10, true),
      pad(fmt(m.boundP95WaitS), 6, true),
      pad('', 6),
      pad('', 6),
      pad(fmt(m.boundAvgTripS), 7, true),
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
