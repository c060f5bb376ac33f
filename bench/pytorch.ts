// The PyTorch reference (../shared/bench/torch_unet.py: the same U-Net, Debian's python3-torch,
// convolutions through oneDNN), run in the same benchmark run, on the same machine, at the same
// thread count as seglens. No reference figure is ever written down in this repository: a ratio
// means something only when both sides were measured in one run (the machines change processor
// from one day to the next).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = resolve(fileURLToPath(new URL('../..', import.meta.url)), 'shared', 'bench', 'torch_unet.py');
const PYTHON = '/usr/bin/python3';

export interface TorchTrain {
  kind: 'train';
  patch: number;
  batch: number;
  imagesPerSecond: number;
  medianStepSeconds: number;
}

export interface TorchInfer {
  kind: 'infer';
  size: number;
  imagesPerSecond: number;
  medianSeconds: number;
}

export type TorchRun =
  | { available: true; torch: string; threads: number; machine: string; train: TorchTrain[]; infer: TorchInfer[]; seconds: number }
  | { available: false; reason: string };

const cache = new Map<string, TorchRun>();

/** What the reference needs, or why it cannot run here. */
function unavailable(): string | null {
  if (!existsSync(SCRIPT)) return `the PyTorch reference ${SCRIPT} is absent (it lives in ../shared/bench beside the checkout)`;
  if (!existsSync(PYTHON)) return `${PYTHON} is absent`;
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) return 'python3-torch is not installed (Debian: apt-get install python3-torch); seglens figures are given alone';
  return null;
}

/**
 * Runs torch_unet.py at `threads` threads for the given training (PATCHxBATCH) and inference
 * (image sides) cases; results are cached per arguments for the rest of this process, so the
 * train and predict benchmarks of one `npm run bench` share one reference run.
 */
export function runPytorch(threads: number, train: string[], infer: number[]): TorchRun {
  const key = `${threads}|${train}|${infer}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const why = unavailable();
  if (why) {
    const r: TorchRun = { available: false, reason: why };
    cache.set(key, r);
    return r;
  }
  console.error(`pytorch reference: ${threads} thread(s), train ${train.join(',') || '-'}, infer ${infer.join(',') || '-'} ...`);
  const t0 = performance.now();
  const p = spawnSync(PYTHON, [SCRIPT, '--threads', String(threads), '--train', train.join(','), '--infer', infer.join(',')], {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) },
    maxBuffer: 16 << 20,
  });
  let r: TorchRun;
  if (p.status !== 0) {
    r = { available: false, reason: `torch_unet.py failed (exit ${p.status}): ${(p.stderr ?? '').trim().split('\n').at(-1)}` };
  } else {
    const doc = JSON.parse(p.stdout) as { torch: string; threads: number; machine: string; results: Array<TorchTrain | TorchInfer> };
    r = {
      available: true,
      torch: doc.torch,
      threads: doc.threads,
      machine: doc.machine,
      train: doc.results.filter((x): x is TorchTrain => x.kind === 'train'),
      infer: doc.results.filter((x): x is TorchInfer => x.kind === 'infer'),
      seconds: Math.round((performance.now() - t0) / 100) / 10,
    };
  }
  cache.set(key, r);
  return r;
}

/** seglens / PyTorch, rounded; null when there is no reference figure. */
export function ratio(ours: number, theirs: number | undefined): number | null {
  return theirs && theirs > 0 ? Math.round((ours / theirs) * 100) / 100 : null;
}

export const pytorchScript = join('..', 'shared', 'bench', 'torch_unet.py');
