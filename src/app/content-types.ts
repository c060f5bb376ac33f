// Content types of the files the app serves (the built renderer, report files, project images),
// shared by browser mode (src/web) and the Electron protocol (electron/).
import { extname } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.csv': 'text/csv; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.pdf': 'application/pdf',
};

export const HTML_TYPE = TYPES['.html'];

/**
 * Whether a file of the built renderer may be served at all. Source maps are not: they would hand
 * any page the app's sources with the build machine's paths, and the app needs none to run.
 */
export function isServedAsset(file: string): boolean {
  return extname(file).toLowerCase() !== '.map';
}

/** The Content-Type for a file name; unknown endings are served as opaque bytes. */
export function contentType(file: string): string {
  return TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}
