// Mask findings: values outside the class table, masks resized with interpolation, masks stored
// lossily. Detection is done where masks are read (src/seg/masks.ts unknownValuesProblem,
// mask-damage.ts, collected by inspectDataset); this groups those Problems into one finding per
// kind, masks with the most affected pixels first.
import { PROBLEM_TITLES } from '../checks.ts';
import type { Problem } from '../problems.ts';
import type { Finding } from './types.ts';
import { listNames, num, pct } from './types.ts';

interface Affected {
  image: string;
  mask: string;
  /** The problem's own sentence about this mask. */
  message: string;
  pixels: number;
  fraction: number;
  values: string;
}

function affected(p: Problem, imageOfMask: Map<string, string>): Affected {
  const d = p.details ?? {};
  const pixels = typeof d.pixels === 'number' ? d.pixels : NaN;
  const fraction = typeof d.fraction === 'number' ? d.fraction : NaN;
  const list = Array.isArray(d.examples)
    ? d.examples.map(String)
    : Array.isArray(d.unknown)
      ? (d.unknown as { value: unknown }[]).map((u) => String(u.value))
      : [];
  return { image: imageOfMask.get(p.file) ?? p.file, mask: p.file, message: p.message, pixels, fraction, values: list.slice(0, 8).join(', ') };
}

type MaskCode = 'mask-unknown-values' | 'mask-interpolated' | 'lossy-mask';

function grouped(code: MaskCode, problems: Problem[], imageOfMask: Map<string, string>, masks: number | undefined): Finding | undefined {
  const own = problems.filter((p) => p.code === code);
  if (own.length === 0) return undefined;
  const list = own.map((p) => affected(p, imageOfMask)).sort((a, b) => (b.pixels || 0) - (a.pixels || 0) || (a.image < b.image ? -1 : 1));
  const total = list.reduce((s, a) => s + (Number.isNaN(a.pixels) ? 0 : a.pixels), 0);
  const of = masks !== undefined ? ` of ${masks}` : '';
  const interp = code === 'mask-interpolated';
  const lossy = code === 'lossy-mask';
  const worst = list[0];
  const worstText = `${worst.mask} (${worst.pixels} px${Number.isNaN(worst.fraction) ? '' : `, ${pct(worst.fraction)}`}${worst.values ? `, e.g. values ${worst.values}` : ''})`;
  return {
    id: code,
    severity: own.some((p) => p.severity === 'error') ? 'critical' : 'warning',
    title: PROBLEM_TITLES[code],
    message: interp
      ? `${list.length}${of} masks look resized with interpolation (in-between values along class edges or object rims), ${total} pixels in all; worst: ${worstText}.`
      : lossy
        ? `${list.length}${of} masks are stored as JPEG, whose compression changed ${total} pixels near edges into values that are no label; worst: ${worstText}.`
        : `${list.length}${of} masks contain values that no class claims, ${total} pixels in all (left unlabelled); worst: ${worst.mask} (${worst.pixels} px${worst.values ? `, values ${worst.values}` : ''}).`,
    evidence: { masks: list.length, ...(masks !== undefined ? { masksChecked: masks } : {}), pixels: total, worstMask: worst.mask, worstPixels: num(worst.pixels) },
    images: list.map((a) => a.image),
    files: list.map((a) => a.mask),
    perImage: list.map((a) => ({ image: a.image, evidence: { mask: a.mask, pixels: num(a.pixels), fraction: num(a.fraction), values: a.values, message: a.message } })),
    action: interp
      ? `Re-export ${listNames(list.map((a) => a.mask), 3)} with nearest-neighbour resampling only (Fiji: Image > Scale, interpolation "None"; sharp/PIL: kernel "nearest"). Metrics on these masks count blurred edges as errors; putting the in-between values in "ignore" hides the damage.`
      : lossy
        ? `Save ${listNames(list.map((a) => a.mask), 3)} as PNG or TIFF from the original annotation (converting the JPEG to PNG keeps the damage). Training and metrics on JPEG masks learn and score compression noise.`
        : `Add each value to a class or to "ignore" in the class table (seglens init proposes one), or fix ${listNames(list.map((a) => a.mask), 3)}. Unlabelled pixels are left out of training and of every metric.`,
  };
}

/** What maskFindings needs of an inspect report (src/seg/dataset's InspectReport has it). */
export interface MaskProblemsSource {
  problems: readonly Problem[];
  /** Pairs read: the image name of each mask file. */
  pairs: readonly { name: string; mask: string }[];
  unreadable: readonly string[];
}

/** Findings from mask problems: an inspect report (names masks by their image) or a list of Problems. */
export function maskFindings(source: MaskProblemsSource | readonly Problem[]): Finding[] {
  const report = Array.isArray(source) ? undefined : (source as MaskProblemsSource);
  const problems = report ? [...report.problems] : [...(source as readonly Problem[])];
  const imageOfMask = new Map((report?.pairs ?? []).map((p) => [p.mask, p.name]));
  const masks = report ? report.pairs.length + report.unreadable.length : undefined;
  return (['lossy-mask', 'mask-interpolated', 'mask-unknown-values'] as const)
    .map((code) => grouped(code, problems, imageOfMask, masks))
    .filter((f): f is Finding => f !== undefined);
}
