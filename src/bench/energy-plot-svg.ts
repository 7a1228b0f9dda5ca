/**
 * A hand-written SVG of the trade-off between waiting and energy: one panel per building size, one
 * point per strategy at (floors travelled, average wait), both summed or averaged over the size's
 * cells. Down and to the left is better; a strategy that only buys its waits with floors sits up
 * the diagonal from another.
 */
import type { CellResult } from './bench-runner.js';

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#17becf'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** One strategy's point in one size: floors per run summed over cells, average wait over cells. */
export interface EnergyPoint {
  assigner: string;
  floors: number;
  avgWaitS: number;
}

/** The points of every size, in the order of `sizes` (labels `CxF`) and `assigners`. */
export function energyPoints(
  cells: readonly CellResult[],
  sizes: readonly string[],
  assigners: readonly string[],
): { size: string; points: EnergyPoint[] }[] {
  return sizes.map((size) => ({
    size,
    points: assigners.flatMap((assigner) => {
      const mine = cells.filter((c) => `${c.cars}x${c.floors}` === size && c.assigner === assigner);
      if (mine.length === 0) return [];
      return [
        {
          assigner,
          floors: mine.reduce((s, c) => s + c.metrics.floorsTravelled, 0),
          avgWaitS: mine.reduce((s, c) => s + c.metrics.avgWaitS, 0) / mine.length,
        },
      ];
    }),
  }));
}

/** The SVG document: a panel per size, axes from 0 to the largest value of that size. */
export function energyTradeoffSvg(
  cells: readonly CellResult[],
  sizes: readonly string[],
  assigners: readonly string[],
): string {
  const panelW = 300;
  const panelH = 220;
  const margin = { left: 50, right: 15, top: 30, bottom: 40 };
  const cols = Math.min(3, Math.max(1, sizes.length));
  const rows = Math.ceil(sizes.length / cols);
  const cellW = panelW + margin.left + margin.right;
  const cellH = panelH + margin.top + margin.bottom;
  const legendH = 20 + 14 * assigners.length;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${cols * cellW}" height="${rows * cellH + legendH}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
  ];
  energyPoints(cells, sizes, assigners).forEach(({ size, points }, i) => {
    const ox = (i % cols) * cellW + margin.left;
    const oy = Math.floor(i / cols) * cellH + margin.top;
    const maxX = Math.max(1, ...points.map((p) => p.floors)) * 1.1;
    const maxY = Math.max(1, ...points.map((p) => p.avgWaitS)) * 1.1;
    parts.push(
      `<text x="${ox}" y="${oy - 10}" font-weight="bold">${esc(size)}: avg wait against floors travelled</text>`,
      `<rect x="${ox}" y="${oy}" width="${panelW}" height="${panelH}" fill="none" stroke="#999"/>`,
      `<text x="${ox + panelW / 2}" y="${oy + panelH + 30}" text-anchor="middle">floors per run (0-${Math.round(maxX)})</text>`,
      `<text x="${ox - 35}" y="${oy + panelH / 2}" text-anchor="middle" transform="rotate(-90 ${ox - 35} ${oy + panelH / 2})">avg wait s (0-${maxY.toFixed(1)})</text>`,
    );
    for (const p of points) {
      const k = assigners.indexOf(p.assigner);
      const x = ox + (p.floors / maxX) * panelW;
      const y = oy + panelH - (p.avgWaitS / maxY) * panelH;
      parts.push(
        `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="5" fill="${COLORS[k % COLORS.length]}"><title>${esc(p.assigner)}: ${Math.round(p.floors)} floors, ${p.avgWaitS.toFixed(1)} s</title></circle>`,
      );
    }
  });
  assigners.forEach((a, k) => {
    const y = rows * cellH + 14 + 14 * k;
    parts.push(
      `<circle cx="${margin.left}" cy="${y - 4}" r="5" fill="${COLORS[k % COLORS.length]}"/>`,
      `<text x="${margin.left + 10}" y="${y}">${esc(a)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
