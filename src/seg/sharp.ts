// The one place sharp (libvips) is loaded, for the image IO modules beside it (image-io.ts reads,
// image-encode.ts writes); a lint rule keeps `sharp` out of every other file. Loaded on first use,
// not at import: libvips takes a few hundred milliseconds to load, which `seglens --help` and the
// commands that read no image should not pay.
import type { default as Sharp } from 'sharp';

let loading: Promise<typeof Sharp> | null = null;

/** sharp's constructor, loading the library the first time. */
export function sharpLib(): Promise<typeof Sharp> {
  loading ??= import('sharp').then((m) => m.default);
  return loading;
}
