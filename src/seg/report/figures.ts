// How the report prints a figure: one definition for every section (html.ts, overlap-html.ts).

export type Num = number | null | undefined;

/** A figure with 4 decimals as `seglens eval` prints it; undefined as "n/a". */
export function fig(v: Num, digits = 4): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '<span class="na">n/a</span>' : v.toFixed(digits);
}
