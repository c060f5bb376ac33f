// Outlines of pixel regions as polygons whose edges run along pixel borders, so that filling them
// again by pixel centres (rasterize.ts) gives back exactly the same pixels: a pixel (x, y) is the
// square [x, x+1] x [y, y+1], vertices are whole numbers, no pixel centre ever lies on an edge.
//
// A region is one 4-connected component. Its border edges are directed with the region on their
// right as seen on screen (y down): the outer boundary runs clockwise on screen, holes
// anticlockwise. In the numbers, read with y up as GeoJSON (RFC 7946) does, that is anticlockwise
// exteriors and clockwise holes, as the RFC asks. Where two region pixels touch only at a corner
// (a saddle vertex), the walk turns right, which keeps them apart (they are not 4-connected there).
// A walk that comes back to a vertex it passed (a pocket of background touching the outside at a
// corner) is cut there into simple loops; each loop is an exterior or a hole by its orientation,
// and a hole belongs to the exterior that contains it. Collinear vertices are dropped.
import type { Components } from '../audit/components.ts';

/** A closed ring of whole-number vertices, first vertex not repeated at the end. */
export type Ring = Array<[number, number]>;

export interface RegionPolygon {
  exterior: Ring;
  holes: Ring[];
}

// Directions: 0 east, 1 south, 2 west, 3 north (screen, y down). Turning right = +1.
const DX = [1, 0, -1, 0];
const DY = [0, 1, 0, -1];

/** Twice the signed area (shoelace) in screen coordinates: > 0 for a clockwise-on-screen ring. */
export function ringArea2(r: Ring): number {
  let s = 0;
  for (let i = 0; i < r.length; i++) {
    const [x1, y1] = r[i];
    const [x2, y2] = r[(i + 1) % r.length];
    s += x1 * y2 - x2 * y1;
  }
  return s;
}

/** Even-odd test of the point (px, py) against one ring. */
export function insideRing(r: Ring, px: number, py: number): boolean {
  let inside = false;
  for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
    const [xi, yi] = r[i];
    const [xj, yj] = r[j];
    if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Cuts a closed vertex walk at repeated vertices into simple loops. */
function simpleLoops(walk: Ring): Ring[] {
  const loops: Ring[] = [];
  const stack: Ring = [];
  const at = new Map<string, number>();
  for (const v of walk) {
    const key = `${v[0]},${v[1]}`;
    const i = at.get(key);
    if (i !== undefined) {
      const loop = stack.splice(i + 1);
      for (const p of loop) at.delete(`${p[0]},${p[1]}`);
      loop.unshift(stack[i]);
      if (loop.length >= 3) loops.push(loop);
    } else {
      at.set(key, stack.length);
      stack.push(v);
    }
  }
  if (stack.length >= 3) loops.push(stack);
  return loops;
}

/** Drops vertices where the ring goes straight on. */
function simplify(r: Ring): Ring {
  const out: Ring = [];
  for (let i = 0; i < r.length; i++) {
    const [ax, ay] = r[(i - 1 + r.length) % r.length];
    const [bx, by] = r[i];
    const [cx, cy] = r[(i + 1) % r.length];
    if ((bx - ax) * (cy - by) - (by - ay) * (cx - bx) !== 0) out.push(r[i]);
  }
  return out;
}

/**
 * The polygons (exterior + holes; several when a walk was cut into more than one exterior) of
 * component `id` of `c`, within its bounding box `box` [x0, y0, x1, y1] (inclusive pixels).
 */
export function traceComponent(c: Components, id: number, box: [number, number, number, number]): RegionPolygon[] {
  const { width: W, height: H, labels } = c;
  const inC = (x: number, y: number) => x >= 0 && y >= 0 && x < W && y < H && labels[y * W + x] === id;
  const [x0, y0, x1, y1] = box;
  const bw = x1 - x0 + 3;
  // Edge start vertex (relative to x0-1, y0-1) and direction -> unused flag.
  const key = (x: number, y: number, d: number) => ((y - y0 + 1) * bw + (x - x0 + 1)) * 4 + d;
  const edges = new Map<number, true>();
  for (let y = y0; y <= y1; y++)
    for (let x = x0; x <= x1; x++) {
      if (!inC(x, y)) continue;
      if (!inC(x, y - 1)) edges.set(key(x, y, 0), true); // top, eastward
      if (!inC(x + 1, y)) edges.set(key(x + 1, y, 1), true); // right, southward
      if (!inC(x, y + 1)) edges.set(key(x + 1, y + 1, 2), true); // bottom, westward
      if (!inC(x - 1, y)) edges.set(key(x, y + 1, 3), true); // left, northward
    }
  const exteriors: Ring[] = [];
  const holes: Ring[] = [];
  for (const start of edges.keys()) {
    if (!edges.get(start)) continue;
    const walk: Ring = [];
    const v = Math.floor(start / 4);
    let d = start % 4;
    let x = (v % bw) + x0 - 1;
    let y = Math.floor(v / bw) + y0 - 1;
    for (;;) {
      edges.delete(key(x, y, d));
      walk.push([x, y]);
      x += DX[d];
      y += DY[d];
      // Right turn first (saddles), then straight on, then left.
      const next = [(d + 1) % 4, d, (d + 3) % 4].find((nd) => edges.has(key(x, y, nd)));
      if (next === undefined) break;
      d = next;
    }
    for (const loop of simpleLoops(walk)) {
      const ring = simplify(loop);
      if (ring.length < 4) continue;
      (ringArea2(ring) > 0 ? exteriors : holes).push(ring);
    }
  }
  if (exteriors.length === 1) return [{ exterior: exteriors[0], holes }];
  // Several exteriors: each hole goes to the one that contains a point just inside the hole.
  const polys: RegionPolygon[] = exteriors.map((exterior) => ({ exterior, holes: [] }));
  for (const h of holes) {
    // The first edge of a hole runs with the region on its right: the hole's pixel is on its left.
    const [ax, ay] = h[0];
    const [bx, by] = h[1];
    const dx = Math.sign(bx - ax);
    const dy = Math.sign(by - ay);
    const px = ax + 0.5 * dx + 0.5 * dy;
    const py = ay + 0.5 * dy - 0.5 * dx;
    const owner = polys.find((p) => insideRing(p.exterior, px, py)) ?? polys[0];
    owner.holes.push(h);
  }
  return polys;
}
