// Mask findings: values outside the class table, and masks resized with interpolation. Detection is
// done where masks are read (src/seg/masks.ts unknownValuesProblem, src/seg/interpolation.ts
// detectInterpolation, collected by inspectDataset); this groups those Problems into one finding
// per kind, masks with the most affected pixels first.
import type { InspectReport } from '../dataset/index.ts';
import type { Problem } from '../problems.ts';
import type { Finding } from './types.ts';
import { listNames, num, pct } from './types.ts';

interface Affected {
  image: string;
  mask: string;
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
  return { image: imageOfMask.get(p.file) ?? p.file, mask: p.file, pixels, fraction, values: list.slice(0, 8).join(', ') };
}

function grouped(code: 'mask-unknown-values' | 'mask-interpolated', problems: Problem[], imageOfMask: Map<string, string>, masks: number | undefined): Finding | undefined {
  const own = problems.filter((p) => p.code === code);
  if (own.length === 0) return undefined;
  const list = own.map((p) => affected(p, imageOfMask)).sort((a, b) => (b.pixels || 0) - (a.pixels || 0) || (a.image < b.image ? -1 : 1));
  const total = list.reduce((s, a) => s + (Number.isNaN(a.pixels) ? 0 : a.pixels), 0);
  const of = masks !== undefined ? ` of ${masks}` : '';
  const interp = code === 'mask-interpolated';
  const worst = list[0];
  return {
    id: code,
    severity: own.some((p) => p.severity === 'error') ? 'critical' : 'warning',
    title: interp ? 'Masks resized with interpolation' : 'Mask values in no class',
    message: interp
      ? `${list.length}${of} masks look resized with interpolation (values between class values along class edges), ${total} pixels in all; worst: ${worst.mask} ` +
        `(${worst.pixels} px${Number.isNaN(worst.fraction) ? '' : `, ${pct(worst.fraction)}`}${worst.values ? `, e.g. values ${worst.values}` : ''}).`
      : `${list.length}${of} masks contain values that no class claims, ${total} pixels in all (left unlabelled); worst: ${worst.mask} (${worst.pixels} px${worst.values ? `, values ${worst.values}` : ''}).`,
    evidence: { masks: list.length, ...(masks !== undefined ? { masksChecked: masks } : {}), pixels: total, worstMask: worst.mask, worstPixels: num(worst.pixels) },
    images: list.map((a) => a.image),
    perImage: list.map((a) => ({ image: a.image, evidence: { mask: a.mask, pixels: num(a.pixels), fraction: num(a.fraction), values: a.values } })),
    action: interp
      ? `Re-export ${listNames(list.map((a) => a.mask), 3)} with nearest-neighbour resampling only (Fiji: Image > Scale, interpolation "None"; sharp/PIL: kernel "nearest"). Metrics on these masks count blurred edges as errors.`
      : `Add each value to a class or to "ignore" in the class table (seglens init proposes one), or fix ${listNames(list.map((a) => a.mask), 3)}. Unlabelled pixels are left out of training and of every metric.`,
  };
}

/** Findings from mask problems: an InspectReport (names masks by their image) or a list of Problems. */
export function maskFindings(source: InspectReport | readonly Problem[]): Finding[] {
  const problems = Array.isArray(source) ? (source as Problem[]) : (source as InspectReport).problems;
  const report = Array.isArray(source) ? undefined : (source as InspectReport);
  const imageOfMask = new Map((report?.pairs ?? []).map((p) => [p.mask, p.name]));
  const masks = report ? report.pairs.length + report.unreadable.length : undefined;
  return [grouped('mask-unknown-values', problems, imageOfMask, masks), grouped('mask-interpolated', problems, imageOfMask, masks)].filter(
    (f): f is Finding => f !== undefined,
  );
}
