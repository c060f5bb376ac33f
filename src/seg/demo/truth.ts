// `demo-truth.json`: what the demo generator made and which annotation errors it planted where, so
// that tests (and a curious user) can check that a review finds exactly those. Its `generator`
// field also marks a folder as a demo that may be regenerated in place.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../errors.ts';
import { parseOrThrow } from '../validate.ts';

export const DEMO_TRUTH_FILE = 'demo-truth.json';
export const DEMO_GENERATOR = 'seglens-demo';
export const DEMO_TRUTH_VERSION = 1;

const fraction = z.number().min(0).max(1);

/** One nucleus of the instance map: id, centre (x, y), bounding box [x0, y0, x1, y1) and area in pixels. */
export const NucleusRefSchema = z.strictObject({
  id: z.number().int().min(1),
  centre: z.tuple([z.number(), z.number()]),
  bbox: z.tuple([z.number().int(), z.number().int(), z.number().int(), z.number().int()]),
  pixels: z.number().int().min(1),
});
export type NucleusRef = z.infer<typeof NucleusRefSchema>;

const base = { image: z.string().min(1), description: z.string().min(1) };

export const PlantedErrorSchema = z.discriminatedUnion('kind', [
  /** The nucleus is in the image but its pixels are background in the mask. */
  z.strictObject({ kind: z.literal('missing-nucleus'), ...base, nucleus: NucleusRefSchema }),
  /** The whole mask is moved by (dx, dy) pixels relative to its image. */
  z.strictObject({ kind: z.literal('shifted-mask'), ...base, shift: z.strictObject({ dx: z.number().int(), dy: z.number().int() }) }),
  /** Every pixel of the nucleus carries the class `labelledAs` instead of `trueClass`. */
  z.strictObject({
    kind: z.literal('wrong-class'),
    ...base,
    nucleus: NucleusRefSchema,
    labelledAs: z.string(),
    trueClass: z.string(),
  }),
  /** The image's mask file holds the (correct) mask of image `maskFrom`. */
  z.strictObject({ kind: z.literal('pairing'), ...base, maskFrom: z.string().min(1) }),
]);
export type PlantedError = z.infer<typeof PlantedErrorSchema>;
export type PlantedKind = PlantedError['kind'];

export const DemoImageSchema = z.strictObject({
  /** The image's name (file stem), e.g. "demo_03". */
  name: z.string().min(1),
  /** Paths relative to the project folder. */
  image: z.string().min(1),
  mask: z.string().min(1),
  nuclei: z.number().int().min(0),
  touchingPairs: z.number().int().min(0),
  /** Class fractions of the correct mask (before any planted error). */
  fractions: z.strictObject({ background: fraction, nucleus: fraction, boundary: fraction }),
  /** Camera: offset and typical nucleus level above it (ADU). */
  offset: z.number(),
  peak: z.number(),
  /** The planted error of this image, if any. */
  planted: z.enum(['missing-nucleus', 'shifted-mask', 'wrong-class', 'pairing']).nullable(),
});
export type DemoImage = z.infer<typeof DemoImageSchema>;

export const DemoTruthSchema = z.strictObject({
  generator: z.literal(DEMO_GENERATOR),
  version: z.literal(DEMO_TRUTH_VERSION),
  seed: z.union([z.number(), z.string()]),
  count: z.number().int().min(1),
  size: z.number().int().min(1),
  images: z.array(DemoImageSchema),
  errors: z.array(PlantedErrorSchema),
});
export type DemoTruth = z.infer<typeof DemoTruthSchema>;

export async function readDemoTruth(dir: string): Promise<DemoTruth> {
  const file = join(dir, DEMO_TRUTH_FILE);
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(`Cannot read ${file} (${(e as Error).message}). Is ${dir} a demo project? Regenerate it to get one.`, { file });
  }
  return parseOrThrow(DemoTruthSchema, data, file);
}
