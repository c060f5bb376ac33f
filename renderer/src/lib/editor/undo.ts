// Undo records store changed tiles, not whole masks: a brush stroke on a 4096 x 4096 mask keeps a
// few 64 x 64 tiles (before and after), so 100 large strokes cost megabytes, not gigabytes.
import type { EditMask } from './mask.ts';

export const TILE = 64;

export interface TilePatch {
  /** Tile column and row. */
  tx: number;
  ty: number;
  /** Pixels of the tile before and after the operation (row-major, tile-sized or clipped at the edge). */
  before: Uint8Array;
  after: Uint8Array;
}

export interface UndoRecord {
  label: string;
  tiles: TilePatch[];
  /** Bytes held by this record. */
  bytes: number;
  /** Image-pixel bounding box of the change [x0, y0, x1, y1) for redraw. */
  bounds: [number, number, number, number];
}

function tileRect(mask: EditMask, tx: number, ty: number): [number, number, number, number] {
  const x0 = tx * TILE;
  const y0 = ty * TILE;
  return [x0, y0, Math.min(x0 + TILE, mask.width), Math.min(y0 + TILE, mask.height)];
}

function readTile(mask: EditMask, tx: number, ty: number): Uint8Array {
  const [x0, y0, x1, y1] = tileRect(mask, tx, ty);
  const w = x1 - x0;
  const out = new Uint8Array(w * (y1 - y0));
  for (let y = y0; y < y1; y++) out.set(mask.data.subarray(y * mask.width + x0, y * mask.width + x1), (y - y0) * w);
  return out;
}

function writeTile(mask: EditMask, tx: number, ty: number, src: Uint8Array): void {
  const [x0, y0, x1, y1] = tileRect(mask, tx, ty);
  const w = x1 - x0;
  for (let y = y0; y < y1; y++) mask.data.set(src.subarray((y - y0) * w, (y - y0 + 1) * w), y * mask.width + x0);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Collects the "before" of every tile an operation may write, just before it writes there
 * (`touch` with the rectangle about to change), and builds the record at the end, keeping only the
 * tiles that really changed.
 */
export class Recorder {
  private readonly before = new Map<number, Uint8Array>();
  private readonly cols: number;
  constructor(private readonly mask: EditMask) {
    this.cols = Math.ceil(mask.width / TILE);
  }

  /** Call before writing any pixel in [x0, x1) x [y0, y1) (clipped to the mask). */
  touch(x0: number, y0: number, x1: number, y1: number): void {
    const tx0 = Math.max(0, Math.floor(x0 / TILE));
    const ty0 = Math.max(0, Math.floor(y0 / TILE));
    const tx1 = Math.min(this.cols - 1, Math.floor((x1 - 1) / TILE));
    const ty1 = Math.min(Math.ceil(this.mask.height / TILE) - 1, Math.floor((y1 - 1) / TILE));
    for (let ty = ty0; ty <= ty1; ty++)
      for (let tx = tx0; tx <= tx1; tx++) {
        const key = ty * this.cols + tx;
        if (!this.before.has(key)) this.before.set(key, readTile(this.mask, tx, ty));
      }
  }

  finish(label: string): UndoRecord | null {
    const tiles: TilePatch[] = [];
    let bytes = 0;
    let bx0 = Infinity, by0 = Infinity, bx1 = -Infinity, by1 = -Infinity;
    for (const [key, before] of this.before) {
      const tx = key % this.cols;
      const ty = Math.floor(key / this.cols);
      const after = readTile(this.mask, tx, ty);
      if (sameBytes(before, after)) continue;
      tiles.push({ tx, ty, before, after });
      bytes += before.length + after.length;
      const [x0, y0, x1, y1] = tileRect(this.mask, tx, ty);
      bx0 = Math.min(bx0, x0);
      by0 = Math.min(by0, y0);
      bx1 = Math.max(bx1, x1);
      by1 = Math.max(by1, y1);
    }
    this.before.clear();
    return tiles.length ? { label, tiles, bytes, bounds: [bx0, by0, bx1, by1] } : null;
  }
}

export function applyRecord(mask: EditMask, rec: UndoRecord, direction: 'undo' | 'redo'): void {
  for (const t of rec.tiles) writeTile(mask, t.tx, t.ty, direction === 'undo' ? t.before : t.after);
}

/**
 * Undo/redo stacks with bounded memory: at least `minSteps` steps are kept while they fit in
 * `maxBytes`; beyond the byte budget the oldest steps are dropped first (and a step larger than the
 * whole budget is still kept, alone, so the last action can always be undone).
 */
export class History {
  private undoStack: UndoRecord[] = [];
  private redoStack: UndoRecord[] = [];
  private bytes = 0;
  constructor(readonly maxBytes = 256 * 1024 * 1024) {}

  push(rec: UndoRecord | null): void {
    if (!rec) return;
    this.undoStack.push(rec);
    this.bytes += rec.bytes;
    for (const r of this.redoStack) this.bytes -= r.bytes;
    this.redoStack = [];
    while (this.bytes > this.maxBytes && this.undoStack.length > 1) this.bytes -= this.undoStack.shift()!.bytes;
  }

  undo(mask: EditMask): UndoRecord | null {
    const rec = this.undoStack.pop();
    if (!rec) return null;
    applyRecord(mask, rec, 'undo');
    this.redoStack.push(rec);
    return rec;
  }

  redo(mask: EditMask): UndoRecord | null {
    const rec = this.redoStack.pop();
    if (!rec) return null;
    applyRecord(mask, rec, 'redo');
    this.undoStack.push(rec);
    return rec;
  }

  get canUndo(): boolean {
    return this.undoStack.length > 0;
  }
  get canRedo(): boolean {
    return this.redoStack.length > 0;
  }
  get steps(): number {
    return this.undoStack.length;
  }
  get memoryBytes(): number {
    return this.bytes;
  }
}
