// What values do the masks actually store? For each distinct value: how many pixels, in how many
// images, and how many of its pixels touch a different value (`edgeFraction`): values that exist
// only along the borders between other values are what resizing a mask with interpolation (or JPEG
// compression) leaves behind, while a real class, even a small one, has interior pixels.
import { readRawMask } from '../image-io.ts';
import { problemFromError } from '../image-errors.ts';
import type { Problem } from '../problems.ts';
import type { RawMask } from '../types.ts';

export interface ValueStat {
  /** The stored value: grey level, or 0xRRGGBB for colour masks. */
  value: number;
  /** Colour masks: the value as "#rrggbb". */
  color?: string;
  pixels: number;
  /** pixels / all pixels scanned. */
  fraction: number;
  /** Number of masks in which the value occurs at least once. */
  images: number;
  /** Share of its pixels that have a 4-neighbour of a different value. */
  edgeFraction: number;
  /**
   * Grey masks: share of its pixels on a ramp, i.e. whose left/right or upper/lower neighbours lie
   * one below and one above the value (what interpolating between two labels produces).
   */
  rampShare?: number;
}

export interface ScanResult {
  /** `rgb` when at least one mask has real colours (R, G, B not all equal). */
  kind: 'grey' | 'rgb';
  /** Masks read successfully. */
  files: number;
  totalPixels: number;
  /** Bit depths seen among the masks read. */
  bitDepths: number[];
  /** Masks stored in a lossy format (JPEG), judged from their bytes. */
  lossyFiles: string[];
  /** Every distinct value, ascending. */
  values: ValueStat[];
  /** Masks that could not be read (the scan carries on without them). */
  problems: Problem[];
}

export function hexColor(rgb: number): string {
  return '#' + rgb.toString(16).padStart(6, '0');
}

/** Marks every pixel that has a right or lower neighbour of another value, and that neighbour. */
function edgeFlags(a: ArrayLike<number>, width: number, height: number): Uint8Array {
  const e = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const i = row + x;
      const v = a[i];
      if (x + 1 < width && a[i + 1] !== v) e[i] = e[i + 1] = 1;
      if (y + 1 < height && a[i + width] !== v) e[i] = e[i + width] = 1;
    }
  }
  return e;
}

/** Marks every pixel whose opposite 4-neighbours (left/right or up/down) lie one below and one above it. */
function rampFlags(a: ArrayLike<number>, width: number, height: number): Uint8Array {
  const r = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const i = row + x;
      const v = a[i];
      if (x > 0 && x + 1 < width) {
        const l = a[i - 1];
        const rr = a[i + 1];
        if ((l < v && v < rr) || (l > v && v > rr)) {
          r[i] = 1;
          continue;
        }
      }
      if (y > 0 && y + 1 < height) {
        const u = a[i - width];
        const d = a[i + width];
        if ((u < v && v < d) || (u > v && v > d)) r[i] = 1;
      }
    }
  }
  return r;
}

/** Accumulates value statistics mask by mask; `result()` can be called at any time. */
export class ValueCounter {
  private readonly greyPixels = new Float64Array(65536);
  private readonly greyEdges = new Float64Array(65536);
  private readonly greyRamps = new Float64Array(65536);
  private readonly lossy: string[] = [];
  private readonly greyImages = new Uint32Array(65536);
  private readonly colour = new Map<number, { pixels: number; edges: number; images: number }>();
  private readonly depths = new Set<number>();
  private files = 0;
  private total = 0;

