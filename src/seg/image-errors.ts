// The errors a reader raises for a file that cannot be used, one per way it can be wrong. Each is
// a FileError whose details carry the Problem code, the sentence saying what is wrong and the hint
// saying what to do, so a caller that collects problems (inspect) turns it into a Problem without
// parsing text. sharp's own messages ("Input file contains unsupported image format", "vipspng:
// libpng read error") are translated here and kept only as `details.decoder`.
import { FileError, SeglensError } from './errors.ts';
import { formatLabel, SUPPORTED_FORMATS_TEXT, type ImageFormat } from './image-format.ts';
import type { Problem, ProblemCode } from './problems.ts';

/**
 * Why a file could not be read. Beyond the Problem codes: a file that is missing, a folder or not
 * permitted, and a page number past the last page (both become 'corrupt-file' Problems).
 */
export type ReadFailure = ProblemCode | 'unreadable-file' | 'page-out-of-range';

export function fileError(file: string, code: ReadFailure, what: string, hint: string, extra: Record<string, unknown> = {}): FileError {
  return new FileError(file, `${what} ${hint}`, { code, what, hint, ...extra });
}

export function emptyFileError(file: string): FileError {
  return fileError(file, 'empty-file', `${file} is empty (0 bytes).`, 'The copy or export was probably interrupted: copy or export it again.');
}

export function unreadableError(file: string, cause: NodeJS.ErrnoException): FileError {
  const what =
    cause.code === 'ENOENT'
      ? `${file} does not exist.`
      : cause.code === 'EISDIR'
        ? `${file} is a folder, not an image file.`
        : cause.code === 'EACCES' || cause.code === 'EPERM'
          ? `${file} cannot be opened: permission denied.`
          : `${file} cannot be read (${cause.message}).`;
  return fileError(file, 'unreadable-file', what, 'Check the path and that the file is readable.', { errno: cause.code });
}

/** The content is a format we do not read (BMP, GIF, text...), whatever the name says. */
export function unsupportedError(file: string, contentName: string | undefined, detail?: string): FileError {
  const is = contentName ? ` is ${contentName}` : ' is not in a format seglens reads';
  return fileError(
    file,
    'unsupported-format',
    `${file}${is}${detail ? ` (${detail})` : ''}.`,
    `seglens reads ${SUPPORTED_FORMATS_TEXT}: convert it (e.g. in Fiji: File > Save As > Tiff, or PNG).`,
  );
}

/** The file starts like (or is named like) a supported format but cannot be decoded. */
export function corruptError(file: string, format: ImageFormat | undefined, decoder?: string): FileError {
  const kind = format ? `${formatLabel(format)} file` : 'image';
  const said = decoder ? ` (decoder: ${shortDecoderMessage(decoder)})` : '';
  return fileError(
    file,
    'corrupt-file',
    `${file} is a damaged or truncated ${kind}${said}.`,
    'Copy or export the file again from the original; if it opens elsewhere, re-save it as PNG or TIFF.',
    decoder ? { decoder } : {},
  );
}

/** Rough memory of training or predicting one image, per pixel (float input, probabilities, labels, tiles). */
export const BYTES_PER_PIXEL = 40;

export function tooLargeError(file: string, width: number, height: number, maxPixels: number): FileError {
  const px = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)} megapixels` : `${n} pixels`);
  const n = width * height;
  const gb = (n * BYTES_PER_PIXEL) / 2 ** 30;
  return fileError(
    file,
    'image-too-large',
    `${file} is ${width} x ${height} = ${px(n)} when decoded, over the limit of ${px(maxPixels)}.`,
    `Crop or tile it into smaller images, or raise the limit if this machine has the memory (training or predicting it needs about ${gb < 1 ? gb.toFixed(2) : gb.toFixed(0)} GB): ` +
      `--max-pixels ${n} on the command line, or "maxPixels": ${n} in seglens.json.`,
    { width, height, maxPixels },
  );
}

export function pageError(file: string, page: number, pages: number): FileError {
  return fileError(
    file,
    'page-out-of-range',
    `${file} has ${pages} page${pages === 1 ? '' : 's'}; page ${page} was asked for (pages are numbered from 0).`,
    `Choose a page from 0 to ${pages - 1}.`,
    { page, pages },
  );
}

export function depthError(file: string, depth: string): FileError {
  const names: Record<string, string> = {
    char: 'signed 8-bit',
    short: 'signed 16-bit',
    uint: '32-bit integer',
    int: 'signed 32-bit',
    float: '32-bit float',
    double: '64-bit float',
    complex: 'complex',
    dpcomplex: 'complex',
  };
  return fileError(
    file,
    'unsupported-format',
    `${file} has ${names[depth] ?? depth} pixels; seglens reads 8- and 16-bit unsigned images.`,
    'Convert it to 16-bit (e.g. in Fiji: Image > Type > 16-bit) and save it again.',
    { depth },
  );
}

/** The first line of a libvips message, without the repeated "tiff2vips:" noise and paths. */
function shortDecoderMessage(msg: string): string {
  if (/unsupported image format/i.test(msg)) return 'its header cannot be read';
  const line = msg.split('\n').find((l) => l.trim() && !/treated as error/i.test(l)) ?? msg;
  return line.replace(/^[^:]*\.(tiff?|png|jpe?g):\s*/i, '').trim().slice(0, 160);
}

/** Turn an error thrown by sharp while decoding a file whose first bytes looked right. */
export function translateSharpError(file: string, format: ImageFormat, err: unknown): FileError {
  if (err instanceof FileError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  return corruptError(file, format, msg);
}

/**
 * The Problem a reader error stands for, so one bad file is reported and the next one read. Errors
 * that are not about a file (programming errors) are rethrown.
 */
export function problemFromError(err: unknown, file?: string): Problem {
  if (!(err instanceof SeglensError)) throw err;
  const d = err.details;
  const nonProblem = new Set(['unreadable-file', 'page-out-of-range']);
  const code = typeof d.code === 'string' && !nonProblem.has(d.code) ? (d.code as ProblemCode) : 'corrupt-file';
  return {
    code,
    severity: 'error',
    file: file ?? (typeof d.file === 'string' ? d.file : ''),
    message: typeof d.what === 'string' ? d.what : err.message,
    hint: typeof d.hint === 'string' ? d.hint : 'Fix or remove this file.',
    details: d,
  };
}
