// Reading images and masks with sharp. (Minimal first version: the seg-io work replaces the body
// of these functions but keeps their signatures.)
import sharp from 'sharp';
import type { RawImage, RawMask } from './types.ts';

export interface ReadOptions {
  /** Page of a multi-page TIFF (0-based). Default 0. */
  page?: number;
  /** Largest accepted width x height; larger files are refused with a clear error. */
  maxPixels?: number;
}

export const DEFAULT_MAX_PIXELS = 16384 * 16384;

export async function readRawMask(file: string, opts: ReadOptions = {}): Promise<RawMask> {
  const img = sharp(file, { page: opts.page ?? 0, limitInputPixels: opts.maxPixels ?? DEFAULT_MAX_PIXELS });
  const meta = await img.metadata();
  const is16 = meta.depth === 'ushort';
  const { data, info } = await img.extractChannel(0).raw({ depth: is16 ? 'ushort' : 'uchar' }).toBuffer({ resolveWithObject: true });
  const src = is16 ? new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2) : data;
  return { width: info.width, height: info.height, channels: 1, bitDepth: is16 ? 16 : 8, data: Uint16Array.from(src) };
}

export async function readImage(file: string, opts: ReadOptions = {}): Promise<RawImage> {
  const img = sharp(file, { page: opts.page ?? 0, limitInputPixels: opts.maxPixels ?? DEFAULT_MAX_PIXELS });
  const meta = await img.metadata();
  const is16 = meta.depth === 'ushort';
  const { data, info } = await img.extractChannel(0).raw({ depth: is16 ? 'ushort' : 'uchar' }).toBuffer({ resolveWithObject: true });
  const src = is16 ? new Uint16Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)) : new Uint8Array(data);
  return { width: info.width, height: info.height, channels: 1, bitDepth: is16 ? 16 : 8, data: src };
}
