// Pan and zoom as pure functions on a Viewport (coords.ts): fit, 1:1, zoom about a point, pan.
// The panes only apply the result to their Konva layers.
import { stagePx } from './coords.ts';
import type { Size, StagePx, Viewport } from './coords.ts';

export const MIN_SCALE = 1 / 64;
export const MAX_SCALE = 64;
/** Zoom factor of one wheel notch (deltaY = 100) and of the +/- keys. */
export const ZOOM_STEP = 1.25;

const clampScale = (s: number) => Math.min(MAX_SCALE, Math.max(MIN_SCALE, s));

/** The whole image centred in the view, as large as fits (with a small margin). */
export function fitViewport(image: Size, view: Size, margin = 8): Viewport {
  const w = Math.max(1, view.width - 2 * margin);
  const h = Math.max(1, view.height - 2 * margin);
  const scale = clampScale(Math.min(w / Math.max(1, image.width), h / Math.max(1, image.height)));
  return centred(image, view, scale);
}

/** One image pixel per CSS pixel, keeping the image point at the view's centre where it is. */
export function oneToOne(v: Viewport, view: Size): Viewport {
  return zoomAbout(v, stagePx(view.width / 2, view.height / 2), 1 / v.scale);
}

export function centred(image: Size, view: Size, scale: number): Viewport {
  return { scale, x: (view.width - image.width * scale) / 2, y: (view.height - image.height * scale) / 2 };
}

/** Zoom by `factor` keeping the image point under `at` where it is. */
export function zoomAbout(v: Viewport, at: StagePx, factor: number): Viewport {
  const scale = clampScale(v.scale * factor);
  const k = scale / v.scale;
  return { scale, x: at.x - (at.x - v.x) * k, y: at.y - (at.y - v.y) * k };
}

/** The zoom factor of a wheel event: smooth for trackpads (small deltas), one step per notch. */
export function wheelFactor(deltaY: number, deltaMode: number): number {
  const px = deltaMode === 1 ? deltaY * 33 : deltaMode === 2 ? deltaY * 400 : deltaY;
  return Math.pow(ZOOM_STEP, -px / 100);
}

export function panBy(v: Viewport, dx: number, dy: number): Viewport {
  return { scale: v.scale, x: v.x + dx, y: v.y + dy };
}

/** The part of the image inside the view, in image pixels, clipped to the image: [x0, y0, x1, y1). */
export function visibleRect(v: Viewport, view: Size, image: Size): [number, number, number, number] | null {
  const x0 = Math.max(0, Math.floor(-v.x / v.scale));
  const y0 = Math.max(0, Math.floor(-v.y / v.scale));
  const x1 = Math.min(image.width, Math.ceil((view.width - v.x) / v.scale));
  const y1 = Math.min(image.height, Math.ceil((view.height - v.y) / v.scale));
  return x1 > x0 && y1 > y0 ? [x0, y0, x1, y1] : null;
}

export function sameViewport(a: Viewport, b: Viewport): boolean {
  return a.scale === b.scale && a.x === b.x && a.y === b.y;
}
