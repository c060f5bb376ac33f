/** The compute worker bundle's path (dist/compute/worker.js). */
export const WORKER_BUNDLE: string;
/** Builds the compute worker for browsers; resolves with esbuild's metafile. */
export function buildComputeWorker(outfile?: string, minify?: boolean): Promise<{ inputs: Record<string, unknown> }>;
