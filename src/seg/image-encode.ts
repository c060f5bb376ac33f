// Encoding pixels as files (PNG, TIFF) with sharp: masks, probability maps, demo images, report
// thumbnails, exported samples and covers. With image-io.ts (reading), the only users of sharp.
import type { PngOptions } from 'sharp';
import { sharpLib } from './sharp.ts';

/** Interleaved samples, 8-bit (Uint8Array) or 16-bit (Uint16Array), `channels` per pixel. */
export interface PixelsToEncode {
  data: Uint8Array | Uint16Array;
  width: number;
  height: number;
  channels: number;
}

export interface EncodeOptions {
  /** zlib level of a PNG, 0-9 (sharp's default 6). */
  compressionLevel?: PngOptions['compressionLevel'];
  /** Scaled to this size first, nearest neighbour (label colours stay exact). */
  resize?: { width: number; height: number };
}

/** Grey when one channel, RGB otherwise; 16-bit when the samples are. */
function colourspace(p: PixelsToEncode): 'b-w' | 'grey16' | 'srgb' | 'rgb16' {
  const is16 = p.data instanceof Uint16Array;
  return p.channels === 1 ? (is16 ? 'grey16' : 'b-w') : is16 ? 'rgb16' : 'srgb';
}

async function pipeline(p: PixelsToEncode, o: EncodeOptions) {
  const sharp = await sharpLib();
  let img = sharp(p.data, { raw: { width: p.width, height: p.height, channels: p.channels as 1 | 2 | 3 | 4 } });
  if (o.resize) img = img.resize({ ...o.resize, kernel: 'nearest' });
  return img.toColourspace(colourspace(p));
}

/** A PNG of the pixels at their depth (8 or 16 bits), grey or RGB. */
export async function encodePng(p: PixelsToEncode, o: EncodeOptions = {}): Promise<Buffer> {
  return (await pipeline(p, o)).png(o.compressionLevel === undefined ? {} : { compressionLevel: o.compressionLevel }).toBuffer();
}

/** A TIFF of the pixels at their depth, deflate-compressed with horizontal prediction (small and lossless). */
export async function encodeTiff(p: PixelsToEncode): Promise<Buffer> {
  return (await pipeline(p, {})).tiff({ compression: 'deflate', predictor: 'horizontal' }).toBuffer();
}
