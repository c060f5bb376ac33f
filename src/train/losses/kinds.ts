// The names of the losses, apart from their TensorFlow.js code (loss.ts), so that option parsing
// and configuration checks (`seglens train --loss`, trainer/config.ts) do not load TensorFlow.js.
import { z } from 'zod';

export const LOSS_KINDS = ['ce', 'weighted-ce', 'dice', 'dice-ce', 'focal'] as const;
export const LossKindSchema = z.enum(LOSS_KINDS);
export type LossKind = z.infer<typeof LossKindSchema>;
/** Dice + CE: Dice keeps rare foreground classes from being ignored, CE keeps gradients well behaved. */
export const DEFAULT_LOSS: LossKind = 'dice-ce';
