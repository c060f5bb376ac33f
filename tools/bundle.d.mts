// Types of tools/bundle.mjs (a plain Node script, so that it runs without tsx).
export declare const EXTERNAL: string[];
export declare const NODE_ENTRIES: Record<string, string>;
export declare function buildNode(outDir?: string): Promise<unknown>;
/** Bundles electron/main.ts and the two preloads (app window, compute window) into `outDir` (default out/electron). */
export declare function buildElectron(outDir?: string): Promise<{ main: unknown; preload: unknown; computePreload: unknown }>;
export declare function buildBundles(root?: string): Promise<{ ms: number; inputs: number; outDir: string }>;
