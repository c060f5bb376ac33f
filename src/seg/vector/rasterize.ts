// Polygons back to pixels: a pixel belongs to a polygon when its centre (x + 0.5, y + 0.5) is
// inside by the even-odd rule over all the polygon's rings (so holes are holes). For polygons
// traced along pixel borders (trace.ts) no centre lies on an edge and the pixels come back exactly;
// for polygons drawn elsewhere (QuPath, CVAT) it is the usual centre-sampling rule, a centre exactly
// on an edge counting on its right (half-open intervals), so touching polygons share no pixel.
import type { Ring } from './trace.ts';

/**
 * Calls `fill(y, x0, x1)` for each run of pixels x0..x1 (inclusive) of row y inside the polygon
 * given by `rings`, clipped to width x height.
 */
export function rasterizeRings(rings: readonly Ring[], width: number, height: number, fill: (y: number, x0: number, x1: number) => void): void {
  let minY = Infinity;
  let maxY = -Infinity;
  for (const r of rings) for (const [, y] of r) {
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  if (!Number.isFinite(minY)) return;
  const rowFrom = Math.max(0, Math.ceil(minY - 0.5));
  const rowTo = Math.min(height - 1, Math.floor(maxY - 0.5));
  if (rowTo < rowFrom) return;
  const xs: number[][] = Array.from({ length: rowTo - rowFrom + 1 }, () => []);
  for (const r of rings) {
    for (let i = 0; i < r.length; i++) {
      const [ax, ay] = r[i];
      const [bx, by] = r[(i + 1) % r.length];
      if (ay === by) continue;
      const [lo, hi] = ay < by ? [ay, by] : [by, ay];
      // Rows whose centre c satisfies lo <= c < hi (half-open: a vertex is counted once).
      const first = Math.max(rowFrom, Math.ceil(lo - 0.5));
      const last = Math.min(rowTo, Math.ceil(hi - 0.5) - 1);
      for (let y = first; y <= last; y++) {
        const c = y + 0.5;
        xs[y - rowFrom].push(ax + ((c - ay) * (bx - ax)) / (by - ay));
      }
    }
  }
  for (let k = 0; k < xs.length; k++) {
    const row = xs[k].sort((a, b) => a - b);
    for (let i = 0; i + 1 < row.length; i += 2) {
      // Centres x + 0.5 in [row[i], row[i+1]).
      const x0 = Math.max(0, Math.ceil(row[i] - 0.5));
      const x1 = Math.min(width - 1, Math.ceil(row[i + 1] - 0.5) - 1);
      if (x1 >= x0) fill(k + rowFrom, x0, x1);
    }
  }
}
