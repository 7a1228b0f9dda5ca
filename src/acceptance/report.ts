/**
 * The report of one acceptance run: counts (calls made, served, lost), wait time and light-on
 * latency percentiles, per-fault takeover figures and every violation. Pure: built from a
 * {@link RunRecord} and its {@link CheckResult}; the runner writes it as JSON and prints
 * {@link formatReport}.
 */
import type { CheckResult, FaultResult, Violation } from './checks.js';
import { stats } from './checks.js';
import type { RunRecord } from './run-record.js';

export interface Report {
  scenario: string;
  run: string;
  seed: number;
  ok: boolean;
  durationS: number;
  calls: {
    made: number;
    lit: number;
    alreadyLit: number;
    servedAtOnce: number;
    refusedDuringFault: number;
    notLit: number;
    served: number;
    lost: number;
  };
  /** Press to the serving car's door opening at the floor, for every served press. */
  waitMs: ReturnType<typeof stats>;
  /** Press to lamp on, from the simulators' timestamps. */
  lightOnMs: ReturnType<typeof stats>;
  faults: ({
    label: string;
    kind: string;
    target: string;
    atS: number;
  } & Omit<FaultResult, 'fault'>)[];
  errors: Violation[];
  warnings: Violation[];
}

/** Builds the report of a run. */
export function buildReport(
  record: RunRecord,
  result: CheckResult,
  meta: { run: string; seed: number },
): Report {
  const r = result.presses;
  const lit = r.filter((p) => p.outcome === 'lit' || p.outcome === 'already-lit');
  const served = r.filter((p) => p.servedAt !== null);
  const errors = result.violations.filter((v) => v.severity === 'error');
  return {
    scenario: record.scenario,
    run: meta.run,
    seed: meta.seed,
    ok: errors.length === 0,
    durationS: Math.round(record.end / 100) / 10,
    calls: {
      made: r.length,
      lit: r.filter((p) => p.outcome === 'lit').length,
      alreadyLit: r.filter((p) => p.outcome === 'already-lit').length,
      servedAtOnce: r.filter((p) => p.outcome === 'served-at-once').length,
      refusedDuringFault: r.filter((p) => p.outcome === 'refused-during-fault').length,
      notLit: r.filter((p) => p.outcome === 'not-lit').length,
      served: served.length,
      lost: lit.filter((p) => p.servedAt === null).length,
    },
    waitMs: round(stats(served.map((p) => (p.servedAt ?? 0) - p.press.t))),
    lightOnMs: round(
      stats(r.filter((p) => p.outcome === 'lit').map((p) => (p.litAt ?? 0) - p.press.t)),
    ),
    faults: result.faults.map((f) => ({
      label: f.fault.label,
      kind: f.fault.kind,
      target: f.fault.target,
      atS: Math.round(f.fault.start / 100) / 10,
      pendingHallCalls: f.pendingHallCalls,
      takeoverMs: f.takeoverMs,
      takeoverUnserved: f.takeoverUnserved,
      agreeAgainMs: f.agreeAgainMs,
      probeMs: f.probeMs,
      probeServedBy: f.probeServedBy,
    })),
    errors,
    warnings: result.violations.filter((v) => v.severity === 'warning'),
  };
}

function round(s: ReturnType<typeof stats>): ReturnType<typeof stats> {
  const r = (v: number | null): number | null => (v === null ? null : Math.round(v * 10) / 10);
  return { n: s.n, p50: r(s.p50), p95: r(s.p95), max: r(s.max) };
}

const ms = (v: number | null): string => (v === null ? '-' : `${v} ms`);

/** A human-readable summary (a few lines, then the violations). */
export function formatReport(report: Report): string {
  const c = report.calls;
  const lines = [
    `${report.ok ? 'PASS' : 'FAIL'} ${report.scenario} (run ${report.run}, seed ${report.seed}, ${report.durationS} s)`,
    `  calls made ${c.made}: lit ${c.lit}, already lit ${c.alreadyLit}, served at once ${c.servedAtOnce}, refused during a fault ${c.refusedDuringFault}, not lit ${c.notLit}`,
    `  served ${c.served}, lost ${c.lost}`,
    `  wait (press to service): p50 ${ms(report.waitMs.p50)}, p95 ${ms(report.waitMs.p95)}, max ${ms(report.waitMs.max)} (n=${report.waitMs.n})`,
    `  light-on latency: p50 ${ms(report.lightOnMs.p50)}, p95 ${ms(report.lightOnMs.p95)}, max ${ms(report.lightOnMs.max)} (n=${report.lightOnMs.n})`,
  ];
  for (const f of report.faults) {
    const probe =
      f.kind === 'loss'
        ? ''
        : `probe call served after ${ms(f.probeMs)}${f.probeServedBy === null ? '' : ` by ${f.probeServedBy}`}; `;
    const pending =
      f.pendingHallCalls === 0
        ? 'no hall call pending'
        : `${f.pendingHallCalls} hall calls pending, all served after ${ms(f.takeoverMs)}${f.takeoverUnserved > 0 ? ` (${f.takeoverUnserved} never served)` : ''}`;
    lines.push(
      `  fault ${f.label} at ${f.atS} s: ${probe}${pending}; lights agree ${ms(f.agreeAgainMs)} after it was lifted`,
    );
  }
  for (const v of report.errors.slice(0, 20))
    lines.push(`  ERROR [${v.rule}] at ${(v.at / 1000).toFixed(2)} s: ${v.detail}`);
  if (report.errors.length > 20) lines.push(`  ... and ${report.errors.length - 20} more errors`);
  for (const v of report.warnings.slice(0, 10))
    lines.push(`  warning [${v.rule}] at ${(v.at / 1000).toFixed(2)} s: ${v.detail}`);
  return lines.join('\n');
}
