// Reading images and masks with sharp: PNG, JPEG, TIFF (8/16-bit, multi-page), grey or RGB.
// Pixel values are returned exactly as stored: no colour management (ignoreIcc), no 16 -> 8-bit
// reduction, alpha dropped. Every way a file can be unusable becomes one FileError naming the file
// and what to do (see image-errors.ts); nothing of sharp's wording reaches the user unexplained.
import { open, readFile } from 'node:fs/promises';
import type { Metadata, OutputInfo, SharpOptions } from 'sharp';
import { sharpLib } from './sharp.ts';
import {
  corruptError,
  depthError,
  emptyFileError,
  pageError,
  tooLargeError,
  translateSharpError,
  unreadableError,
  unsupportedError,
} from './image-errors.ts';
import { formatFromName, formatLabel, sniffFormat, SNIFF_BYTES, type ImageFormat } from './image-format.ts';
import type { RawImage, RawMask } from './types.ts';

export interface ReadOptions {
  /** Page of a multi-page TIFF (0-based). Default 0. */
  page?: number;
  /** Largest accepted width x height; larger files are refused with a clear error. */
  maxPixels?: number;
}

/**
 * Largest width x height read unless the user raises it (--max-pixels, "maxPixels" in seglens.json):
 * 8192 x 8192. Checked from the header, before decoding, so a small file that decodes to a huge
 * image (a PNG of 16000 x 16000 zeros is a few hundred kB) is refused at once instead of filling
 * the memory: training keeps each image as 32-bit floats and prediction holds a 32-bit probability
 * per class and pixel, about BYTES_PER_PIXEL (image-errors.ts) in all.
 */
export const DEFAULT_MAX_PIXELS = 8192 * 8192;

/** What `inspect` shows about a file, from its header only (no pixel decoding). */
export interface ImageInfo {
  file: string;
  format: ImageFormat;
  width: number;
  height: number;
  /** Channels as read: 1 grey, 3 RGB (alpha dropped, reported in `hasAlpha`). */
  channels: 1 | 3;
  hasAlpha: boolean;
  bitDepth: 8 | 16;
  /** Pages (TIFF directories); 1 for PNG and JPEG. */
  pages: number;
  /** File size in bytes. */
  bytes: number;
}

/**
 * How sharp is asked to read: `failOn: 'error'` because 'truncated' lets a TIFF cut in the middle
 * of its strips decode silently (rows of zeros), while the default 'warning' refuses valid files
 * that merely carry tags libtiff does not know (ImageJ and microscope vendors write such tags).
 * The pixel limit is checked by us first, with a better message; sharp's own limit stays as a
 * backstop at the same value.
 */
function sharpOptions(maxPixels: number, page: number): SharpOptions {
  return { failOn: 'error', limitInputPixels: maxPixels, page, ignoreIcc: true };
}

/** Empty, not an image, or not one we read: decided from the size and the first bytes. */
function checkHead(file: string, head: Uint8Array, size: number): ImageFormat {
  if (size === 0) throw emptyFileError(file);
  const sniffed = sniffFormat(head);
  const promised = formatFromName(file);
  if (sniffed.kind === 'supported') return sniffed.format;
  if (sniffed.kind === 'other') {
    const despite = promised ? `despite its ${formatLabel(promised)} file name` : undefined;
    throw unsupportedError(file, sniffed.name, despite);
  }
  // Unrecognised bytes under a PNG/JPEG/TIFF name: a damaged file (or random data) rather than a
  // deliberate other format.
  if (promised) throw corruptError(file, promised, `the file does not start like a ${formatLabel(promised)} file`);
  throw unsupportedError(file, undefined);
}

async function readHead(file: string): Promise<{ head: Uint8Array; size: number }> {
  let fh;
  try {
    fh = await open(file, 'r');
    const st = await fh.stat();
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    const head = new Uint8Array(SNIFF_BYTES);
    const { bytesRead } = await fh.read(head, 0, SNIFF_BYTES, 0);
    return { head: head.subarray(0, bytesRead), size: st.size };
  } catch (e) {
    throw unreadableError(file, e as NodeJS.ErrnoException);
  } finally {
    await fh?.close();
  }
}

async function readWhole(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (e) {
    throw unreadableError(file, e as NodeJS.ErrnoException);
  }
}

interface Checked {
  format: ImageFormat;
  meta: Metadata;
  pages: number;
  grey: boolean;
  bitDepth: 8 | 16;
}

/** Header checks shared by imageInfo and the readers: depth, size limit, page range. */
async function checkMetadata(file: string, input: string | Buffer, format: ImageFormat, opts: ReadOptions): Promise<Checked> {
  const maxPixels = opts.maxPixels ?? DEFAULT_MAX_PIXELS;
  const page = opts.page ?? 0;
  const sharp = await sharpLib();
  let meta: Metadata;
  try {
    // Without `page` first: asking for a page that does not exist fails before we learn the count.
    meta = await sharp(input, { ...sharpOptions(0, 0), limitInputPixels: false }).metadata();
  } catch (e) {
    throw translateSharpError(file, format, e);
  }
  const pages = meta.pages ?? 1;
  if (!Number.isInteger(page) || page < 0 || page >= pages) throw pageError(file, page, pages);
  if (page > 0) {
    try {
      meta = await sharp(input, { ...sharpOptions(0, page), limitInputPixels: false }).metadata();
    } catch (e) {
      throw translateSharpError(file, format, e);
    }
  }
  if (meta.depth !== 'uchar' && meta.depth !== 'ushort') throw depthError(file, meta.depth);
  if (meta.width * meta.height > maxPixels) throw tooLargeError(file, meta.width, meta.height, maxPixels);
  // 1 or 2 bands (grey, grey + alpha) are grey; 3 or 4 are RGB(A) or CMYK, read as RGB.
  const grey = meta.channels <= 2;
  return { format, meta, pages, grey, bitDepth: meta.depth === 'ushort' ? 16 : 8 };
}

