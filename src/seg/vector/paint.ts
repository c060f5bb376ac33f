// Painting imported objects (GeoJSON features, COCO annotations) into a label image, with the same
// rules as the other mask readers: a pixel claimed by two different classes is left unlabelled and
// reported (mask-overlap); a class name the class table lacks is reported with its pixel count
// (mask-unknown-values) and its pixels left unlabelled; an "Ignore*" object makes its pixels
// unlabelled whatever else claims them; every pixel no object claims is the background class.
import { backgroundId } from '../classes.ts';
import type { ClassTable } from '../classes.ts';
import type { UnknownValue } from '../masks.ts';
import type { Problem } from '../problems.ts';
import { IGNORE } from '../types.ts';
import type { LabelMap } from '../types.ts';
import { IGNORE_CLASS } from './objects.ts';

const NONE = 0xffff;
const CONTESTED = 0x100;

/** How a class name of the file maps: a class id, unlabelled, or not in the table. */
export type ClassOf = (name: string | null) => number | 'ignore' | 'unknown';

/** Class names to class ids by the table's names; "Ignore*" unlabelled; no name: `unclassified` if given. */
export function classResolver(table: ClassTable, unclassified?: string): ClassOf {
  const ids = new Map(table.classes.map((c, i) => [c.name, i]));
  return (name) => {
    if (name === null) return unclassified !== undefined && ids.has(unclassified) ? ids.get(unclassified)! : 'unknown';
    if (name === IGNORE_CLASS) return 'ignore';
    return ids.get(name) ?? 'unknown';
  };
}

export const UNCLASSIFIED = '(no classification)';

export class Painter {
  private readonly owner: Uint16Array;
  private readonly ignored: Uint8Array;
  private readonly unknown = new Map<string, Uint8Array>();
  private readonly pairs = new Map<number, number>();
  readonly width: number;
  readonly height: number;

  constructor(width: number, height: number) {
    this.width = width;
    this.height = height;
    this.owner = new Uint16Array(width * height).fill(NONE);
    this.ignored = new Uint8Array(width * height);
  }

  /** Marks pixel runs (y, x0..x1) or single indices as belonging to `cls` (resolved class of `name`). */
  painter(cls: number | 'ignore' | 'unknown', name: string | null): (i: number) => void {
    if (cls === 'ignore') return (i) => (this.ignored[i] = 1);
    if (cls === 'unknown') {
      const key = name ?? UNCLASSIFIED;
      let m = this.unknown.get(key);
      if (!m) this.unknown.set(key, (m = new Uint8Array(this.owner.length)));
      const mask = m;
      return (i) => {
        mask[i] = 1;
        this.ignored[i] = 1;
      };
    }
    return (i) => {
      const o = this.owner[i];
      if (o === NONE) this.owner[i] = cls;
      else if ((o & 0xff) !== cls) {
        this.owner[i] = o | CONTESTED;
        const lo = Math.min(o & 0xff, cls);
        const hi = Math.max(o & 0xff, cls);
        this.pairs.set(lo * 256 + hi, (this.pairs.get(lo * 256 + hi) ?? 0) + 1);
      }
    };
  }

  runs(paint: (i: number) => void): (y: number, x0: number, x1: number) => void {
    return (y, x0, x1) => {
      for (let i = y * this.width + x0, end = y * this.width + x1; i <= end; i++) paint(i);
    };
  }

  finish(table: ClassTable, file: string): { labels: LabelMap; problems: Problem[]; unknown: UnknownValue[] } {
    const bg = backgroundId(table);
    const n = this.owner.length;
    const out = new Uint8Array(n);
    let overlap = 0;
    for (let i = 0; i < n; i++) {
      const o = this.owner[i];
      if (this.ignored[i]) out[i] = IGNORE;
      else if (o === NONE) out[i] = bg;
      else if (o & CONTESTED) {
        out[i] = IGNORE;
        overlap++;
      } else out[i] = o;
    }
    const problems: Problem[] = [];
    const unknown = [...this.unknown].map(([value, m]) => ({ value, count: m.reduce((s, v) => s + v, 0) }));
    if (overlap > 0) {
      const name = (id: number) => table.classes[id].name;
      const pairs = [...this.pairs].sort((a, b) => b[1] - a[1]).map(([k, count]) => ({ classes: [name(k >> 8), name(k & 0xff)], count }));
      problems.push({
        code: 'mask-overlap',
        severity: 'warning',
        file,
        message: `${overlap} pixels (${((100 * overlap) / n).toFixed(2)} %) lie in objects of more than one class (${pairs.map((p) => `${p.classes.join(' & ')}: ${p.count} px`).join(', ')}); they are ignored in training and metrics.`,
        hint: 'Edit the annotations so that objects of different classes do not overlap, or accept that these pixels are ignored.',
        details: { overlapPixels: overlap, pairs },
      });
    }
    return { labels: { width: this.width, height: this.height, data: out }, problems, unknown };
  }
}
