// The built-in demo project: synthetic DAPI-like nuclei images (16-bit TIFF), 3-class label masks
// (8-bit PNG: 0 background, 1 nucleus, 2 boundary between touching nuclei), a project file, and
// a few planted annotation errors recorded in demo-truth.json. One seed gives byte-identical
// files. Image i depends only on the seed and i (not on the count), so a small demo is a prefix of
// a large one apart from where errors are planted.
import { join, resolve } from 'node:path';
import seedrandom from 'seedrandom';
import { encodePng, encodeTiff } from '../image-encode.ts';
import { parseClassTable, type ClassTable } from '../classes.ts';
import { ConfigError } from '../errors.ts';
import { createProject } from '../project/load.ts';
import { PROJECT_FILE } from '../project/schema.ts';
import { WriteGate } from '../write-gate.ts';
import { prepareDemoFolder } from './folder.ts';
import { renderNucleiScene, type NucleiScene } from './nuclei.ts';
import { pickNucleus, pickShift, relabelInstance, shiftLabels } from './plant.ts';
import { BACKGROUND, BOUNDARY, instanceStats, type InstanceStats } from './raster.ts';
import type { Rng } from './random.ts';
import { DEMO_GENERATOR, DEMO_TRUTH_FILE, DEMO_TRUTH_VERSION, type DemoImage, type DemoTruth, type NucleusRef, type PlantedError, type PlantedKind } from './truth.ts';

export interface DemoOptions {
  /** Default 1. */
  seed?: number | string;
  /** Number of image/mask pairs. Default 12. */
  count?: number;
  /** Width and height of each image in pixels. Default 256. */
  size?: number;
  /** Write into a non-empty folder that is not a previous demo. */
  force?: boolean;
  /** Plant annotation errors (default true); false gives a clean set, e.g. for trainer tests. */
  plantErrors?: boolean;
}

export interface DemoResult {
  dir: string;
  projectFile: string;
  truthFile: string;
  truth: DemoTruth;
}

/** The demo's class table: mask value = class index. */
export const DEMO_CLASSES: ClassTable = parseClassTable(
  {
    classes: [
      { name: 'background', values: [0], color: '#000000' },
      { name: 'nucleus', values: [1], color: '#3cb44b' },
      { name: 'boundary', values: [2], color: '#e6194b' },
    ],
    background: 'background',
    ignore: [255],
  },
  'the demo class table',
);

const KINDS: PlantedKind[] = ['missing-nucleus', 'shifted-mask', 'wrong-class', 'pairing'];

export function demoName(index: number, count: number): string {
  return `demo_${String(index + 1).padStart(Math.max(2, String(count).length), '0')}`;
}

/** The scene behind demo image `index` (0-based), rendered in memory exactly as the generator does. */
export function renderDemoScene(index: number, opts: { seed?: number | string; size?: number } = {}): NucleiScene {
  const size = opts.size ?? 256;
  return renderNucleiScene({ width: size, height: size }, seedrandom(`seglens-demo:${opts.seed ?? 1}:image:${index}`));
}

export interface PlannedError {
  kind: PlantedKind;
  index: number;
  /** For `pairing`: the clean image whose mask is written in place of this image's. */
  partner?: number;
}

/**
 * Which images get which error: at most one per image, at most one of each kind, and fewer than
 * half of the images, so the majority stays clean (12 images: 4 errors, 8 clean).
 */
export function planErrors(count: number, seed: number | string): PlannedError[] {
  const rng = seedrandom(`seglens-demo:${seed}:plan:${count}`);
  const order = Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const n = Math.min(KINDS.length, Math.floor((count - 1) / 2));
  return KINDS.slice(0, n).map((kind, k) => (kind === 'pairing' ? { kind, index: order[k], partner: order[n] } : { kind, index: order[k] }));
}

function checkOptions(count: number, size: number): void {
  if (!Number.isInteger(count) || count < 1 || count > 999) throw new ConfigError(`The demo image count must be a whole number from 1 to 999, not ${count}.`, { count });
  if (!Number.isInteger(size) || size < 32 || size > 4096) throw new ConfigError(`The demo image size must be a whole number of pixels from 32 to 4096, not ${size}.`, { size });
}

