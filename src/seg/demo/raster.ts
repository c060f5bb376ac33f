// From nucleus outlines to pixels: the instance map (which nucleus owns each pixel) and the 3-class
// label map derived from it. Where two outlines overlap, a pixel belongs to the nucleus it lies
// deeper inside (smaller normalised distance), which draws a clean contact line between them.
import { maxRadius, outline, type Nucleus } from './layout.ts';

/** Label values of the demo's masks. */
export const BACKGROUND = 0;
export const NUCLEUS = 1;
export const BOUNDARY = 2;

/**
 * Calls `visit` for every pixel whose centre lies inside the outline of `n`, with the normalised
 * distance d in [0, 1] (0 at the centre, 1 on the outline).
 */
export function forEachInside(n: Nucleus, width: number, height: number, visit: (index: number, d: number) => void): void {
  const r = maxRadius(n) + 1;
  const x0 = Math.max(0, Math.floor(n.cx - r));
  const x1 = Math.min(width - 1, Math.ceil(n.cx + r));
  const y0 = Math.max(0, Math.floor(n.cy - r));
  const y1 = Math.min(height - 1, Math.ceil(n.cy + r));
  const cos = Math.cos(n.angle);
  const sin = Math.sin(n.angle);
  for (let y = y0; y <= y1; y++) {
    const dy = y + 0.5 - n.cy;
    for (let x = x0; x <= x1; x++) {
      const dx = x + 0.5 - n.cx;
      const u = (dx * cos + dy * sin) / n.a;
      const v = (-dx * sin + dy * cos) / n.b;
      const rho = Math.sqrt(u * u + v * v);
      if (rho > 1.15) continue; // beyond the largest outline perturbation
      const d = rho / outline(n, Math.atan2(v, u));
      if (d <= 1) visit(y * width + x, d);
    }
  }
}

/**
 * Instance map: 0 background, else the id of the owning nucleus. `paint`, when given, is called
 * for every pixel inside every nucleus (overlaps included), so a renderer can draw the stain in
 * the same pass.
 */
export function rasterInstances(
  nuclei: Nucleus[],
  width: number,
  height: number,
  paint?: (n: Nucleus, index: number, d: number) => void,
): Uint16Array {
  if (nuclei.length > 65535) throw new RangeError(`${nuclei.length} nuclei do not fit a 16-bit instance map`);
  const inst = new Uint16Array(width * height);
  const depth = new Float32Array(width * height).fill(Infinity);
  for (const n of nuclei) {
    forEachInside(n, width, height, (i, d) => {
      if (d < depth[i]) {
        depth[i] = d;
        inst[i] = n.id;
      }
      if (paint) paint(n, i, d);
    });
  }
  return inst;
}

/**
 * Label map: background, nucleus, and boundary for the pixels of a nucleus that 4-touch a different
 * nucleus (so a contact line is two pixels wide: one on each side).
 */
export function labelsFromInstances(inst: Uint16Array, width: number, height: number): Uint8Array {
  const labels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const id = inst[i];
      if (id === 0) continue;
      let touches = false;
      if (x > 0 && inst[i - 1] !== 0 && inst[i - 1] !== id) touches = true;
      else if (x < width - 1 && inst[i + 1] !== 0 && inst[i + 1] !== id) touches = true;
      else if (y > 0 && inst[i - width] !== 0 && inst[i - width] !== id) touches = true;
      else if (y < height - 1 && inst[i + width] !== 0 && inst[i + width] !== id) touches = true;
      labels[i] = touches ? BOUNDARY : NUCLEUS;
    }
  }
  return labels;
}

/** Per instance id: pixel count, bounding box, the ids it 4-touches, and whether it meets the image edge. */
export interface InstanceStats {
  id: number;
  pixels: number;
  /** [x0, y0, x1, y1], x1 and y1 exclusive. */
  bbox: [number, number, number, number];
  touches: number[];
  atEdge: boolean;
}

export function instanceStats(inst: Uint16Array, width: number, height: number, count: number): InstanceStats[] {
  const stats: InstanceStats[] = Array.from({ length: count }, (_, k) => ({
    id: k + 1,
    pixels: 0,
    bbox: [width, height, 0, 0],
    touches: [],
    atEdge: false,
  }));
  const touch = Array.from({ length: count }, () => new Set<number>());
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const id = inst[y * width + x];
      if (id === 0) continue;
      const s = stats[id - 1];
      s.pixels++;
      if (x < s.bbox[0]) s.bbox[0] = x;
      if (y < s.bbox[1]) s.bbox[1] = y;
      if (x + 1 > s.bbox[2]) s.bbox[2] = x + 1;
      if (y + 1 > s.bbox[3]) s.bbox[3] = y + 1;
      if (x === 0 || y === 0 || x === width - 1 || y === height - 1) s.atEdge = true;
      const right = x < width - 1 ? inst[y * width + x + 1] : 0;
      const below = y < height - 1 ? inst[(y + 1) * width + x] : 0;
      for (const o of [right, below]) {
        if (o !== 0 && o !== id) {
          touch[id - 1].add(o);
          touch[o - 1].add(id);
        }
      }
    }
  }
  stats.forEach((s, k) => (s.touches = [...touch[k]].sort((p, q) => p - q)));
  return stats;
}
