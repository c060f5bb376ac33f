// The `pairing-suspect` finding from the per-image fits of pairing.ts. (Reading a whole dataset
// for the check is src/seg/dataset's job: checkDatasetPairing in dataset/pairing-check.ts.)
import type { Finding } from './types.ts';
import { fmt, listNames, num } from './types.ts';
import { PAIRING_MIN_GAIN, PAIRING_MIN_RATIO } from './pairing.ts';
import type { PairingFit } from './pairing.ts';

function why(f: PairingFit): string {
  const same = f.sameMaskAs.length ? ` Its mask is identical to the mask of ${listNames(f.sameMaskAs, 3)}.` : '';
  if (f.reason === 'better-fit' && f.best) {
    const what =
      f.best.mask === f.name
        ? `its own mask shifted by (${f.best.dx}, ${f.best.dy}) px fits better`
        : `the mask of ${f.best.mask} fits better`;
    return `${f.name}: ${what} (boundary contrast ${fmt(f.best.contrast, 2)} vs ${fmt(f.ownContrast, 2)} for its own mask, +${Math.round(100 * f.gain)} %).${same}`;
  }
  return `${f.name}: its mask fits hardly better than masks of other images (boundary contrast ${fmt(f.ownContrast, 2)} vs a median of ${fmt(f.otherMedian, 2)} for those).${same}`;
}

/** One finding listing every suspect pair, the clearest case first. */
export function pairingFindings(fits: readonly PairingFit[]): Finding[] {
  const suspect = fits.filter((f) => f.suspect);
  if (suspect.length === 0) return [];
  // Better-fit cases first (a named better mask is the clearest evidence), by gain; then no-fit by ratio.
  const ranked = [...suspect].sort((a, b) => {
    if (a.reason !== b.reason) return a.reason === 'better-fit' ? -1 : 1;
    return a.reason === 'better-fit' ? b.gain - a.gain : a.ratio - b.ratio;
  });
  const shifted = ranked.filter((f) => f.reason === 'better-fit' && f.best?.mask === f.name).length;
  const otherMask = ranked.filter((f) => f.reason === 'better-fit' && f.best?.mask !== f.name).length;
  const noFit = ranked.length - shifted - otherMask;
  const shown = ranked.slice(0, 5).map(why);
  const worst = ranked[0];
  return [
    {
      id: 'pairing-suspect',
      severity: 'critical',
      title: 'Images and masks that do not seem to belong together',
      message:
        `${ranked.length} of ${fits.length} masks do not line up with the edges of their image: ${shown.join(' ')}` +
        (ranked.length > 5 ? ` And ${ranked.length - 5} more.` : ''),
      evidence: {
        suspect: ranked.length,
        pairsChecked: fits.length,
        anotherMaskFitsBetter: otherMask,
        shiftedMaskFitsBetter: shifted,
        fitsNoBetterThanOthers: noFit,
        worstImage: worst.name,
        worstOwnContrast: num(worst.ownContrast),
        worstBestContrast: num(worst.best?.contrast),
        worstBetterMask: worst.reason === 'better-fit' ? (worst.best?.mask ?? null) : null,
        minGain: PAIRING_MIN_GAIN,
        minRatio: PAIRING_MIN_RATIO,
      },
      images: ranked.map((f) => f.name),
      perImage: ranked.map((f) => ({
        image: f.name,
        evidence: {
          reason: f.reason,
          ownContrast: num(f.ownContrast),
          betterMask: f.reason === 'better-fit' ? (f.best?.mask ?? null) : null,
          betterShiftX: f.reason === 'better-fit' ? (f.best?.dx ?? null) : null,
          betterShiftY: f.reason === 'better-fit' ? (f.best?.dy ?? null) : null,
          betterContrast: f.reason === 'better-fit' ? num(f.best?.contrast) : null,
          gain: num(f.gain),
          otherMedianContrast: num(f.otherMedian),
          ratio: num(f.ratio),
          sameMaskAs: f.sameMaskAs.join(', ') || null,
        },
      })),
      action:
        'Open these images with their masks overlaid. If another mask fits better, the pairing is wrong (file names that sort differently between the ' +
        'image and mask folders, an off-by-one in a renamed series): fix the names or pair with an explicit list. If a shift fits better, re-export the ' +
        'mask without the offset. Training on mismatched pairs teaches the model noise, and every metric on them is meaningless.',
    },
  ];
}
