// Failures planted the way users make them, on copies of real data: masks resized with bilinear
// interpolation, masks saved as JPEG. Pure pixel work plus sharp for the files.
import sharp from 'sharp';
import { readImage, readRawMask } from '../../src/seg/image-io.ts';

/** Bilinear resampling of one channel (pixel centres aligned, as Fiji, PIL and sharp do it). */
export function bilinear(src: ArrayLike<number>, w: number, h: number, W: number, H: number): Float64Array {
  const out = new Float64Array(W * H);
  for (let y = 0; y < H; y++) {
    const sy = Math.min(h - 1, Math.max(0, ((y + 0.5) * h) / H - 0.5));
    const y0 = Math.floor(sy);
    const y1 = Math.min(h - 1, y0 + 1);
    const fy = sy - y0;
    for (let x = 0; x < W; x++) {
      const sx = Math.min(w - 1, Math.max(0, ((x + 0.5) * w) / W - 0.5));
      const x0 = Math.floor(sx);
      const x1 = Math.min(w - 1, x0 + 1);
      const fx = sx - x0;
      out[y * W + x] = (1 - fy) * ((1 - fx) * src[y0 * w + x0] + fx * src[y0 * w + x1]) + fy * ((1 - fx) * src[y1 * w + x0] + fx * src[y1 * w + x1]);
    }
  }
  return out;
}

/** A grey file (8- or 16-bit, PNG or TIFF by the name) resized bilinearly by `scale` into `out`, at its own bit depth. */
export async function resizeGreyFile(file: string, out: string, scale: number, kind: 'image' | 'mask'): Promise<void> {
  const r = kind === 'image' ? await readImage(file) : await readRawMask(file);
  if (r.channels !== 1) throw new Error(`${file}: grey files only`);
  const W = Math.round(r.width * scale);
  const H = Math.round(r.height * scale);
  const v = bilinear(r.data, r.width, r.height, W, H);
  const samples = r.bitDepth === 16 ? Uint16Array.from(v, Math.round) : Uint8Array.from(v, Math.round);
  const grey = sharp(samples, { raw: { width: W, height: H, channels: 1 } }).toColourspace(r.bitDepth === 16 ? 'grey16' : 'b-w');
  await (out.toLowerCase().endsWith('.tif') ? grey.tiff({ compression: 'lzw' }) : grey.png()).toFile(out);
}

/** An 8-bit grey mask saved as JPEG (quality 90, what "Save As JPEG" gives); values above 255 are clipped. */
export async function saveAsJpeg(file: string, out: string): Promise<void> {
  const r = await readRawMask(file);
  const b = Uint8Array.from(r.data, (x) => Math.min(255, x));
  await sharp(b, { raw: { width: r.width, height: r.height, channels: 1 } }).jpeg({ quality: 90 }).toFile(out);
}
