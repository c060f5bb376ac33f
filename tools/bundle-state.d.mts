// Types of tools/bundle-state.mjs.
export declare const STATE_FILE: string;
export declare const BUNDLE_FILES: string[];
/** null when the bundles are up to date, else why they are not. */
export declare function bundlesStale(root: string): string | null;
