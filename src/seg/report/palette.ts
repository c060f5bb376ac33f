// Colours of the report, chosen to stay distinct for the common colour-vision deficiencies
// (Okabe & Ito 2008, "Color Universal Design"). Error maps pair orange with sky blue: the
// blue-yellow axis survives protanopia and deuteranopia, and the two also differ in hue under
// tritanopia; true positives are light grey so they differ from both by lightness alone.

/** Error-map colours as [r, g, b]; the legend and the explanation name them from here. */
export const ERROR_COLORS = {
  tp: { rgb: [224, 224, 224] as const, hex: '#e0e0e0', label: 'true positive (correct)', colour: 'light grey' },
  fp: { rgb: [230, 159, 0] as const, hex: '#e69f00', label: 'false positive (predicted, not in ground truth)', colour: 'orange' },
  fn: { rgb: [86, 180, 233] as const, hex: '#56b4e9', label: 'false negative (in ground truth, missed)', colour: 'sky blue' },
  ignore: { rgb: [204, 121, 167] as const, hex: '#cc79a7', label: 'ignored (not scored)', colour: 'reddish purple' },
} as const;

/** Everything else in an error map is the original image, dimmed to at most this share of white. */
export const ERROR_MAP_DIM = 0.3;

/** Line and bar colours of foreground classes in plots, in class order (Okabe-Ito without yellow). */
const FOREGROUND_SERIES = ['#0072b2', '#e69f00', '#009e73', '#d55e00', '#cc79a7', '#56b4e9', '#000000'];
export const BACKGROUND_SERIES = '#999999';

/** Plot colour of the k-th foreground class (k = 0 for the first foreground class); cycles after 7. */
export function seriesColor(k: number): string {
  return FOREGROUND_SERIES[((k % FOREGROUND_SERIES.length) + FOREGROUND_SERIES.length) % FOREGROUND_SERIES.length];
}

/** Dash pattern for the k-th foreground class: solid for the first 7, then dashed, so 8+ classes stay apart. */
export function seriesDash(k: number): string | undefined {
  const round = Math.floor(k / FOREGROUND_SERIES.length);
  return round === 0 ? undefined : round === 1 ? '6 3' : '2 3';
}

/** Sequential white -> dark blue scale for the confusion matrix; t in [0, 1]. */
export function heatColor(t: number): string {
  const stops: [number, number, number][] = [
    [247, 251, 255],
    [198, 219, 239],
    [107, 174, 214],
    [33, 113, 181],
    [8, 48, 107],
  ];
  const x = Math.min(1, Math.max(0, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const c = stops[i].map((v, j) => Math.round(v + (stops[i + 1][j] - v) * f));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

/** Text on a heat-map cell: white on the dark half of the scale. */
export function heatTextColor(t: number): string {
  return t > 0.55 ? '#ffffff' : '#111111';
}
