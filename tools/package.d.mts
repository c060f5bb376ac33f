// Types of tools/package.mjs.
export declare const GPU_EXCLUSION: string;
export declare function buildForPackage(opts?: { renderer?: boolean }): Promise<void>;
export declare function packageApp(opts?: { targets?: string[]; electronDist?: string; output?: string; gpu?: boolean; quiet?: boolean; config?: Record<string, string> }): Promise<string>;
export declare function electronBuilderInstalled(): boolean;
