// Display colours of classes: those `seglens init` proposes, and those a class table leaves out
// (classes.ts). Apart from src/seg/project so that the class table imports no project module.
// Sasha Trubetskoy's "20 simple, distinct colors"
// (https://sashamaps.net/docs/resources/20-colors/), in his order, without white and black; past
// those, hues spaced by the golden angle so neighbours stay distinguishable.

export const DISTINCT_COLORS = [
  '#e6194b', '#3cb44b', '#ffe119', '#4363d8', '#f58231', '#911eb4', '#46f0f0', '#f032e6', '#bcf60c', '#fabebe',
  '#008080', '#e6beff', '#9a6324', '#fffac8', '#800000', '#aaffc3', '#808000', '#ffd8b1', '#000075', '#808080',
] as const;

/** The background is drawn black (and usually transparent in overlays). */
export const BACKGROUND_COLOR = '#000000';

function hslToHex(h: number, s: number, l: number): string {
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    const a = s * Math.min(l, 1 - l);
    const c = l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(c * 255).toString(16).padStart(2, '0');
  };
  return `#${f(0)}${f(8)}${f(4)}`;
}

/** Colour of the i-th foreground class (0-based). */
export function classColor(i: number): string {
  if (i < DISTINCT_COLORS.length) return DISTINCT_COLORS[i];
  const j = i - DISTINCT_COLORS.length;
  return hslToHex((j * 137.508) % 360, 0.65, j % 2 === 0 ? 0.5 : 0.35);
}
