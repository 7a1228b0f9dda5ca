/**
 * The report of one acceptance run: counts (calls made, served, lost), wait time and light-on
 * latency percentiles, per-fault takeover figures and every violation. Pure: built from a
 * {@link RunRecord} and its {@link CheckResult}; the runner writes it as JSON and prints
 * {@link formatReport}.
 */
import type { CheckResult, Violation } from './checks.js';
import type { FaultResult } from './observations.js';
import type { PeerFlapResult } from './peer-flaps.js';
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
  /**
   * Per host: the UDP datagrams it sent on its cable, the frames they took and the mean bytes of
   * a datagram's IP packets (absent: not recorded). More than one frame per datagram means IP
   * fragments, each of which a lossy link can lose.
   */
  network?: Record<
    string,
    { datagrams: number; frames: number; framesPerDatagram: number; bytesPerDatagram: number }
  >;
  /** Per node: peer-lost events, what the loss explains, and the bound (absent: not recorded). */
  peers?: PeerFlapResult[];
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
    ...(result.peers ? { peers: result.peers } : {}),
    ...(record.sent ? { network: network(record.sent) } : {}),
    errors,
    warnings: result.violations.filter((v) => v.severity === 'warning'),
  };
}

function network(sent: NonNullable<RunRecord['sent']>): NonNullable<Report['network']> {
  const out: NonNullable<Report['network']> = {};
  for (const [host, t] of Object.entries(sent)) {
    const per = (v: number): number =>
      t.datagrams === 0 ? 0 : Math.round((v / t.datagrams) * 100) / 100;
    out[host] = {
      datagrams: t.datagrams,
      frames: t.frames,
      framesPerDatagram: per(t.frames),
      bytesPerDatagram: Math.round(per(t.bytes)),
    };
  }
  return out;
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
  if (report.network !== undefined) {
    const hosts = Object.values(report.network);
    const max = Math.max(0, ...hosts.map((h) => h.framesPerDatagram));
    const bytes = Math.max(0, ...hosts.map((h) => h.bytesPerDatagram));
    lines.push(
      `  network: ${hosts.reduce((a, h) => a + h.datagrams, 0)} datagrams sent, up to ${max} frames per datagram (mean ${bytes} bytes at most)${max > 1 ? ': IP-fragmented' : ''}`,
    );
  }
  if (report.peers !== undefined) {
    const each = report.peers
      .map((p) => `${p.elevator} ${p.peerLost}${p.peerLost > p.bound ? '!' : ''}`)
      .join(', ');
    const bound = Math.max(...report.peers.map((p) => p.bound));
    lines.push(
      `  peer-lost events per node: ${each} (the loss explains up to ${Math.max(...report.peers.map((p) => p.expected))}; bound ${bound}${report.peers.some((p) => p.excused > 0) ? `; ${report.peers.reduce((a, p) => a + p.excused, 0)} more before traffic or during other faults, not counted` : ''})`,
    );
  }
  for (const v of report.errors.slice(0, 20))
    lines.push(`  ERROR [${v.rule}] at ${(v.at / 1000).toFixed(2)} s: ${v.detail}`);
  if (report.errors.length > 20) lines.push(`  ... and ${report.errors.length - 20} more errors`);
  for (const v of report.warnings.slice(0, 10))
    lines.push(`  warning [${v.rule}] at ${(v.at / 1000).toFixed(2)} s: ${v.detail}`);
  return lines.join('\n');
}

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? null;
}

/** p50, p95 and max of some durations (nearest rank); `null`s when there are none. */
export function stats(values: number[]): {
  n: number;
  p50: number | null;
  p95: number | null;
  max: number | null;
} {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    max: sorted.length > 0 ? (sorted[sorted.length - 1] ?? null) : null,
  };
}
