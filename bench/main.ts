// `npm run bench [-- NAME...]`: runs the named benchmarks (all by default) and prints one JSON
// document on stdout (progress goes to stderr), also saved under bench-output/.
// Timings live here, never in tests.
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';

export interface Benchmark {
  name: string;
  description: string;
  run(): Promise<unknown>;
}

const BENCHMARKS: Record<string, () => Promise<Benchmark>> = {
  'seg-io-metrics': async () => (await import('./seg.ts')).segBenchmark,
  train: async () => ({ name: 'train', description: 'U-Net training images/s at patch 128 and 256, one thread and all cores, beside PyTorch run now', run: (await import('./train.ts')).benchTrain }),
  predict: async () => ({ name: 'predict', description: 'prediction of 512x512 and 2048x2048 images, one thread and all cores, beside PyTorch run now', run: (await import('./predict.ts')).benchPredict }),
  ui: async () => (await import('./ui.ts')).uiBenchmark,
  startup: async () => (await import('./startup.ts')).startupBenchmark,
  editor: async () => (await import('./editor.ts')).editorBenchmark,
  kernels: async () => {
    const m = await import('./kernels.ts');
    return { name: 'kernels', description: 'wasm convolution kernels vs the stock ones', run: m.benchKernels };
  },
};

export async function main(args: string[]): Promise<number> {
  const names = args.length ? args : Object.keys(BENCHMARKS);
  const unknown = names.filter((n) => !(n in BENCHMARKS));
  if (unknown.length) {
    console.error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(BENCHMARKS).join(', ')}`);
    return 2;
  }
  const results: Record<string, unknown> = {};
  for (const name of names) {
    const b = await BENCHMARKS[name]();
    console.error(`bench ${name}: ${b.description} ...`);
    try {
      results[name] = await b.run();
    } catch (e) {
      results[name] = { error: (e as Error).message };
      console.error(`bench ${name} failed: ${(e as Error).stack}`);
    }
  }
  const doc = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version, platform: process.platform },
    results,
  };
  const text = JSON.stringify(doc, null, 2);
  console.log(text);
  await mkdir('bench-output', { recursive: true });
  await writeFile(join('bench-output', `bench-${doc.date.replace(/[:.]/g, '-')}.json`), text + '\n');
  return 0;
}
