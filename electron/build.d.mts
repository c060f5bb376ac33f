// Types of electron/build.mjs (a plain Node script, so that it runs without tsx).
/** Bundles electron/main.ts and the two preloads (app window, compute window) into `outDir` (default out/electron). */
export declare function buildElectron(outDir?: string): Promise<{ main: unknown; preload: unknown; computePreload: unknown }>;
