// Data-layer throughput on 1024 x 1024 masks (the Drosophila set): `inspect` (decode image + mask,
// map values, check interpolation) and `eval` (decode two masks, map, count), with the same eval
// counting done by numpy + PIL for comparison (Debian's /usr/bin/python3 with python3-numpy/-pil).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readClassTable } from '../src/seg/class-table-file.ts';
import { evaluateFolders, inspectDataset, openDataset } from '../src/seg/dataset/index.ts';
import type { Benchmark } from './main.ts';

const REPO = resolve(fileURLToPath(new URL('..', import.meta.url)));
const DATA = resolve(REPO, '..', 'shared', 'data', 'drosophila-vnc');
const TABLE = join(REPO, 'assets', 'class-tables', 'drosophila-vnc.json');
const REPEATS = 3;

async function best<T>(f: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  let seconds = Infinity;
  let value!: T;
  for (let i = 0; i < REPEATS; i++) {
    const t0 = performance.now();
    value = await f();
    seconds = Math.min(seconds, (performance.now() - t0) / 1000);
  }
  return { seconds, value };
}

function numpyReference(gt: string, pred: string): { seconds: number; numpy: string } | { skipped: string } {
  const py = '/usr/bin/python3';
  try {
    execFileSync(py, ['-c', 'import numpy, PIL'], { stdio: 'ignore' });
  } catch {
    return { skipped: 'Debian python3 with numpy and PIL is not installed (apt-get install python3-numpy python3-pil)' };
  }
  const out = execFileSync(py, [join(REPO, 'bench', 'reference', 'eval_numpy.py'), TABLE, gt, pred, String(REPEATS)], { encoding: 'utf8' });
  return JSON.parse(out);
}

export const segBenchmark: Benchmark = {
  name: 'seg-io-metrics',
  description: 'inspect and eval throughput on 1024x1024 masks, eval against numpy + PIL',
  async run() {
    if (!existsSync(DATA)) return { skipped: `${DATA} is absent` };
    const table = await readClassTable(TABLE);
    const ds = await openDataset(DATA, { classes: table, pairing: 'sorted' });
    const inspect = await best(() => inspectDataset(ds));
    const n = inspect.value.pairs.length;

    const masks = (await readdir(join(DATA, 'masks'))).sort();
    const pred = await mkdtemp(join(tmpdir(), 'seglens-bench-'));
    for (let i = 0; i < masks.length; i++) await copyFile(join(DATA, 'masks', masks[(i + 1) % masks.length]), join(pred, masks[i]));
    const ev = await best(() => evaluateFolders({ gtDir: join(DATA, 'masks'), predDir: pred, table, pair: 'sorted' }));
    const ref = numpyReference(join(DATA, 'masks'), pred);
    await rm(pred, { recursive: true, force: true });
    return {
      images: n,
      size: '1024x1024',
      inspect: { seconds: inspect.seconds, pairsPerSecond: n / inspect.seconds },
      eval: { seconds: ev.seconds, pairsPerSecond: n / ev.seconds, meanForegroundDice: ev.value.result.meanForegroundDice },
      numpyPil: 'seconds' in ref ? { ...ref, pairsPerSecond: n / ref.seconds, seglensSpeedup: ref.seconds / ev.seconds } : ref,
    };
  },
};