export async function generateDemoProject(dir: string, opts: DemoOptions = {}): Promise<DemoResult> {
  const { seed = 1, count = 12, size = 256, force = false, plantErrors = true } = opts;
  checkOptions(count, size);
  const abs = resolve(dir);
  const names = Array.from({ length: count }, (_, i) => demoName(i, count));
  const files = names.map((n) => ({ image: `images/${n}.tif`, mask: `masks/${n}.png` }));
  // The demo writes its own inputs: its gate confines it to its folder and refuses links out of it.
  const gate = await WriteGate.open({ who: 'writing the demo project', roots: [{ dir: abs, what: 'the demo folder', project: true }] });
  await prepareDemoFolder(gate, abs, force, new Set(files.flatMap((f) => [f.image, f.mask])));
  await gate.mkdir(join(abs, 'images'));
  await gate.mkdir(join(abs, 'masks'));

  const plan = plantErrors ? planErrors(count, seed) : [];
  const planned = new Map(plan.map((p) => [p.index, p]));
  const partners = new Set(plan.flatMap((p) => (p.partner === undefined ? [] : [p.partner])));
  const cleanMasks = new Map<number, Uint8Array>();
  const images: DemoImage[] = [];
  const errors: PlantedError[] = [];
  const deferred: PlannedError[] = [];

  for (let i = 0; i < count; i++) {
    const scene = renderDemoScene(i, { seed, size });
    await gate.writeFile(join(abs, files[i].image), await encodeImage16(scene));
    if (partners.has(i)) cleanMasks.set(i, scene.labels);
    const plannedHere = planned.get(i);
    let mask = scene.labels;
    let error: PlantedError | undefined;
    if (plannedHere?.kind === 'pairing') deferred.push(plannedHere);
    else if (plannedHere) ({ mask, error } = plant(plannedHere.kind, scene, names[i], seedrandom(`seglens-demo:${seed}:error:${i}`)));
    if (error) errors.push(error);
    if (plannedHere?.kind !== 'pairing') await gate.writeFile(join(abs, files[i].mask), await encodeMask8(mask, size));
    images.push(describe(scene, names[i], files[i], error?.kind ?? (plannedHere?.kind === 'pairing' ? 'pairing' : null)));
  }
  for (const p of deferred) {
    const partner = p.partner!;
    await gate.writeFile(join(abs, files[p.index].mask), await encodeMask8(cleanMasks.get(partner)!, size));
    errors.push({
      kind: 'pairing',
      image: names[p.index],
      maskFrom: names[partner],
      description: `${files[p.index].mask} is the mask of ${names[partner]}, not of ${names[p.index]} (image/mask pairing error).`,
    });
  }
  errors.sort((a, b) => a.image.localeCompare(b.image));

  const truth: DemoTruth = { generator: DEMO_GENERATOR, version: DEMO_TRUTH_VERSION, seed, count, size, images, errors };
  const truthFile = join(abs, DEMO_TRUTH_FILE);
  await gate.writeJson(truthFile, truth);
  await createProject(
    gate,
    abs,
    { images: 'images', masks: 'masks', pairing: { rule: 'stem' }, maskFormat: { kind: 'label' }, classes: DEMO_CLASSES },
    { force: true },
  );
  return { dir: abs, projectFile: join(abs, PROJECT_FILE), truthFile, truth };
}

/** Applies one pixel-level error to the scene's correct mask. */
function plant(kind: PlantedKind, scene: NucleiScene, name: string, rng: Rng): { mask: Uint8Array; error?: PlantedError } {
  const { labels, instances, width: w, height: h } = scene;
  if (kind === 'shifted-mask') {
    const shift = pickShift(rng);
    const mask = shiftLabels(labels, w, h, shift.dx, shift.dy);
    return { mask, error: { kind, image: name, shift, description: `The mask of ${name} is shifted by ${shift.dx} px in x and ${shift.dy} px in y.` } };
  }
  const target = pickNucleus(instanceStats(instances, w, h, scene.nuclei.length), rng);
  if (!target) return { mask: labels }; // nothing suitable: this image stays clean, and nothing is recorded
  const nucleus = nucleusRef(target, scene);
  const where = `at (${nucleus.centre[0]}, ${nucleus.centre[1]})`;
  if (kind === 'missing-nucleus') {
    const mask = relabelInstance(labels, instances, target.id, BACKGROUND);
    return { mask, error: { kind, image: name, nucleus, description: `A nucleus of ${name} ${where} is missing from its mask.` } };
  }
  const mask = relabelInstance(labels, instances, target.id, BOUNDARY);
  return {
    mask,
    error: { kind: 'wrong-class', image: name, nucleus, labelledAs: 'boundary', trueClass: 'nucleus', description: `A nucleus of ${name} ${where} is labelled boundary throughout.` },
  };
}

function nucleusRef(s: InstanceStats, scene: NucleiScene): NucleusRef {
  const n = scene.nuclei[s.id - 1];
  return { id: s.id, centre: [Math.round(n.cx * 10) / 10, Math.round(n.cy * 10) / 10], bbox: s.bbox, pixels: s.pixels };
}

function describe(scene: NucleiScene, name: string, f: { image: string; mask: string }, planted: PlantedKind | null): DemoImage {
  const counts = [0, 0, 0];
  for (const v of scene.labels) counts[v]++;
  const total = scene.labels.length;
  const stats = instanceStats(scene.instances, scene.width, scene.height, scene.nuclei.length);
  const round = (x: number) => Math.round(x * 1e4) / 1e4;
  return {
    name,
    image: f.image,
    mask: f.mask,
    nuclei: stats.filter((s) => s.pixels > 0).length,
    touchingPairs: stats.reduce((k, s) => k + s.touches.filter((t) => t > s.id).length, 0),
    fractions: { background: round(counts[0] / total), nucleus: round(counts[1] / total), boundary: round(counts[2] / total) },
    offset: scene.params.offset,
    peak: Math.round(scene.params.peak),
    planted,
  };
}

/** 16-bit grey TIFF, deflate-compressed with horizontal prediction (small and lossless). */
async function encodeImage16(scene: NucleiScene): Promise<Buffer> {
  return encodeTiff({ data: scene.image, width: scene.width, height: scene.height, channels: 1 });
}

/** 8-bit grey PNG holding the label values themselves. */
async function encodeMask8(labels: Uint8Array, size: number): Promise<Buffer> {
  return encodePng({ data: labels, width: size, height: size, channels: 1 }, { compressionLevel: 9 });
}