  /** `file` names the mask in `lossyFiles` when it is stored as JPEG. */
  add(mask: RawMask, file = '(mask)'): void {
    const n = mask.width * mask.height;
    if (mask.format === 'jpeg') this.lossy.push(file);
    let data: ArrayLike<number> = mask.data;
    let colour = false;
    if (mask.channels === 3) {
      // A mask saved as RGB whose pixels are all grey (R = G = B) is a grey label image.
      colour = false;
      for (let i = 0; i < n; i++) {
        const v = mask.data[i];
        if (((v >> 16) & 255) !== (v & 255) || ((v >> 8) & 255) !== (v & 255)) {
          colour = true;
          break;
        }
      }
      if (!colour) data = Uint16Array.from(mask.data.subarray(0, n), (v) => v & 255);
    }
    this.files++;
    this.total += n;
    this.depths.add(mask.bitDepth);
    const edges = edgeFlags(data, mask.width, mask.height);
    if (colour) {
      const seen = new Set<number>();
      for (let i = 0; i < n; i++) {
        const v = data[i];
        let s = this.colour.get(v);
        if (!s) this.colour.set(v, (s = { pixels: 0, edges: 0, images: 0 }));
        s.pixels++;
        s.edges += edges[i];
        if (!seen.has(v)) {
          seen.add(v);
          s.images++;
        }
      }
      return;
    }
    const ramps = rampFlags(data, mask.width, mask.height);
    const hist = new Uint32Array(65536);
    const edgeHist = new Uint32Array(65536);
    const rampHist = new Uint32Array(65536);
    for (let i = 0; i < n; i++) {
      hist[data[i]]++;
      edgeHist[data[i]] += edges[i];
      rampHist[data[i]] += ramps[i];
    }
    for (let v = 0; v < 65536; v++) {
      if (hist[v] === 0) continue;
      this.greyPixels[v] += hist[v];
      this.greyEdges[v] += edgeHist[v];
      this.greyRamps[v] += rampHist[v];
      this.greyImages[v]++;
    }
  }

  result(problems: Problem[] = []): ScanResult {
    const kind = this.colour.size > 0 ? 'rgb' : 'grey';
    const stats = new Map(this.colour);
    const grey: { value: number; pixels: number; edges: number; ramps?: number; images: number }[] = [];
    for (let v = 0; v < 65536; v++) {
      if (this.greyPixels[v] > 0) grey.push({ value: v, pixels: this.greyPixels[v], edges: this.greyEdges[v], ramps: this.greyRamps[v], images: this.greyImages[v] });
    }
    if (kind === 'rgb') {
      // Grey masks among colour ones (e.g. an all-black mask saved as grey): grey v is colour #vvvvvv.
      for (const g of grey) {
        const key = Math.min(g.value, 255) * 0x010101;
        const s = stats.get(key) ?? { pixels: 0, edges: 0, images: 0 };
        stats.set(key, { pixels: s.pixels + g.pixels, edges: s.edges + g.edges, images: s.images + g.images });
      }
    }
    const entries = kind === 'rgb' ? [...stats.entries()].sort((a, b) => a[0] - b[0]).map(([value, s]) => ({ value, ...s })) : grey;
    return {
      kind,
      files: this.files,
      totalPixels: this.total,
      bitDepths: [...this.depths].sort((a, b) => a - b),
      lossyFiles: [...this.lossy],
      values: entries.map((e: { value: number; pixels: number; edges: number; ramps?: number; images: number }) => ({
        value: e.value,
        ...(kind === 'rgb' ? { color: hexColor(e.value) } : {}),
        pixels: e.pixels,
        fraction: this.total > 0 ? e.pixels / this.total : 0,
        images: e.images,
        edgeFraction: e.pixels > 0 ? e.edges / e.pixels : 0,
        ...(kind === 'grey' && e.ramps !== undefined ? { rampShare: e.pixels > 0 ? e.ramps / e.pixels : 0 } : {}),
      })),
      problems,
    };
  }
}

export interface ScanOptions {
  page?: number;
  maxPixels?: number;
  /** How a file is named in problems (default: as given). */
  show?: (file: string) => string;
  onProgress?: (done: number, total: number) => void;
}

/** One unreadable mask -> one Problem (the reader's own wording), with what the scan does about it. */
function readProblem(file: string, e: unknown): Problem {
  const p = problemFromError(e, file);
  return { ...p, hint: `${p.hint} The scan continued without it.` };
}

/** Reads every mask (one read ahead of the counting) and counts its values. */
export async function scanMaskValues(maskFiles: string[], opts: ScanOptions = {}): Promise<ScanResult> {
  const counter = new ValueCounter();
  const problems: Problem[] = [];
  const show = opts.show ?? ((f: string) => f);
  const read = (f: string) =>
    readRawMask(f, { page: opts.page, maxPixels: opts.maxPixels }).then(
      (mask) => ({ mask }),
      (error: unknown) => ({ error }),
    );
  let next = maskFiles.length > 0 ? read(maskFiles[0]) : undefined;
  for (let i = 0; i < maskFiles.length; i++) {
    const got = await next!;
    next = i + 1 < maskFiles.length ? read(maskFiles[i + 1]) : undefined;
    if ('mask' in got) counter.add(got.mask, show(maskFiles[i]));
    else problems.push(readProblem(show(maskFiles[i]), got.error));
    opts.onProgress?.(i + 1, maskFiles.length);
  }
  return counter.result(problems);
}
