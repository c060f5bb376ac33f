// Object-level recall: of the ground-truth objects (connected components) of each foreground class,
// how many does the prediction find? Pixel Dice is carried by the large objects; a model that misses
// every small nucleus can still score Dice 0.9. `ObjectRecall` runs image by image (the trainer or
// the CLI feed it as they go) and keeps only the size and coverage of each object.
import { ShapeError } from '../errors.ts';
import type { EvalResult } from '../metrics/index.ts';
import type { LabelMap } from '../types.ts';
import { labelComponents } from './components.ts';
import type { Connectivity } from './components.ts';
import type { Finding } from './types.ts';
import { fmt, listNames, num, pct } from './types.ts';

/**
 * An object counts as found when the prediction gives its class to at least this share of its
 * pixels. One half is the usual detection criterion (a prediction covering most of the object);
 * a lightly eroded or slightly shifted prediction still finds it.
 */
export const OBJECT_MIN_COVERAGE = 0.5;
/** Components smaller than this are annotation specks (brush noise, a stray click), not objects. */
export const MIN_OBJECT_PIXELS = 4;
/** Object recall is judged only for classes with at least this many objects: with fewer, one miss moves it by 20 %. */
export const MIN_OBJECTS = 5;
/**
 * Object recall below this is low: more than 3 objects in 10 missed. A model that misses all the
 * objects below the median size sits at 0.5.
 */
export const LOW_OBJECT_RECALL = 0.7;
/**
 * The class Dice at or above which a user would call the class "fine" (as POOR_FOREGROUND_DICE in
 * scores.ts): below it, the class is visibly bad already and the low object recall adds nothing.
 */
export const ACCEPTABLE_CLASS_DICE = 0.5;

export interface ObjectClassResult {
  id: number;
  name: string;
  /** Ground-truth objects (components of at least MIN_OBJECT_PIXELS pixels). */
  objects: number;
  found: number;
  /** found / objects; NaN when the class has no object. */
  recall: number;
  /** Median size in pixels of the found and the missed objects (NaN when none). */
  medianFoundPixels: number;
  medianMissedPixels: number;
  /** Recall among the objects below / at or above the median object size of the class. */
  smallRecall: number;
  largeRecall: number;
}

export interface ObjectImageResult {
  name: string;
  /** Per class id: objects and found objects in this image (background: 0, 0). */
  objects: number[];
  found: number[];
}

export interface ObjectRecallResult {
  classes: ObjectClassResult[];
  perImage: ObjectImageResult[];
  connectivity: Connectivity;
  minCoverage: number;
  minObjectPixels: number;
}

/** What ObjectRecall needs of a class table (a ClassTable has it). */
export interface ClassNames {
  classes: readonly { name: string }[];
  /** Name of the background class: it forms no objects. */
  background: string;
}

export interface ObjectRecallOptions {
  connectivity?: Connectivity;
  minCoverage?: number;
  minObjectPixels?: number;
}

