// Where the scatter draws each point so that none hides another: a point whose true position is
// already taken is moved to the nearest free spot on rings around it (a deterministic beeswarm),
// and a thin line leads back to where it belongs. Also the zoom domain and the brush rectangle.
// Pure functions on screen coordinates; the Svelte component only draws.

export interface Domain {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

export const FULL_DOMAIN: Domain = { x0: 0, x1: 1, y0: 0, y1: 1 };

export interface Placed<T> {
  item: T;
  /** True position on screen. */
  px: number;
  py: number;
  /** Where it is drawn (equal to the true position unless it had to move). */
  x: number;
  y: number;
}

/** Points closer than this many radii apart overlap (a small gap keeps outlines apart). */
const SPACING = 2.15;
const MAX_RINGS = 60;

/**
 * Places points of radius `r` so that no two overlap. Points are placed in a fixed order (by true
 * position, then `key`), so the layout is the same every time for the same data.
 */
export function dodge<T>(
  items: readonly T[],
  pos: (t: T) => { x: number; y: number },
  key: (t: T) => string,
  r: number,
  /** Spots outside this rectangle (the plot area) are not used. */
  bounds?: { x0: number; y0: number; x1: number; y1: number },
): Placed<T>[] {
  const order = items
    .map((item) => ({ item, ...pos(item) }))
    .sort((a, b) => a.y - b.y || a.x - b.x || (key(a.item) < key(b.item) ? -1 : 1));
  const placed: Placed<T>[] = [];
  const min2 = (SPACING * r) ** 2;
  const inside = (x: number, y: number) => !bounds || (x >= bounds.x0 && x <= bounds.x1 && y >= bounds.y0 && y <= bounds.y1);
  const free = (x: number, y: number) => inside(x, y) && placed.every((p) => (p.x - x) ** 2 + (p.y - y) ** 2 >= min2);
  for (const o of order) {
    let at = { x: o.x, y: o.y };
    // A true position on the frame itself (a score of exactly 1) is kept; only moves stay inside.
    if (!placed.every((p) => (p.x - at.x) ** 2 + (p.y - at.y) ** 2 >= min2)) {
      search: for (let k = 1; k <= MAX_RINGS; k++) {
        const ring = k * r * 1.1;
        const n = 6 * k;
        for (let i = 0; i < n; i++) {
          const a = (2 * Math.PI * i) / n;
          const x = o.x + ring * Math.cos(a);
          const y = o.y + ring * Math.sin(a);
          if (free(x, y)) {
            at = { x, y };
            break search;
          }
        }
      }
    }
    placed.push({ item: o.item, px: o.x, py: o.y, x: at.x, y: at.y });
  }
  return placed;
}

/** The domain of a brushed rectangle given in data units (corners in any order), or null if too small. */
export function brushDomain(a: { x: number; y: number }, b: { x: number; y: number }, minSpan = 0.01): Domain | null {
  const d = { x0: Math.min(a.x, b.x), x1: Math.max(a.x, b.x), y0: Math.min(a.y, b.y), y1: Math.max(a.y, b.y) };
  return d.x1 - d.x0 < minSpan || d.y1 - d.y0 < minSpan ? null : d;
}

export function inDomain(d: Domain, x: number, y: number): boolean {
  return x >= d.x0 && x <= d.x1 && y >= d.y0 && y <= d.y1;
}

/** Tick values for an axis over [lo, hi]: about five round steps. */
export function ticks(lo: number, hi: number): number[] {
  const span = hi - lo;
  const raw = span / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  // Whole multiples of the step, rounded so that 3 x 0.2 prints as 0.6 (and -0 as 0).
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + 1e-9; k++) out.push(Number((k * step).toFixed(12)) + 0);
  return out;
}
