// Where the nuclei of a synthetic scene sit and what shape each has. A nucleus is an ellipse whose
// outline is made slightly irregular by a few low harmonics; some nuclei are placed against a
// neighbour, overlapping it a little, so that clusters with contact lines appear (the case a
// "boundary" class exists for), the others keep a gap to everything.
import { intBetween, uniform, type Rng } from './random.ts';

export interface Harmonic {
  k: number;
  amp: number;
  phase: number;
}

export interface Nucleus {
  /** Instance id in the rendered instance map (1-based). */
  id: number;
  cx: number;
  cy: number;
  /** Semi-axes in pixels (a >= b) and the orientation of `a` in radians. */
  a: number;
  b: number;
  angle: number;
  /** Outline perturbation: radius factor 1 + sum amp*cos(k*psi + phase), psi the ellipse's parametric angle. */
  harmonics: Harmonic[];
  /** Relative DNA-stain brightness (1 = the scene's peak level). */
  brightness: number;
  /** Small, bright, compact: a condensed (mitotic or apoptotic) nucleus. */
  condensed: boolean;
}

export interface LayoutOptions {
  width: number;
  height: number;
  /** Semi-major axis range in pixels. */
  radius: [number, number];
  /** Fraction of the field the nuclei should cover. */
  coverage: number;
  /** Probability that a new nucleus is placed touching an existing one. */
  clustering: number;
}

/** Outline radius factor at parametric angle psi. */
export function outline(n: Nucleus, psi: number): number {
  let f = 1;
  for (const h of n.harmonics) f += h.amp * Math.cos(h.k * psi + h.phase);
  return f;
}

/** Distance from the centre to the outline in world direction theta. */
export function radiusToward(n: Nucleus, theta: number): number {
  const phi = theta - n.angle;
  const c = Math.cos(phi) / n.a;
  const s = Math.sin(phi) / n.b;
  return outline(n, Math.atan2(s, c)) / Math.sqrt(c * c + s * s);
}

/** Largest distance from the centre to the outline. */
export function maxRadius(n: Nucleus): number {
  return n.a * (1 + n.harmonics.reduce((s, h) => s + Math.abs(h.amp), 0));
}

function randomShape(rng: Rng, id: number, o: LayoutOptions): Omit<Nucleus, 'cx' | 'cy'> {
  const condensed = rng() < 0.06;
  const a = uniform(rng, o.radius[0], o.radius[1]) * (condensed ? 0.6 : 1);
  const b = a * (condensed ? uniform(rng, 0.45, 0.7) : uniform(rng, 0.65, 0.98));
  const harmonics = [
    { k: 3, amp: uniform(rng, 0, 0.05), phase: uniform(rng, 0, 2 * Math.PI) },
    { k: 4, amp: uniform(rng, 0, 0.03), phase: uniform(rng, 0, 2 * Math.PI) },
    { k: 5, amp: uniform(rng, 0, 0.02), phase: uniform(rng, 0, 2 * Math.PI) },
  ];
  const brightness = condensed ? uniform(rng, 1.2, 1.6) : uniform(rng, 0.5, 1.1);
  return { id, a, b, angle: uniform(rng, 0, Math.PI), harmonics, brightness, condensed };
}

/** A uniform grid of buckets so that neighbour checks stay local in scenes of thousands of nuclei. */
class Buckets {
  private readonly cells = new Map<number, Nucleus[]>();
  constructor(private readonly cell: number) {}
  private key(cx: number, cy: number): number {
    return (Math.floor(cy / this.cell) + 1024) * 65536 + (Math.floor(cx / this.cell) + 1024);
  }
  add(n: Nucleus): void {
    const k = this.key(n.cx, n.cy);
    const list = this.cells.get(k);
    if (list) list.push(n);
    else this.cells.set(k, [n]);
  }
  *near(x: number, y: number): Generator<Nucleus> {
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const list = this.cells.get(this.key(x + dx * this.cell, y + dy * this.cell));
        if (list) yield* list;
      }
    }
  }
}

/**
 * Whether `n` keeps the required spacing from every nucleus nearby: along the line between two
 * centres, their distance must be at least `factor` times the sum of the two outline radii plus
 * `gap` pixels. factor 1 + gap 3: clearly apart; factor 0.8: touching allowed, overlap small.
 */
function fits(n: Nucleus, buckets: Buckets, factor: number, gap: number, except?: Nucleus): boolean {
  for (const q of buckets.near(n.cx, n.cy)) {
    if (q === except) continue;
    const dx = q.cx - n.cx;
    const dy = q.cy - n.cy;
    const d = Math.hypot(dx, dy);
    const theta = Math.atan2(dy, dx);
    const need = (radiusToward(n, theta) + radiusToward(q, theta + Math.PI)) * factor + gap;
    if (d < need) return false;
  }
  return true;
}

/** Places nuclei until the coverage is reached or the field is too crowded to add more. */
export function layoutNuclei(o: LayoutOptions, rng: Rng): Nucleus[] {
  const placed: Nucleus[] = [];
  const buckets = new Buckets(2 * o.radius[1] * 1.15 + 4);
  const target = o.coverage * o.width * o.height;
  let area = 0;
  let failures = 0;
  while (area < target && failures < 300) {
    const shape = randomShape(rng, placed.length + 1, o);
    let n: Nucleus;
    let ok: boolean;
    if (placed.length > 0 && rng() < o.clustering) {
      const p = placed[intBetween(rng, 0, placed.length - 1)];
      const theta = uniform(rng, 0, 2 * Math.PI);
      n = { ...shape, cx: 0, cy: 0 };
      // Centres closer than the sum of the two radii: the outlines overlap by a few pixels.
      const d = (radiusToward(p, theta) + radiusToward(n, theta + Math.PI)) * uniform(rng, 0.8, 0.95);
      n.cx = p.cx + d * Math.cos(theta);
      n.cy = p.cy + d * Math.sin(theta);
      const inside = n.cx >= 0 && n.cy >= 0 && n.cx < o.width && n.cy < o.height;
      ok = inside && fits(n, buckets, 0.78, 0, p);
    } else {
      n = { ...shape, cx: uniform(rng, 0, o.width), cy: uniform(rng, 0, o.height) };
      ok = fits(n, buckets, 1, 3);
    }
    if (!ok) {
      failures++;
      continue;
    }
    failures = 0;
    placed.push(n);
    buckets.add(n);
    area += Math.PI * n.a * n.b;
  }
  return placed;
}
