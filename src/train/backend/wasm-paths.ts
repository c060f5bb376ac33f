// Where the wasm binaries are, independent of the working directory: resolved from this module
// through Node's resolver, the same way the import of @tensorflow/tfjs-backend-wasm is resolved.
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';

/** Directory of the tfjs-backend-wasm .wasm files, with a trailing separator (setWasmPaths prefix). */
export function wasmBinaryDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + sep;
}
