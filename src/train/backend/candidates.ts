// The backends `--backend` may name, apart from the code that starts them (select.ts), so that
// option parsing does not load TensorFlow.js.

export type BackendName = 'tensorflow' | 'webgpu' | 'native' | 'wasm' | 'cpu';
/** What --backend may ask for first, in the default order. */
export const BACKEND_CANDIDATES = ['tensorflow-gpu', 'webgpu', 'native', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendCandidate = (typeof BACKEND_CANDIDATES)[number];
