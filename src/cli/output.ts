// Terminal output shared by the commands: JSON on stdout for --json, progress bars on stderr (only
// when stderr is a terminal, so pipes and CI logs stay clean).
import cliProgress from 'cli-progress';
import { InvalidArgumentError } from 'commander';
import { toJSONSafe } from '../seg/metrics/json.ts';

export function printJson(value: unknown): void {
  // NaN is not JSON: metrics turn it into null (and say so in their policy), never 0.
  process.stdout.write(JSON.stringify(toJSONSafe(value), null, 2) + '\n');
}

export interface Progress {
  update(done: number, total: number, label?: string): void;
  stop(): void;
}

export function progressBar(title: string, enabled = true): Progress {
  if (!enabled || !process.stderr.isTTY) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    { format: `${title} [{bar}] {value}/{total} {label} | ETA {eta_formatted}`, stream: process.stderr, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total, label = '') {
      if (!started) {
        bar.start(total, done, { label });
        started = true;
      } else bar.update(done, { label });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

/** Parse a number option, naming the option in the error. */
export function numberOption(name: string, min?: number, max?: number): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isFinite(n) || (min !== undefined && n < min) || (max !== undefined && n > max)) {
      const range = min !== undefined && max !== undefined ? ` between ${min} and ${max}` : min !== undefined ? ` of at least ${min}` : '';
      throw new InvalidArgumentError(`${name} takes a number${range}, not "${v}".`);
    }
    return n;
  };
}
