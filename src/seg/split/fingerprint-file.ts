// Fingerprint of an image file: decode with the project's reader (sharp), then the pure fingerprint.
import { readImage } from '../image-io.ts';
import { fingerprint } from './fingerprint.ts';
import type { Fingerprint } from './types.ts';

export async function fingerprintFile(file: string, page?: number): Promise<Fingerprint> {
  return fingerprint(await readImage(file, { page }));
}
