// The three coordinate spaces of the image view, each its own branded type so that a screen
// position can never be used as an image pixel by accident (GUIDE practice 4):
//   image  : pixels of the image, x right, y down; pixel (i, j) covers [i, i+1) x [j, j+1)
//   stage  : CSS pixels inside a pane's Konva stage (its top-left corner is 0, 0)
//   screen : CSS pixels of the browser window (PointerEvent.clientX/Y)
// The editor's ImagePoint (editor/mask.ts) is the same type as ImagePx.
import type { ImagePoint } from '../editor/mask.ts';

export type ImagePx = ImagePoint;
export type StagePx = { readonly x: number; readonly y: number } & { readonly __space: 'stage' };
export type ScreenPx = { readonly x: number; readonly y: number } & { readonly __space: 'screen' };

export const imagePx = (x: number, y: number): ImagePx => ({ x, y }) as ImagePx;
export const stagePx = (x: number, y: number): StagePx => ({ x, y }) as StagePx;
export const screenPx = (x: number, y: number): ScreenPx => ({ x, y }) as ScreenPx;

/**
 * How image pixels land on a stage: stage = image * scale + offset. One Viewport is shared by
 * every pane of the side-by-side layout, which is what keeps their pan and zoom in sync.
 */
export interface Viewport {
  readonly scale: number;
  readonly x: number;
  readonly y: number;
}

export interface Size {
  readonly width: number;
  readonly height: number;
}

export const imageToStage = (v: Viewport, p: ImagePx): StagePx => stagePx(p.x * v.scale + v.x, p.y * v.scale + v.y);
export const stageToImage = (v: Viewport, p: StagePx): ImagePx => imagePx((p.x - v.x) / v.scale, (p.y - v.y) / v.scale);

/** A window position as a position on the stage whose container sits at `rect`. */
export const screenToStage = (p: ScreenPx, rect: { left: number; top: number }): StagePx => stagePx(p.x - rect.left, p.y - rect.top);

/** The image pixel under a pointer (floor of the image coordinate), or null outside the image. */
export function pixelAt(v: Viewport, p: StagePx, image: Size): ImagePx | null {
  const q = stageToImage(v, p);
  const x = Math.floor(q.x);
  const y = Math.floor(q.y);
  return x >= 0 && y >= 0 && x < image.width && y < image.height ? imagePx(x, y) : null;
}
