// `seglens demo DIR --overlapping`: a multi-label demo, nuclei with the nucleoli inside them, for
// projects whose classes overlap. Each nucleolus pixel is also a nucleus pixel, so the two classes
// cannot be one label image: they are written as per-class binary masks (masks/nucleus/,
// masks/nucleolus/, 0/255 PNG) with `"overlapping": true` in seglens.json. Nucleoli are small and
// dark in a DAPI stain (DNA-poor), so `nucleolus` is a low-prevalence class (about 1 % of the
// pixels): the case where a shared 0.5 threshold fails and a threshold per class is needed.
// One seed gives byte-identical files; the scene of image i depends only on the seed and i.
import { join, resolve } from 'node:path';
import seedrandom from 'seedrandom';
import { encodePng, encodeTiff } from '../image-encode.ts';
import { parseClassTable, type ClassTable } from '../classes.ts';
import { createProject } from '../project/load.ts';
import { PROJECT_FILE } from '../project/schema.ts';
import { WriteGate } from '../write-gate.ts';
import { prepareDemoFolder } from './folder.ts';
import { layoutNuclei } from './layout.ts';
import { disc, photograph, pointIn, resolveSceneParams } from './nuclei.ts';
import { intBetween, pixelRng, uniform, type Rng } from './random.ts';
import { rasterInstances } from './raster.ts';
import { DEMO_GENERATOR, DEMO_TRUTH_FILE } from './truth.ts';

export const OVERLAPPING_DEMO_CLASSES: ClassTable = parseClassTable(
  {
    classes: [
      { name: 'background', values: [0], color: '#000000' },
      { name: 'nucleus', values: [1], color: '#3cb44b' },
      { name: 'nucleolus', values: [2], color: '#f58231' },
    ],
    background: 'background',
    ignore: [],
  },
  'the overlapping demo class table',
);

export interface OverlappingScene {
  width: number;
  height: number;
  image: Uint16Array;
  /** 1 where the pixel is nucleus (nucleoli included). */
  nucleus: Uint8Array;
  /** 1 where the pixel is nucleolus (always inside a nucleus). */
  nucleolus: Uint8Array;
}

/** Nuclei (as the standard demo lays them out) with 0-3 nucleoli each, photographed. */
export function renderOverlappingScene(size: number, rng: Rng): OverlappingScene {
  const p = resolveSceneParams({ width: size, height: size }, rng);
  const w = size;
  const h = size;
  const nuclei = layoutNuclei({ width: w, height: h, radius: p.radius, coverage: p.coverage, clustering: p.clustering }, rng);
  const stain = new Float32Array(w * h);
  const instances = rasterInstances(nuclei, w, h, (n, i, d) => (stain[i] += n.brightness * (0.8 + 0.2 * (1 - d * d))));
  const nucleus = new Uint8Array(w * h);
  for (let i = 0; i < nucleus.length; i++) nucleus[i] = instances[i] > 0 ? 1 : 0;
  const holes = new Float32Array(w * h);
  for (const n of nuclei) {
    if (n.condensed) continue;
    const count = intBetween(rng, 1, 3);
    for (let s = 0; s < count; s++) disc(holes, w, h, pointIn(n, rng, 0.5), uniform(rng, 2, 3.5), n.brightness);
  }
  const nucleolus = new Uint8Array(w * h);
  for (let i = 0; i < stain.length; i++) {
    if (holes[i] > 0 && nucleus[i]) {
      nucleolus[i] = 1;
      // DNA-poor: most of the stain gone, some left so the hole still reads as inside the nucleus.
      stain[i] *= 0.3;
    }
  }
  return { width: w, height: h, image: photograph(stain, p, pixelRng(rng)), nucleus, nucleolus };
}

export interface OverlappingDemoOptions {
  seed?: number | string;
  count?: number;
  size?: number;
  force?: boolean;
}

/** Writes the multi-label demo project into `dir` (new, empty, or a previous demo). */
export async function generateOverlappingDemo(dir: string, opts: OverlappingDemoOptions = {}): Promise<{ dir: string; projectFile: string; truthFile: string }> {
  const { seed = 1, count = 12, size = 256, force = false } = opts;
  const abs = resolve(dir);
  const names = Array.from({ length: count }, (_, i) => `demo_${String(i + 1).padStart(Math.max(2, String(count).length), '0')}`);
  const gate = await WriteGate.open({ who: 'writing the demo project', roots: [{ dir: abs, what: 'the demo folder', project: true }] });
  await prepareDemoFolder(gate, abs, force, new Set(names.map((n) => `images/${n}.tif`)));
  for (const sub of ['images', 'masks', 'masks/nucleus', 'masks/nucleolus']) await gate.mkdir(join(abs, sub));
  const fractions: { name: string; nucleus: number; nucleolus: number }[] = [];
  for (const [i, name] of names.entries()) {
    const s = renderOverlappingScene(size, seedrandom(`seglens-demo-overlapping:${seed}:image:${i}`));
    const image = await encodeTiff({ data: s.image, width: size, height: size, channels: 1 });
    await gate.writeFile(join(abs, 'images', `${name}.tif`), image);
    await gate.writeFile(join(abs, 'masks', 'nucleus', `${name}.png`), await binaryPng(s.nucleus, size));
    await gate.writeFile(join(abs, 'masks', 'nucleolus', `${name}.png`), await binaryPng(s.nucleolus, size));
    const share = (m: Uint8Array) => Math.round((1e4 * m.reduce((a, b) => a + b, 0)) / m.length) / 1e4;
    fractions.push({ name, nucleus: share(s.nucleus), nucleolus: share(s.nucleolus) });
  }
  // The truth file marks the folder as a demo that may be regenerated in place (folder.ts).
  const truthFile = join(abs, DEMO_TRUTH_FILE);
  await gate.writeJson(truthFile, { generator: DEMO_GENERATOR, variant: 'overlapping', seed, count, size, images: fractions, errors: [] });
  await createProject(
    gate,
    abs,
    {
      images: 'images',
      pairing: { rule: 'stem' },
      maskFormat: { kind: 'per-class', folders: { nucleus: 'masks/nucleus', nucleolus: 'masks/nucleolus' } },
      overlapping: true,
      classes: OVERLAPPING_DEMO_CLASSES,
    },
    { force: true },
  );
  return { dir: abs, projectFile: join(abs, PROJECT_FILE), truthFile };
}

/** 0/255 8-bit grey PNG of a 0/1 mask. */
function binaryPng(m: Uint8Array, size: number): Promise<Buffer> {
  const px = new Uint8Array(m.length);
  for (let i = 0; i < m.length; i++) px[i] = m[i] ? 255 : 0;
  return encodePng({ data: px, width: size, height: size, channels: 1 }, { compressionLevel: 9 });
}