function median(v: number[]): number {
  if (v.length === 0) return NaN;
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export class ObjectRecall {
  private readonly names: string[];
  private readonly bg: number;
  private readonly conn: Connectivity;
  private readonly minCoverage: number;
  private readonly minPixels: number;
  /** Per class: size of every object seen, and whether it was found. */
  private readonly sizes: number[][];
  private readonly foundFlags: boolean[][];
  private readonly images: ObjectImageResult[] = [];

  constructor(table: ClassNames, opts: ObjectRecallOptions = {}) {
    this.names = table.classes.map((c) => c.name);
    this.bg = this.names.indexOf(table.background);
    this.conn = opts.connectivity ?? 8;
    this.minCoverage = opts.minCoverage ?? OBJECT_MIN_COVERAGE;
    this.minPixels = opts.minObjectPixels ?? MIN_OBJECT_PIXELS;
    this.sizes = this.names.map(() => []);
    this.foundFlags = this.names.map(() => []);
  }

  /** Counts the objects of one image (gt and pred of the same size, as for the metrics). */
  add(name: string, gt: LabelMap, pred: LabelMap): ObjectImageResult {
    if (gt.width !== pred.width || gt.height !== pred.height) {
      throw new ShapeError(`${name}: ground truth is ${gt.width}x${gt.height} but the prediction is ${pred.width}x${pred.height}.`, {
        name,
        gt: [gt.width, gt.height],
        pred: [pred.width, pred.height],
      });
    }
    const K = this.names.length;
    const comps = labelComponents(gt, { connectivity: this.conn, skip: [this.bg] });
    const covered = new Int32Array(comps.count + 1);
    const lab = comps.labels;
    const p = pred.data;
    for (let i = 0; i < lab.length; i++) {
      const id = lab[i];
      if (id !== 0 && p[i] === comps.value[id]) covered[id]++;
    }
    const objects = new Array<number>(K).fill(0);
    const found = new Array<number>(K).fill(0);
    for (let id = 1; id <= comps.count; id++) {
      const c = comps.value[id];
      const size = comps.size[id];
      if (c >= K || size < this.minPixels) continue;
      const hit = covered[id] >= this.minCoverage * size;
      objects[c]++;
      if (hit) found[c]++;
      this.sizes[c].push(size);
      this.foundFlags[c].push(hit);
    }
    const r = { name, objects, found };
    this.images.push(r);
    return r;
  }

  result(): ObjectRecallResult {
    const classes = this.names.map((name, c): ObjectClassResult => {
      const sizes = this.sizes[c];
      const flags = this.foundFlags[c];
      const found = flags.filter(Boolean).length;
      const med = median(sizes);
      const part = (small: boolean) => {
        let n = 0;
        let f = 0;
        sizes.forEach((s, k) => {
          if (s < med === small) {
            n++;
            if (flags[k]) f++;
          }
        });
        return n ? f / n : NaN;
      };
      return {
        id: c,
        name,
        objects: sizes.length,
        found,
        recall: sizes.length ? found / sizes.length : NaN,
        medianFoundPixels: median(sizes.filter((_, k) => flags[k])),
        medianMissedPixels: median(sizes.filter((_, k) => !flags[k])),
        smallRecall: part(true),
        largeRecall: part(false),
      };
    });
    return { classes, perImage: [...this.images], connectivity: this.conn, minCoverage: this.minCoverage, minObjectPixels: this.minPixels };
  }
}

/** Object recall of all pairs at once. */
export function objectRecall(pairs: Iterable<{ name: string; gt: LabelMap; pred: LabelMap }>, table: ClassNames, opts: ObjectRecallOptions = {}): ObjectRecallResult {
  const acc = new ObjectRecall(table, opts);
  for (const p of pairs) acc.add(p.name, p.gt, p.pred);
  return acc.result();
}

/** One finding per foreground class whose object recall is low while its pixel Dice looks acceptable. */
export function checkSmallObjects(objects: ObjectRecallResult, r: EvalResult): Finding[] {
  const out: Finding[] = [];
  for (const oc of objects.classes) {
    const cls = r.classes.find((c) => c.name === oc.name);
    if (!cls || cls.isBackground || oc.objects < MIN_OBJECTS) continue;
    if (!(oc.recall < LOW_OBJECT_RECALL) || !(cls.dice >= ACCEPTABLE_CLASS_DICE)) continue;
    const ranked = objects.perImage
      .map((im) => ({ name: im.name, missed: im.objects[oc.id] - im.found[oc.id], objects: im.objects[oc.id] }))
      .filter((x) => x.missed > 0)
      .sort((a, b) => b.missed - a.missed || b.missed / b.objects - a.missed / a.objects || (a.name < b.name ? -1 : 1));
    const sizes =
      Number.isNaN(oc.medianMissedPixels) || Number.isNaN(oc.medianFoundPixels)
        ? ''
        : ` The missed objects are smaller (median ${Math.round(oc.medianMissedPixels)} px) than the found ones (median ${Math.round(oc.medianFoundPixels)} px);` +
          ` recall is ${pct(oc.smallRecall)} for objects below the median size and ${pct(oc.largeRecall)} above it.`;
    out.push({
      id: 'small-objects-missed',
      severity: 'warning',
      title: `Objects of "${oc.name}" missed despite a good Dice`,
      message:
        `Class "${oc.name}" has Dice ${fmt(cls.dice)}, but the prediction finds only ${oc.found} of its ${oc.objects} ground-truth objects ` +
        `(object recall ${pct(oc.recall)}; found = at least ${pct(objects.minCoverage)} of the object's pixels predicted as "${oc.name}").${sizes}`,
      evidence: {
        class: oc.name,
        dice: num(cls.dice),
        objects: oc.objects,
        found: oc.found,
        objectRecall: num(oc.recall),
        smallObjectRecall: num(oc.smallRecall),
        largeObjectRecall: num(oc.largeRecall),
        medianMissedPixels: num(oc.medianMissedPixels),
        medianFoundPixels: num(oc.medianFoundPixels),
        minCoverage: objects.minCoverage,
        connectivity: objects.connectivity,
        lowObjectRecall: LOW_OBJECT_RECALL,
      },
      images: ranked.map((x) => x.name),
      perImage: ranked.map((x) => ({ image: x.name, evidence: { objects: x.objects, missed: x.missed } })),
      action:
        `The Dice of "${oc.name}" is carried by its large objects. If small objects matter, look at ${listNames(ranked.map((x) => x.name), 3)}; ` +
        'train on patches at full resolution (no down-scaling), weight the loss towards small objects (or add boundary weights), and report object recall beside Dice.',
    });
  }
  return out;
}
