// One line of a run's `metrics.jsonl`: what the trainer measured after an epoch. The trainer
// writes it, the audit (not-learning, collapsed, diverged, overfitting, metric-mismatch), the
// report and the app read it, so the shape lives here, below all of them.
//
// Validation figures come from the metrics module (src/seg/metrics) on full validation images
// through the same tiled prediction as `seglens predict`: the figure seen during training is the
// figure any later report computes on the same images. NaN is written as null.
import { z } from 'zod';
import { FileError } from './errors.ts';

const num = z.number().nullable(); // null = NaN (undefined metric, or a diverged loss)

export const ClassEpochSchema = z.object({
  name: z.string(),
  dice: num,
  iou: num,
  /** Share of validation pixels predicted as this class (collapse shows here first). */
  predictedShare: num,
  /** Share of validation pixels that are this class in the ground truth. */
  trueShare: num,
  /** Overlapping classes: the threshold chosen this epoch (dice and iou are at it) and the pixel ROC-AUC. */
  threshold: num.optional(),
  auc: num.optional(),
});

export const EpochRecordSchema = z.object({
  epoch: z.number().int().min(1),
  trainLoss: num,
  valLoss: num,
  lr: z.number(),
  /** Wall-clock seconds of this epoch (training + validation). */
  seconds: z.number().min(0),
  steps: z.number().int().min(0),
  val: z.object({
    meanForegroundDice: num,
    meanForegroundIoU: num,
    meanDiceWithBackground: num,
    channelSummedDice: num,
    pixelAccuracy: num,
    allBackgroundAccuracy: num,
    classes: z.array(ClassEpochSchema),
  }),
  /** The monitored figure and whether this epoch is the best so far (its weights are `best`). */
  monitor: z.object({ name: z.string(), value: num, best: z.boolean() }),
});

export type ClassEpoch = z.infer<typeof ClassEpochSchema>;
export type EpochRecord = z.infer<typeof EpochRecordSchema>;

/**
 * Parse a metrics.jsonl text; a torn last line (crash mid-write) is dropped, others must parse.
 * Epochs must run 1, 2, 3... with none twice and none missing: anything else means two trainings
 * wrote the run at once, or the file was edited, and no figure of it can be trusted.
 */
export function parseHistory(text: string, source = 'metrics.jsonl'): EpochRecord[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const out: EpochRecord[] = [];
  lines.forEach((line, i) => {
    let data: unknown;
    try {
      data = JSON.parse(line);
    } catch {
      if (i === lines.length - 1) return; // the line being written when the run stopped
      throw new FileError(source, `${source} line ${i + 1} is not JSON.`);
    }
    const r = EpochRecordSchema.safeParse(data);
    if (!r.success) throw new FileError(source, `${source} line ${i + 1}: ${r.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
    const expected = out.length + 1;
    if (r.data.epoch !== expected) {
      const seen = out.findIndex((e) => e.epoch === r.data.epoch);
      const what =
        seen >= 0
          ? `epoch ${r.data.epoch} again (line ${seen + 1} has it already)`
          : `epoch ${r.data.epoch} where epoch ${expected} should come (epoch${r.data.epoch - expected > 1 ? `s ${expected}-${r.data.epoch - 1} are` : ` ${expected} is`} missing)`;
      throw new FileError(
        source,
        `${source} line ${i + 1} holds ${what}: the history is not one run's (two trainings wrote it at once, or it was edited), so its figures cannot be trusted. ` +
          'Train a new run; keep this one only to look at by hand.',
      );
    }
    out.push(r.data);
  });
  return out;
}