export async function imageInfo(file: string, opts: ReadOptions = {}): Promise<ImageInfo> {
  const { head, size } = await readHead(file);
  const format = checkHead(file, head, size);
  const c = await checkMetadata(file, file, format, opts);
  return {
    file,
    format,
    width: c.meta.width,
    height: c.meta.height,
    channels: c.grey ? 1 : 3,
    hasAlpha: c.meta.hasAlpha,
    bitDepth: c.bitDepth,
    pages: c.pages,
    bytes: size,
  };
}

interface Decoded {
  format: ImageFormat;
  width: number;
  height: number;
  channels: 1 | 3;
  bitDepth: 8 | 16;
  data: Uint8Array | Uint16Array;
}

/** Read, check and decode one page to interleaved 1- or 3-channel samples at the stored depth. */
async function decode(file: string, opts: ReadOptions): Promise<Decoded> {
  const buf = await readWhole(file);
  const format = checkHead(file, buf.subarray(0, SNIFF_BYTES), buf.length);
  const c = await checkMetadata(file, buf, format, opts);
  const is16 = c.bitDepth === 16;
  const space = c.grey ? (is16 ? 'grey16' : 'b-w') : is16 ? 'rgb16' : 'srgb';
  const sharp = await sharpLib();
  let out: { data: Buffer; info: OutputInfo };
  try {
    out = await sharp(buf, sharpOptions(opts.maxPixels ?? DEFAULT_MAX_PIXELS, opts.page ?? 0))
      .removeAlpha()
      .toColourspace(space)
      .raw({ depth: is16 ? 'ushort' : 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (e) {
    throw translateSharpError(file, format, e);
  }
  const { data, info } = out;
  const channels = c.grey ? 1 : 3;
  if (info.channels !== channels) throw corruptError(file, format, `decoded ${info.channels} channels, expected ${channels}`);
  return { format, width: info.width, height: info.height, channels, bitDepth: c.bitDepth, data: is16 ? asUint16(data) : asUint8(data) };
}

function asUint8(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** sharp returns native-endian samples; a view when aligned, else one copy. */
function asUint16(b: Buffer): Uint16Array {
  if (b.byteOffset % 2 === 0) return new Uint16Array(b.buffer, b.byteOffset, b.byteLength >> 1);
  return new Uint16Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/**
 * Loads the decoder now, in the background: a server that will be asked for an image soon (browser
 * mode, issue 14) spares that first request the library's load.
 */
export function preloadDecoder(): void {
  sharpLib().catch(() => {}); // a load failure is reported by the first read, with its file
}

export async function readImage(file: string, opts: ReadOptions = {}): Promise<RawImage> {
  const { format: _format, ...image } = await decode(file, opts);
  return image;
}

/**
 * A mask's stored values. Grey files give one value per pixel. RGB files whose pixels are all grey
 * (R = G = B, as many tools save grey masks) are read as grey; truly coloured masks give 0xRRGGBB
 * per pixel (channels 3), to be mapped through a colour table.
 */
export async function readRawMask(file: string, opts: ReadOptions = {}): Promise<RawMask> {
  const d = await decode(file, opts);
  const { width, height, format } = d;
  const n = width * height;
  if (d.channels === 1) return { width, height, channels: 1, bitDepth: d.bitDepth, data: d.data, format };
  const s = d.data;
  let grey = true;
  for (let i = 0, j = 0; i < n; i++, j += 3) {
    if (s[j] !== s[j + 1] || s[j] !== s[j + 2]) {
      grey = false;
      break;
    }
  }
  if (grey) {
    // Same sample type as a grey file of that depth: consumers size frames by bitDepth.
    const g = d.bitDepth === 16 ? new Uint16Array(n) : new Uint8Array(n);
    for (let i = 0, j = 0; i < n; i++, j += 3) g[i] = s[j];
    return { width, height, channels: 1, bitDepth: d.bitDepth, data: g, format };
  }
  // A 16-bit colour mask can only be a palette if it is an 8-bit one scaled by 257.
  const scale = d.bitDepth === 16 ? 257 : 1;
  const rgb = new Uint32Array(n);
  for (let i = 0, j = 0; i < n; i++, j += 3) {
    const r = s[j], g = s[j + 1], b = s[j + 2];
    if (scale !== 1 && (r % scale || g % scale || b % scale)) {
      throw unsupportedError(file, 'a 16-bit colour image', 'colour masks must be 8-bit palette colours');
    }
    rgb[i] = ((r / scale) << 16) | ((g / scale) << 8) | (b / scale);
  }
  return { width, height, channels: 3, bitDepth: 8, data: rgb, format };
}
