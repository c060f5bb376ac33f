// Types of electron/build.mjs (a plain Node script, so that it runs without tsx).
/** Bundles electron/main.ts and electron/preload.ts into `outDir` (default out/electron). */
export declare function buildElectron(outDir?: string): Promise<{ main: unknown; preload: unknown }>;
