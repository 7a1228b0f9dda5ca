/**
 * A hand-written SVG of the wait-time distribution: one panel per traffic pattern, one cumulative
 * curve per assigner (share of passengers who waited at most x seconds), all sizes and intensities
 * pooled. Higher and further left is better.
 */
import type { RunResult } from './bench-runner.js';

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The SVG document for `runs` (assigners and patterns in the order given). */
export function waitDistributionSvg(
  runs: readonly RunResult[],
  patterns: readonly string[],
  assigners: readonly string[],
): string {
  const panelW = 360;
  const panelH = 240;
  const margin = { left: 50, right: 15, top: 30, bottom: 40 };
  const cols = Math.min(2, Math.max(1, patterns.length));
  const rows = Math.ceil(patterns.length / cols);
  const width = cols * (panelW + margin.left + margin.right);
  const height = rows * (panelH + margin.top + margin.bottom) + 30;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
  ];
  assigners.forEach((a, i) => {
    const x = 10 + i * 130;
    parts.push(
      `<line x1="${x}" y1="15" x2="${x + 20}" y2="15" stroke="${COLORS[i % COLORS.length]}" stroke-width="2"/>`,
      `<text x="${x + 25}" y="19">${esc(a)}</text>`,
    );
  });
  patterns.forEach((pattern, p) => {
    const ox = (p % cols) * (panelW + margin.left + margin.right) + margin.left;
    const oy = 30 + Math.floor(p / cols) * (panelH + margin.top + margin.bottom) + margin.top;
    const byAssigner = assigners.map((a) =>
      runs
        .filter((r) => r.pattern === pattern && r.assigner === a)
        .flatMap((r) => r.waitsS)
        .sort((x, y) => x - y),
    );
    const all = byAssigner.flat().sort((x, y) => x - y);
    // The x range covers 99% of all waits, rounded up to 10 s, so one outlier does not flatten it.
    const p99 =
      all.length === 0 ? 10 : all[Math.min(all.length - 1, Math.floor(all.length * 0.99))]!;
    const xMax = Math.max(10, Math.ceil(p99 / 10) * 10);
    const sx = (w: number) => ox + (Math.min(w, xMax) / xMax) * panelW;
    const sy = (share: number) => oy + panelH - share * panelH;
    parts.push(
      `<text x="${ox}" y="${oy - 8}" font-weight="bold">${esc(pattern)}</text>`,
      `<rect x="${ox}" y="${oy}" width="${panelW}" height="${panelH}" fill="none" stroke="#999"/>`,
    );
    for (let i = 0; i <= 4; i++) {
      const share = i / 4;
      parts.push(
        `<line x1="${ox}" y1="${sy(share)}" x2="${ox + panelW}" y2="${sy(share)}" stroke="#eee"/>`,
        `<text x="${ox - 5}" y="${sy(share) + 4}" text-anchor="end">${Math.round(share * 100)}%</text>`,
      );
      const w = (xMax * i) / 4;
      parts.push(
        `<text x="${sx(w)}" y="${oy + panelH + 14}" text-anchor="middle">${Math.round(w)}</text>`,
      );
    }
    parts.push(
      `<text x="${ox + panelW / 2}" y="${oy + panelH + 30}" text-anchor="middle">wait (s), share of passengers served within</text>`,
    );
    byAssigner.forEach((waits, i) => {
      if (waits.length === 0) return;
      // Step curve of the empirical distribution, at most ~200 points.
      const stepN = Math.max(1, Math.floor(waits.length / 200));
      const pts: string[] = [`${sx(0).toFixed(1)},${sy(0).toFixed(1)}`];
      for (let k = 0; k < waits.length; k += stepN) {
        pts.push(`${sx(waits[k]!).toFixed(1)},${sy(k / waits.length).toFixed(1)}`);
        pts.push(`${sx(waits[k]!).toFixed(1)},${sy((k + 1) / waits.length).toFixed(1)}`);
      }
      pts.push(`${sx(xMax).toFixed(1)},${sy(1).toFixed(1)}`);
      parts.push(
        `<polyline fill="none" stroke="${COLORS[i % COLORS.length]}" stroke-width="1.5" points="${pts.join(' ')}"/>`,
      );
    });
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
