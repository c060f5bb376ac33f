// The one source of randomness of the data pipeline (sampling and augmentation). It is seeded,
// and its whole state is a small JSON object: a checkpoint stores rng.state() and a resumed run
// continues with Rng.fromState(...), drawing exactly the numbers the uninterrupted run would have.
// Alea (seedrandom's port of Baagøe's generator): fast, and its state is four numbers.
import seedrandom from 'seedrandom';
import { z } from 'zod';
import { parseOrThrow } from '../../seg/validate.ts';

export const RngStateSchema = z.object({
  algorithm: z.literal('alea'),
  c: z.number(),
  s0: z.number(),
  s1: z.number(),
  s2: z.number(),
});
export type RngState = z.infer<typeof RngStateSchema>;

export class Rng {
  private prng: seedrandom.StatefulPRNG<seedrandom.State.Alea>;

  private constructor(prng: seedrandom.StatefulPRNG<seedrandom.State.Alea>) {
    this.prng = prng;
  }

  static fromSeed(seed: number | string): Rng {
    return new Rng(seedrandom.alea(String(seed), { state: true }));
  }

  /** Continues a generator saved with state(); `source` names the checkpoint in errors. */
  static fromState(state: unknown, source = 'RNG state'): Rng {
    const s = parseOrThrow(RngStateSchema, state, source);
    return new Rng(seedrandom.alea('', { state: { c: s.c, s0: s.s0, s1: s.s1, s2: s.s2 } }));
  }

  /** A JSON-safe copy of the current state. */
  state(): RngState {
    const s = this.prng.state();
    return { algorithm: 'alea', c: s.c, s0: s.s0, s1: s.s1, s2: s.s2 };
  }

  /** Rewinds (or forwards) this generator to a saved state. */
  restore(state: RngState): void {
    this.prng = Rng.fromState(state).prng;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.prng();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.min(n - 1, Math.floor(this.prng() * n));
  }

  /** Uniform in [a, b). */
  uniform(a: number, b: number): number {
    return a + (b - a) * this.prng();
  }

  bool(p = 0.5): boolean {
    return this.prng() < p;
  }

  /** Standard normal (Box-Muller; no cached second value, so the state stays four numbers). */
  normal(): number {
    const u = 1 - this.prng(); // (0, 1]: log(0) is avoided
    const v = this.prng();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Index i drawn with probability proportional to cumulative[i] - cumulative[i-1]. */
  pickCumulative(cumulative: ArrayLike<number>): number {
    const total = cumulative[cumulative.length - 1];
    const r = this.prng() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] > r) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
