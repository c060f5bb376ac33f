// One catalogue of everything seglens checks and reports, each id with one line on what it means.
// A data problem (a Problem: one file's fault, reported by the readers, inspect and split) and an
// audit finding (a Finding: a way the numbers can mislead, src/seg/audit) draw their ids from here;
// where both report the same thing (a leaked split, an interpolated mask) it is one entry with one
// id, never two names. Ids are stable: --json output, the report and the app key on them.

/** Every finding id with one line on what it means (printed by reports and `seglens eval --audit`). */
export const FINDING_IDS = {
  'background-dominated':
    'A background-inclusive figure (pixel accuracy, channel-summed Dice, Dice with background) looks good while the mean foreground Dice is poor.',
  'below-baseline': 'Pixel accuracy is not clearly above that of predicting every pixel as background.',
  'class-never-predicted': 'A foreground class in the ground truth that the model predicts nowhere, or on fewer than 5 % of its true pixels (Dice near 0).',
  'deceptive-images': 'Images whose background-inclusive score is high but whose foreground Dice is low, worst first.',
  'small-objects-missed': 'Many ground-truth objects of a class are missed although its pixel Dice looks acceptable (large objects carry the Dice).',
  'segmentation-bias': 'Predictions of a class systematically too wide (or too narrow) along its true edges, by an estimated number of pixels.',
  'class-missing-in-split': 'A class occurs in the data set but in none of the images of a split.',
  'split-imbalance': "A class's pixel share differs strongly between training and validation (or test).",
  'split-leakage': 'Identical or near-identical images (also flipped, rotated by 90 degrees or slightly shifted), or one group, on both sides of a split: the held-out score is inflated.',
  'split-share-unmet': 'The split could not give the requested shares (few groups, or duplicates kept together): what it got instead.',
  'mask-unknown-values': 'Mask values that are in no class of the class table: those pixels are left unlabelled.',
  'mask-interpolated': 'Masks (label or instance) resized with interpolation: class edges or object rims carry in-between values.',
  'lossy-mask': 'Masks stored as JPEG (lossy): values near edges changed by compression.',
  'ignored-share': 'A large share of the ground truth is unlabelled or ignored (per image, and along the edges of which class), left out of training and metrics.',
  'pairing-suspect': 'An image and its mask do not seem to belong together: another mask, or the mask shifted, fits the image better.',
  'metric-mismatch': 'A figure recorded during training differs from the same figure recomputed afterwards on the same images.',
  'not-learning': 'Training loss stays at the chance level (ln K for K classes) or foreground Dice never improves.',
  collapsed: 'The network predicts one class nearly everywhere (the other classes get under a quarter of the pixels they cover).',
  diverged: 'The loss became NaN/infinite or exploded.',
  'threshold-problem': "Overlapping classes: a class's probabilities rank its pixels well (high pixel ROC-AUC) but its mask at its threshold is poor (low Dice).",
  'cooccurrence-shortcut': 'Overlapping classes: a class that lies inside another is predicted over most of that parent class, far beyond where it truly is.',
  overfitting: 'Validation loss rises (or the validation metric falls from its best) while the training loss keeps falling.',
} as const;

/** Faults of single files or pairs that only the readers report (no audit finding has them). */
export const FILE_PROBLEM_IDS = {
  'missing-partner': 'An image without a mask, or a mask without an image, under the pairing rule.',
  'duplicate-stem': 'Two files of one folder share a name without extension, so pairing by name is ambiguous.',
  'size-mismatch': 'An image and its mask differ in width or height.',
  'corrupt-file': 'A file that cannot be decoded (truncated, damaged, or not what its extension says).',
  'empty-file': 'A file of zero bytes.',
  'unsupported-format': 'A file format, bit depth or channel layout seglens does not read.',
  'image-too-large': 'An image that decodes to more pixels than the limit (maxPixels), refused before it fills memory.',
  'constant-image': 'An image whose every pixel has one value: nothing to learn from.',
  'mask-overlap': 'Pixels claimed by two classes (or objects) in masks that must not overlap: left unlabelled.',
  'not-a-label-image': 'A mask that is not a label image (colour where grey labels were expected, or too many values).',
  'split-manifest-mismatch': "A split manifest that no longer fits the project's images or classes.",
  'no-pairs': 'No image/mask pair to train on: none found, none readable, or every one excluded.',
} as const;


/** Ids a Problem may carry that are also audit findings: the same check seen on one file. */
export const SHARED_IDS = [
  'mask-unknown-values',
  'mask-interpolated',
  'lossy-mask',
  'class-missing-in-split',
  'split-leakage',
  'split-imbalance',
  'split-share-unmet',
] as const satisfies readonly (keyof typeof FINDING_IDS)[];

/** Every id, problems and findings together, with its meaning. */
export const CHECKS: Readonly<Record<CheckId, string>> = { ...FINDING_IDS, ...FILE_PROBLEM_IDS };
export type CheckId = keyof typeof FINDING_IDS | keyof typeof FILE_PROBLEM_IDS;

/**
 * Short titles of the checks a Problem reports (file faults and the ids shared with the audit),
 * for when a problem is shown as a finding (src/seg/audit/problem-findings.ts).
 */
export const PROBLEM_TITLES: Readonly<Record<ProblemId, string>> = {
  'missing-partner': 'Image or mask without its partner',
  'duplicate-stem': 'Two files with one name',
  'size-mismatch': 'Image and mask of different sizes',
  'corrupt-file': 'File that cannot be read',
  'empty-file': 'Empty file',
  'unsupported-format': 'Format seglens does not read',
  'image-too-large': 'Image too large',
  'constant-image': 'Constant image',
  'mask-overlap': 'Pixels claimed twice',
  'not-a-label-image': 'Mask that is not a label image',
  'split-manifest-mismatch': 'Split manifest out of date',
  'no-pairs': 'Nothing to train on',
  'mask-unknown-values': 'Mask values in no class',
  'mask-interpolated': 'Masks resized with interpolation',
  'lossy-mask': 'Masks stored as JPEG (lossy)',
  'class-missing-in-split': 'Class missing from a split',
  'split-leakage': 'Images on both sides of the split',
  'split-imbalance': 'Class shares differ between splits',
  'split-share-unmet': 'Split shares not met',
};

/** An id a Problem may carry: a file fault, or a check the audit shares. */
export type ProblemId = keyof typeof FILE_PROBLEM_IDS | (typeof SHARED_IDS)[number];
