// Random draws for the synthetic scene. Everything starts from a seedrandom generator; the
// per-pixel noise (millions of draws) runs on seedrandom's Alea, seeded from the caller's
// generator, because it is several times faster than the default ARC4 and just as repeatable.
import seedrandom from 'seedrandom';

/** A source of uniform numbers in [0, 1), e.g. `seedrandom('1')`. */
export type Rng = () => number;

/** A fast generator for per-pixel noise, derived deterministically from `rng`. */
export function pixelRng(rng: Rng): Rng {
  return seedrandom.alea(`${rng()}:${rng()}`);
}

export function uniform(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng();
}

/** Log-uniform: every factor of the range equally likely (e.g. peak brightness 2000..20000). */
export function logUniform(rng: Rng, lo: number, hi: number): number {
  return Math.exp(uniform(rng, Math.log(lo), Math.log(hi)));
}

export function intBetween(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

/** Standard normal draws (Box-Muller; the second value of each pair is kept for the next call). */
export function normalSource(rng: Rng): () => number {
  let spare = NaN;
  return () => {
    if (!Number.isNaN(spare)) {
      const s = spare;
      spare = NaN;
      return s;
    }
    const u = 1 - rng(); // in (0, 1], so the log is finite
    const r = Math.sqrt(-2 * Math.log(u));
    const t = 2 * Math.PI * rng();
    spare = r * Math.sin(t);
    return r * Math.cos(t);
  };
}

/**
 * Poisson draws: Knuth's product method for small means, a rounded normal above (photon counts in
 * a fluorescence image are mostly in the hundreds, where the two are indistinguishable).
 */
export function poissonSource(rng: Rng, normal: () => number): (mean: number) => number {
  return (mean) => {
    if (!(mean > 0)) return 0;
    if (mean < 15) {
      const limit = Math.exp(-mean);
      let k = 0;
      let p = rng();
      while (p > limit) {
        k++;
        p *= rng();
      }
      return k;
    }
    const v = Math.round(mean + Math.sqrt(mean) * normal());
    return v < 0 ? 0 : v;
  };
}

/**
 * A camera read-out: expected signal (ADU above the offset) -> a noisy ADU value. The signal arrives
 * as photo-electrons (Poisson, mean adu / gain), each worth `gain` ADU, plus Gaussian read noise.
 * Above a dozen electrons the sum is Gaussian with variance gain * adu + readNoise^2, drawn in one
 * go (the per-pixel loop of a 4096 x 4096 scene is dominated by these draws).
 */
export function cameraSource(rng: Rng, gain: number, readNoise: number): (adu: number) => number {
  const normal = normalSource(rng);
  const poisson = poissonSource(rng, normal);
  const read2 = readNoise * readNoise;
  return (adu) => {
    const mean = adu / gain;
    if (mean < 15) return poisson(mean) * gain + readNoise * normal();
    return adu + Math.sqrt(gain * adu + read2) * normal();
  };
}

/** Zero-mean white noise with unit variance (uniform; it becomes Gaussian once blurred). */
export function whiteNoise(rng: Rng, n: number): Float32Array {
  const out = new Float32Array(n);
  const s = Math.sqrt(12);
  for (let i = 0; i < n; i++) out[i] = (rng() - 0.5) * s;
  return out;
}

/** Rescales a field in place to mean 0 and standard deviation 1 (a flat field stays 0). */
export function standardize(f: Float32Array): Float32Array {
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < f.length; i++) {
    sum += f[i];
    sq += f[i] * f[i];
  }
  const mean = sum / f.length;
  const sd = Math.sqrt(Math.max(0, sq / f.length - mean * mean));
  const inv = sd > 0 ? 1 / sd : 0;
  for (let i = 0; i < f.length; i++) f[i] = (f[i] - mean) * inv;
  return f;
}
