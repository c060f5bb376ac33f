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
export interface SaveMaskParams extends SaveMaskMeta {
  data: Uint8Array;
}
