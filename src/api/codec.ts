// Pixel results and mask uploads <-> binary frames, with the header validated against the
// method's schema and the data length checked against width x height x channels.
import type { DownloadMethod } from './contract.ts';
import { ContractError, ERROR_NAMES } from './errors.ts';
import { decodeFrame, encodeFrame, typedBody } from './frame.ts';
import type { ClassPredictionPixels, ImageOverview, ImagePixels, MaskOverview, MaskPixels, PredictionPixels, SaveMaskParams } from './payloads/pixels.ts';
import { parseParams, parseResult } from './wire.ts';

export type DownloadResult = ImagePixels | MaskPixels | PredictionPixels | ImageOverview | MaskOverview | ClassPredictionPixels;

/** Values in the data: interleaved `channels`, or `planes` one after another (class predictions). */
function elements(h: { width: number; height: number; channels?: number; planes?: number }): number {
  return h.width * h.height * (h.planes ?? h.channels ?? 1);
}

function withoutData<T extends { data: unknown }>(v: T): Omit<T, 'data'> {
  const { data: _data, ...rest } = v;
  return rest;
}

/** Engine side: a pixel result as a frame. Throws a ValidationError if header and data disagree. */
export function encodeDownload(method: DownloadMethod, value: DownloadResult): Uint8Array {
  const header = parseResult(method, withoutData(value));
  const n = elements(header);
  if (value.data.length !== n) {
    throw new ContractError(ERROR_NAMES.validation, `The result of ${method} holds ${value.data.length} values for ${n} pixels x channels.`, {
      where: `result of ${method}`,
      issues: [{ path: 'data', message: `length ${value.data.length}, expected ${n}` }],
    });
  }
  return encodeFrame(header, value.data);
}

/** UI side: a frame received for a download method as its typed result. */
export function decodeDownload<K extends DownloadMethod>(method: K, frame: ArrayBuffer | Uint8Array): DownloadResult {
  const { header, body } = decodeFrame(frame);
  const h = parseResult(method, header);
  const data = typedBody(body, h.dtype, elements(h));
  return { ...h, data } as DownloadResult;
}

/** UI side: a mask save as the frame to upload (validated before it leaves). */
export function encodeSaveMask(p: SaveMaskParams): Uint8Array {
  const meta = parseParams('saveMask', withoutData(p));
  if (!(p.data instanceof Uint8Array)) {
    throw new ContractError(ERROR_NAMES.validation, 'Invalid params of saveMask: data: expected a Uint8Array of class ids.', {
      where: 'params of saveMask',
      issues: [{ path: 'data', message: 'expected a Uint8Array of class ids' }],
    });
  }
  if (p.data.length !== meta.width * meta.height) {
    throw new ContractError(ERROR_NAMES.validation, `Invalid params of saveMask: data: length ${p.data.length}, expected ${meta.width} x ${meta.height}.`, {
      where: 'params of saveMask',
      issues: [{ path: 'data', message: `length ${p.data.length}, expected ${meta.width * meta.height}` }],
    });
  }
  return encodeFrame(meta, p.data);
}

/** Engine side: an uploaded frame as saveMask params, validated. */
export function decodeSaveMask(frame: ArrayBuffer | Uint8Array): SaveMaskParams {
  const { header, body } = decodeFrame(frame);
  const meta = parseParams('saveMask', header);
  const data = typedBody(body, 'uint8', meta.width * meta.height) as Uint8Array;
  return { ...meta, data };
}
