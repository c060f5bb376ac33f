// A Finding is one way the user's numbers can mislead them, found in the data, the split, the
// training history or the predictions. Ids are stable: the CLI's --json, the report and the app key
// on them, and tests assert them. Several findings may share an id when they concern different
// classes or splits (one `small-objects-missed` per class); findings about many images of one kind
// are one finding with the images listed worst first.

export type Severity = 'critical' | 'warning' | 'info';

/** Display and sort order: the most serious first. */
export const SEVERITY_ORDER: readonly Severity[] = ['critical', 'warning', 'info'];

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

export type FindingId = keyof typeof FINDING_IDS;

export const ALL_FINDING_IDS = Object.keys(FINDING_IDS) as FindingId[];

/** A named number (NaN/undefined as null), or a short string such as a class or image name. */
export type EvidenceValue = number | string | boolean | null;
export type Evidence = Record<string, EvidenceValue>;

export interface Finding {
  id: FindingId;
  severity: Severity;
  /** A few words, e.g. "Score dominated by the background". */
  title: string;
  /** What is wrong, with the numbers. */
  message: string;
  /** The numbers behind the message, by name (machine-readable; NaN written as null). */
  evidence: Evidence;
  /** Images concerned, worst first where a ranking applies; empty when the finding is global. */
  images: string[];
  /** What to do about it. */
  action: string;
  /** Per-image evidence for findings about several images, in the order of `images`. */
  perImage?: { image: string; evidence: Evidence }[];
}

/** NaN and infinities become null so that evidence survives JSON unchanged. */
export function num(x: number | null | undefined): number | null {
  return x === null || x === undefined || !Number.isFinite(x) ? null : x;
}

/** A figure for messages: 3 decimals, "n/a" when undefined. */
export function fmt(x: number | null | undefined, digits = 3): string {
  return x === null || x === undefined || Number.isNaN(x) ? 'n/a' : x.toFixed(digits);
}

/** A share for messages: "12.3 %". */
export function pct(x: number | null | undefined): string {
  return x === null || x === undefined || Number.isNaN(x) ? 'n/a' : `${(100 * x).toFixed(Math.abs(x) < 0.01 ? 2 : 1)} %`;
}

/** At most `max` names, then "and N more". */
export function listNames(names: readonly string[], max = 5): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

/** Findings sorted by severity (critical first), then by id order of FINDING_IDS; stable otherwise. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  const rank = (f: Finding) => SEVERITY_ORDER.indexOf(f.severity);
  const idRank = (f: Finding) => ALL_FINDING_IDS.indexOf(f.id);
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => rank(a.f) - rank(b.f) || idRank(a.f) - idRank(b.f) || a.i - b.i)
    .map((x) => x.f);
}
