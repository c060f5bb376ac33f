// Defaults of tiled prediction, apart from its TensorFlow.js code (tiled.ts), for option parsing.

// 512 rather than 256: a 512 x 512 image is then one tile (1.7x less work than 256-pixel tiles
// overlapping by 64), no common image size costs more than with 256 (tileLayout), and each tile
// sees more context. The largest tensor of the acceptance U-Net at batch 4 is then ~130 MB.
export const DEFAULT_TILE = 512;
export const DEFAULT_BATCH = 4;

/** Subfolder of `seglens predict --out` for the probability maps (`--probs`). */
export const PROBS_FOLDER = 'probs';
