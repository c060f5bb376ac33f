// Pixel payloads. They travel as binary frames (frame.ts): a JSON header (these schemas) and the
// raw typed array, never PNG, so the UI gets 16-bit values for its contrast/LUT controls and class
// ids unchanged. Error maps are computed by the UI from the mask and prediction class ids.
import { z } from 'zod';
import { count, finite, imageName, runId } from './common.ts';

/**
 * Value of unlabelled / ignored pixels in every class-id array: the one name for it, here for the
 * UI and the contract and in src/seg/types.ts for the engine (the layers keep the two modules
 * apart; src/app/pixels.ts checks at compile time that they are the same value).
 */
export const IGNORE = 255;

export const PixelNameParams = z.strictObject({ name: imageName });
export const PredictionPixelsParams = z.strictObject({ runId, name: imageName });
export const PreviewPixelsParams = z.strictObject({ runId });

/**
 * Reduced pictures (issue 14, launch to first image): the page asks for an image and its mask at
 * about the size of its pane first, draws them, and asks for the full resolution after. `maxSide`
 * is the longest side the page can show, in device pixels (a string: download params travel in a
 * URL query). The editor, the pixel readout and the scores only ever use the full-resolution data.
 */
export const OverviewParams = z.strictObject({ name: imageName, maxSide: z.string().regex(/^[1-9][0-9]{0,4}$/, 'a whole number of pixels, 1-99999') });

/**
 * What prefetchImage answers at once: it starts reading the image and its mask and returns before
 * they are decoded (the overview or pixel requests that follow wait for them).
 */
export const PrefetchImageResultSchema = z.strictObject({});

/** An overview's own size and how it maps to the full image: pixel (x, y) covers full pixels [x*factor, (x+1)*factor). */
const overviewGeometry = {
  /** The full image's size; width and height are the overview's, ceil(full / factor). */
  fullWidth: count,
  fullHeight: count,
  /** Full-image pixels per overview pixel along each axis (a whole number, 1 = not reduced). */
  factor: z.number().int().min(1),
};

/** The geometry must hold together: width = ceil(fullWidth / factor), the same for height. */
function geometryHolds(h: { width: number; height: number; fullWidth: number; fullHeight: number; factor: number }, ctx: z.RefinementCtx): void {
  if (h.width !== Math.ceil(h.fullWidth / h.factor)) ctx.addIssue({ code: 'custom', path: ['width'], message: `${h.width}, expected ceil(fullWidth ${h.fullWidth} / factor ${h.factor})` });
  if (h.height !== Math.ceil(h.fullHeight / h.factor)) ctx.addIssue({ code: 'custom', path: ['height'], message: `${h.height}, expected ceil(fullHeight ${h.fullHeight} / factor ${h.factor})` });
}

export const ImageHeaderSchema = z.object({
  kind: z.literal('image'),
  name: imageName,
  width: count,
  height: count,
  channels: z.union([z.literal(1), z.literal(3)]),
  bitDepth: z.union([z.literal(8), z.literal(16)]),
  /** Element type of the data: uint8 for 8-bit, uint16 for 16-bit, interleaved channels. */
  dtype: z.enum(['uint8', 'uint16']),
  min: finite,
  max: finite,
  /** Default display range: the project's normalisation range for this image. */
  display: z.object({ lo: finite, hi: finite }),
});
export type ImageHeader = z.infer<typeof ImageHeaderSchema>;

export const MaskHeaderSchema = z.object({
  kind: z.literal('mask'),
  name: imageName,
  width: count,
  height: count,
  dtype: z.literal('uint8'),
  /** Where this mask came from; 'none' = no mask yet (all pixels IGNORE). */
  source: z.enum(['none', 'imported', 'edited']),
  /** File the mask was read from, relative to the project folder. */
  file: z.string().nullable(),
  /**
   * Opaque version of the mask on disk when it was read. Pass it back to saveMask: if the mask
   * changed on disk since, the save is refused with a ConflictError. null = there was no mask.
   */
  version: z.string().nullable(),
});
export type MaskHeader = z.infer<typeof MaskHeaderSchema>;

/**
 * The image reduced by `factor`: each pixel the mean of its factor x factor block (of the part
 * inside the image at the edges), in the image's own bit depth. min, max and display are the full
 * image's, so the contrast set from them holds when the full resolution replaces it.
 */
export const ImageOverviewHeaderSchema = ImageHeaderSchema.extend({ kind: z.literal('image-overview'), ...overviewGeometry }).superRefine(geometryHolds);
export type ImageOverviewHeader = z.infer<typeof ImageOverviewHeaderSchema>;

