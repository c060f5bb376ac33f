// The labels a split is stratified on, per image: one label per class present in the image, plus one
// label for the image's foreground-fraction bin (tertiles by default). The bins spread nearly-empty
// and crowded images (easy and hard ones) over the splits the same way classes are spread.

export interface LabelOptions {
  /** Class id of the background; foreground fraction = 1 - its share of labelled pixels. */
  background: number;
  /** Number of foreground-fraction bins (quantiles over the dataset); default 3. */
  fgBins?: number;
}

export interface ImageLabels {
  /** Label names: `class:<id>` then `fg:<bin>`. Index = label id. */
  names: string[];
  /** Label ids per item, in the order of the input. */
  perImage: number[][];
}

/** Foreground share of an image's labelled pixels; NaN when nothing in it is labelled. */
export function foregroundFraction(classPixels: readonly number[], background: number): number {
  let total = 0;
  for (const v of classPixels) total += v;
  return total > 0 ? 1 - (classPixels[background] ?? 0) / total : NaN;
}

/**
 * Bin edges at the dataset's quantiles: an image with fraction f falls in bin = number of edges <= f.
 * Computed over images with labelled pixels only.
 */
export function quantileEdges(values: readonly number[], bins: number): number[] {
  const v = values.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (v.length === 0) return [];
  const edges: number[] = [];
  for (let k = 1; k < bins; k++) edges.push(v[Math.floor((k * v.length) / bins)]);
  return edges;
}

export function imageLabels(items: readonly { classPixels: readonly number[] }[], numClasses: number, opts: LabelOptions): ImageLabels {
  const bins = opts.fgBins ?? 3;
  const fg = items.map((i) => foregroundFraction(i.classPixels, opts.background));
  const edges = quantileEdges(fg, bins);
  const names = [...Array.from({ length: numClasses }, (_, c) => `class:${c}`), ...Array.from({ length: bins }, (_, b) => `fg:${b}`)];
  const perImage = items.map((item, i) => {
    const labels: number[] = [];
    for (let c = 0; c < numClasses; c++) if ((item.classPixels[c] ?? 0) > 0) labels.push(c);
    if (!Number.isNaN(fg[i])) labels.push(numClasses + edges.filter((e) => e <= fg[i]).length);
    return labels;
  });
  return { names, perImage };
}
