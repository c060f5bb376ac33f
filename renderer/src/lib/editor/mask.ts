// The mask being edited and the coordinate type of its pixels. Editor operations are plain
// functions on this data: they write the pixels they change and return an undo record; nothing
// here knows about Konva, the DOM or the engine (GUIDE practice 5), so they are tested headlessly.

/** A point in image pixel coordinates (not stage, not screen): x right, y down, pixel centres at +0.5. */
export type ImagePoint = { readonly x: number; readonly y: number } & { readonly __space: 'image' };

export function imagePoint(x: number, y: number): ImagePoint {
  return { x, y } as ImagePoint;
}

export interface EditMask {
  readonly width: number;
  readonly height: number;
  /** Class id per pixel, or IGNORE (src/api: unlabelled). Edited in place. */
  readonly data: Uint8Array;
}

/** What every operation respects: classes locked against overwriting. */
export interface EditRules {
  /** A pixel whose current class is locked is never changed (IGNORE, unlabelled, may be locked too). */
  locked: ReadonlySet<number>;
}

export const NO_LOCKS: EditRules = { locked: new Set() };

/** A lookup of "may this pixel value be overwritten?" for the hot loops: 256 entries. */
export function writableTable(rules: EditRules): Uint8Array {
  const t = new Uint8Array(256).fill(1);
  for (const c of rules.locked) t[c] = 0;
  return t;
}