/**
 * The current mask (as getMaskPixels) reduced by `factor`: each pixel the class id at the centre
 * of its block, so every value is a real class id (no blend of two ids).
 */
export const MaskOverviewHeaderSchema = z
  .object({ kind: z.literal('mask-overview'), name: imageName, width: count, height: count, dtype: z.literal('uint8'), source: MaskHeaderSchema.shape.source, ...overviewGeometry })
  .superRefine(geometryHolds);
export type MaskOverviewHeader = z.infer<typeof MaskOverviewHeaderSchema>;

export const PredictionHeaderSchema = z.object({
  kind: z.literal('prediction'),
  name: imageName,
  runId,
  width: count,
  height: count,
  dtype: z.literal('uint8'),
  /** Epoch whose weights made it (the preview is refreshed every epoch); null if unknown. */
  epoch: z.number().int().min(0).nullable(),
});
export type PredictionHeader = z.infer<typeof PredictionHeaderSchema>;

/**
 * getClassPredictionPixels: a run on overlapping classes, one image, every foreground class by its
 * own bit. The data is `planes` planes of width x height uint16 values, one after another:
 *   planes 0 .. F-1  the probability of classes[k] (the sigmoid output), value = p x probScale
 *                    (stored in p's 1/1000 threshold bin, so cutting it at `threshold` by the one
 *                    rule, bin(value / probScale) >= bin(threshold), gives the stored mask)
 *   plane F          the stored prediction: bit `id` set where classes[k] (of that id) is predicted
 *                    (its mask in the run folder, cut at the model's thresholds)
 *   plane F + 1      the ground truth of the project's per-class masks: bit `id` set where the
 *                    class is, IGNORE (255) where the pixel is unlabelled or there is no mask
 * (F = classes.length, planes = F + 2). A pixel of two classes has both bits.
 */
export const ClassPredictionHeaderSchema = z.object({
  kind: z.literal('class-prediction'),
  name: imageName,
  runId,
  width: count,
  height: count,
  dtype: z.literal('uint16'),
  planes: z.number().int().min(3).max(9),
  /** Probability 1 is stored as this value. */
  probScale: z.literal(65535),
  epoch: z.number().int().min(0).nullable(),
  /** The foreground classes, in plane order: class id, name and the threshold the model applies. */
  classes: z
    .array(z.object({ id: z.number().int().min(0).max(6), name: z.string().min(1), threshold: z.number().min(0).max(1) }))
    .min(1)
    .max(6),
  /** Whether the image has ground truth (else the last plane is all IGNORE). */
  annotated: z.boolean(),
}).refine((h) => h.planes === h.classes.length + 2, { message: 'planes must be classes.length + 2', path: ['planes'] });
export type ClassPredictionHeader = z.infer<typeof ClassPredictionHeaderSchema>;

/** saveMask: the header of the uploaded frame; the frame's data is the class ids (uint8). */
export const SaveMaskParams = z.strictObject({
  name: imageName,
  width: z.number().int().min(1).max(65535),
  height: z.number().int().min(1).max(65535),
  /** `version` from the MaskHeader this edit started from (null: started from no mask). */
  baseVersion: z.string().max(256).nullable(),
  /** The user chose to replace a mask that changed on disk (after a ConflictError). */
  overwrite: z.boolean().optional(),
});
export type SaveMaskMeta = z.infer<typeof SaveMaskParams>;

export const SaveMaskResultSchema = z.object({
  name: imageName,
  /** The edited-mask file written, relative to the project folder. */
  file: z.string(),
  /** The new version, to pass as baseVersion next time. */
  version: z.string(),
});
export type SaveMaskResult = z.infer<typeof SaveMaskResultSchema>;

export interface ImagePixels extends ImageHeader {
  data: Uint8Array | Uint16Array;
}
export interface MaskPixels extends MaskHeader {
  /** Class id per pixel, IGNORE = unlabelled. */
  data: Uint8Array;
}
export interface ImageOverview extends ImageOverviewHeader {
  data: Uint8Array | Uint16Array;
}
export interface MaskOverview extends MaskOverviewHeader {
  /** Class id per overview pixel, IGNORE = unlabelled. */
  data: Uint8Array;
}
export interface PredictionPixels extends PredictionHeader {
  data: Uint8Array;
}
export interface ClassPredictionPixels extends ClassPredictionHeader {
  /** The planes, see ClassPredictionHeaderSchema. */
  data: Uint16Array;
}
export interface SaveMaskParams extends SaveMaskMeta {
  data: Uint8Array;
}
