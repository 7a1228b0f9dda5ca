/**
 * A timeline of a run that a person can look at: one self-contained HTML page with an SVG per
 * elevator lane (car position, door open, lamps on, presses) and the faults as shaded bands,
 * violations as red marks. Pure: a string from a record, its checks and its report.
 */
import type { CheckResult } from './checks.js';
import type { Report } from './report.js';
import type { RunRecord, Sample } from './run-record.js';
import { samplesByElevator } from './observations.js';

const PX_PER_S = 24;
const FLOOR_PX = 36;
const LEFT = 60;

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Car position as a number of floors (half-way while between two floors). */
function position(s: Sample): number {
  const p = s.panel;
  if (p.floor !== null) return p.floor;
  return p.lastFloor + (p.motor === 'down' ? -0.5 : 0.5);
}

/** Renders the timeline page. */
export function renderTimeline(record: RunRecord, result: CheckResult, report: Report): string {
  const seconds = Math.max(1, record.end / 1000);
  const width = LEFT + Math.ceil(seconds * PX_PER_S) + 20;
  const laneH = record.floors * FLOOR_PX + 30;
  const height = 30 + laneH * record.elevators.length;
  const x = (t: number): number => LEFT + (t / 1000) * PX_PER_S;
  const parts: string[] = [];
  const byElevator = samplesByElevator(record);

  // Time grid every 5 s.
  for (let s = 0; s <= seconds; s += 5) {
    parts.push(
      `<line x1="${x(s * 1000)}" y1="20" x2="${x(s * 1000)}" y2="${height}" stroke="#eee"/>`,
      `<text x="${x(s * 1000)}" y="14" font-size="10" text-anchor="middle">${s}s</text>`,
    );
  }
  // Faults.
  for (const f of record.faults) {
    const lane = record.elevators.indexOf(f.target);
    const y0 = lane < 0 ? 20 : 30 + lane * laneH;
    const h = lane < 0 ? height - 20 : laneH - 10;
    const color = f.kind === 'loss' ? '#fde68a' : '#fecaca';
    parts.push(
      `<rect x="${x(f.start)}" y="${y0}" width="${Math.max(2, x(f.lifted) - x(f.start))}" height="${h}" fill="${color}" opacity="0.6"><title>${esc(f.label)}</title></rect>`,
      `<rect x="${x(f.lifted)}" y="${y0}" width="${Math.max(0, x(f.end) - x(f.lifted))}" height="${h}" fill="${color}" opacity="0.25"><title>${esc(f.label)} (recovery)</title></rect>`,
      `<text x="${x(f.start) + 2}" y="${y0 + 10}" font-size="9" fill="#991b1b">${esc(f.label)}</text>`,
    );
  }
  record.elevators.forEach((id, lane) => {
    const top = 30 + lane * laneH;
    const yFloor = (f: number): number =>
      top + 10 + (record.floors - 1 - f) * FLOOR_PX + FLOOR_PX / 2;
    parts.push(`<text x="4" y="${top + 14}" font-size="12" font-weight="bold">${esc(id)}</text>`);
    for (let f = 0; f < record.floors; f++) {
      parts.push(
        `<line x1="${LEFT}" y1="${yFloor(f)}" x2="${width}" y2="${yFloor(f)}" stroke="#ddd"/>`,
        `<text x="${LEFT - 6}" y="${yFloor(f) + 4}" font-size="10" text-anchor="end">${f}</text>`,
      );
    }
    for (const d of result.doors.filter((d) => d.elevator === id && d.floor !== null)) {
      parts.push(
        `<rect x="${x(d.start)}" y="${yFloor(d.floor ?? 0) - 6}" width="${Math.max(1, x(d.end) - x(d.start))}" height="12" fill="#86efac"><title>door open ${Math.round(d.end - d.start)} ms</title></rect>`,
      );
    }
    for (const l of result.lamps.filter((l) => l.elevator === id)) {
      const dy = l.button === 'hallUp' ? -10 : l.button === 'hallDown' ? 10 : 0;
      const color =
        l.button === 'hallUp' ? '#f97316' : l.button === 'hallDown' ? '#2563eb' : '#9333ea';
      const end = l.off ?? record.end;
      parts.push(
        `<line x1="${x(l.on)}" y1="${yFloor(l.floor) + dy}" x2="${x(end)}" y2="${yFloor(l.floor) + dy}" stroke="${color}" stroke-width="${l.button === 'cab' ? 3 : 2}"><title>${l.button} ${l.floor} lit ${Math.round(end - l.on)} ms</title></line>`,
      );
    }
    const list = byElevator.get(id) ?? [];
    const points = list.map((s) => `${x(s.t).toFixed(1)},${yFloor(position(s)).toFixed(1)}`);
    if (list.length > 0)
      points.push(`${x(record.end)},${yFloor(position(list[list.length - 1] as Sample))}`);
    parts.push(
      `<polyline points="${points.join(' ')}" fill="none" stroke="#111" stroke-width="1.5"/>`,
    );
    for (const p of record.presses.filter((p) => p.elevator === id)) {
      parts.push(
        `<circle cx="${x(p.t)}" cy="${yFloor(p.floor)}" r="2.5" fill="#444"><title>press ${p.button} ${p.floor}</title></circle>`,
      );
    }
  });
  for (const v of result.violations) {
    const lane = v.elevator === undefined ? -1 : record.elevators.indexOf(v.elevator);
    const y = lane < 0 ? 24 : 34 + lane * laneH;
    const color = v.severity === 'error' ? '#dc2626' : '#d97706';
    parts.push(
      `<path d="M${x(v.at)},${y} l5,9 l-10,0 z" fill="${color}"><title>${esc(`${v.rule}: ${v.detail}`)}</title></path>`,
    );
  }

  const summary = esc(
    JSON.stringify(
      { ...report, errors: report.errors.length, warnings: report.warnings.length },
      null,
      2,
    ),
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(record.scenario)}: acceptance timeline</title>
<style>body{font-family:system-ui,sans-serif;margin:16px}svg{border:1px solid #ccc}pre{background:#f6f6f6;padding:8px}
.legend span{margin-right:14px}</style></head><body>
<h1>${esc(record.scenario)} ${report.ok ? '<span style="color:#15803d">PASS</span>' : '<span style="color:#dc2626">FAIL</span>'}</h1>
<p class="legend"><span style="color:#111">&#9473; car</span><span style="color:#16a34a">&#9632; door open</span>
<span style="color:#f97316">&#9473; hall up lamp</span><span style="color:#2563eb">&#9473; hall down lamp</span>
<span style="color:#9333ea">&#9473; cab lamp</span><span>&#9679; press</span>
<span style="background:#fecaca">fault</span> <span style="background:#fde68a">packet loss</span>
<span style="color:#dc2626">&#9650; violation</span> (hover for details)</p>
<div style="overflow-x:auto"><svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">
${parts.join('\n')}
</svg></div>
<h2>Report</h2><pre>${summary}</pre>
<h2>Violations</h2><ul>${result.violations.map((v) => `<li>${v.severity} [${esc(v.rule)}] at ${(v.at / 1000).toFixed(2)} s: ${esc(v.detail)}</li>`).join('') || '<li>none</li>'}</ul>
</body></html>
`;
}
