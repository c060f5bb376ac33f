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
