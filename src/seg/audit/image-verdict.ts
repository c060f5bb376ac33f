// What the review of one image needs judged: is it in the deceptive corner (scores.ts's rule), and
// which foreground class is at fault, i.e. the one whose error map explains the number. The app's
// scatter, metrics table and image view display these; they decide nothing themselves.
import type { ImageResult } from '../metrics/index.ts';
import { inclusiveScore, isDeceptiveImage } from './scores.ts';

/**
 * How the class at fault fails in the image: `missed` (in the ground truth, never predicted),
 * `spurious` (predicted, absent from the ground truth), `partial` (both, overlapping poorly).
 */
export type FaultKind = 'missed' | 'spurious' | 'partial';

export interface ImageVerdict {
  /** The image's best-looking background-inclusive figure (NaN when undefined). */
  inclusive: number;
  deceptive: boolean;
  /**
   * The foreground class with the lowest Dice among those defined in the image (ties: the one
   * with more ground-truth pixels, then the first); null when no foreground class is defined.
   */
  fault: { id: number; name: string; dice: number; kind: FaultKind } | null;
}

export function imageVerdict(im: ImageResult, backgroundClass: string): ImageVerdict {
  let fault: ImageVerdict['fault'] = null;
  let faultGt = -1;
  im.classes.forEach((c, id) => {
    if (c.name === backgroundClass || Number.isNaN(c.dice)) return;
    if (fault === null || c.dice < fault.dice || (c.dice === fault.dice && c.gtPixels > faultGt)) {
      const kind: FaultKind = c.gtPixels > 0 && c.predPixels === 0 ? 'missed' : c.gtPixels === 0 ? 'spurious' : 'partial';
      fault = { id, name: c.name, dice: c.dice, kind };
      faultGt = c.gtPixels;
    }
  });
  return { inclusive: inclusiveScore(im), deceptive: isDeceptiveImage(im, backgroundClass), fault };
}
