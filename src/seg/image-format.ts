// Which file formats seglens reads, recognised by their first bytes rather than by the name: a
// renamed or damaged file then gets a message about what it really is.

export type ImageFormat = 'png' | 'jpeg' | 'tiff';

/** Said in every "unsupported format" message. */
export const SUPPORTED_FORMATS_TEXT = 'PNG, JPEG and TIFF (8- or 16-bit, grey or RGB)';

/** File name endings that promise one of the supported formats. */
const EXTENSIONS: Record<string, ImageFormat> = {
  '.png': 'png',
  '.jpg': 'jpeg',
  '.jpeg': 'jpeg',
  '.tif': 'tiff',
  '.tiff': 'tiff',
};

/** How many leading bytes `sniffFormat` needs. */
export const SNIFF_BYTES = 32;

export type Sniffed =
  | { kind: 'supported'; format: ImageFormat }
  /** A format we recognise but do not read; `name` is what to call it in a message. */
  | { kind: 'other'; name: string }
  | { kind: 'unknown' };

const startsWith = (b: Uint8Array, sig: number[], at = 0) => sig.every((v, i) => b[at + i] === v);
const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));

export function sniffFormat(head: Uint8Array): Sniffed {
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { kind: 'supported', format: 'png' };
  if (startsWith(head, [0xff, 0xd8, 0xff])) return { kind: 'supported', format: 'jpeg' };
  // Classic TIFF (42) and BigTIFF (43), little- and big-endian.
  if (startsWith(head, [0x49, 0x49, 0x2a, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2a])) return { kind: 'supported', format: 'tiff' };
  if (startsWith(head, [0x49, 0x49, 0x2b, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2b])) return { kind: 'supported', format: 'tiff' };
  if (startsWith(head, ascii('BM'))) return { kind: 'other', name: 'a BMP image' };
  if (startsWith(head, ascii('GIF8'))) return { kind: 'other', name: 'a GIF image' };
  if (startsWith(head, ascii('RIFF')) && startsWith(head, ascii('WEBP'), 8)) return { kind: 'other', name: 'a WebP image' };
  if (startsWith(head, ascii('ftyp'), 4)) return { kind: 'other', name: 'a HEIF/AVIF image or a video' };
  if (startsWith(head, [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50])) return { kind: 'other', name: 'a JPEG 2000 image' };
  if (startsWith(head, ascii('%PDF'))) return { kind: 'other', name: 'a PDF document' };
  if (startsWith(head, ascii('PK'))) return { kind: 'other', name: 'a ZIP archive' };
  if (startsWith(head, ascii('ZISRAWFILE'))) return { kind: 'other', name: 'a Zeiss CZI file' };
  if (startsWith(head, [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59])) return { kind: 'other', name: 'a NumPy .npy array' };
  if (startsWith(head, [0x89, 0x48, 0x44, 0x46])) return { kind: 'other', name: 'an HDF5 file' };
  if (looksLikeText(head)) return { kind: 'other', name: 'a text file' };
  return { kind: 'unknown' };
}

function looksLikeText(head: Uint8Array): boolean {
  if (head.length === 0) return false;
  for (const b of head) if (b < 0x09 || (b > 0x0d && b < 0x20 && b !== 0x1b)) return false;
  return true;
}

/** The format a file name promises, if it is one we read. */
export function formatFromName(file: string): ImageFormat | undefined {
  const dot = file.lastIndexOf('.');
  return dot < 0 ? undefined : EXTENSIONS[file.slice(dot).toLowerCase()];
}

export function formatLabel(f: ImageFormat): string {
  return f === 'png' ? 'PNG' : f === 'jpeg' ? 'JPEG' : 'TIFF';
}
