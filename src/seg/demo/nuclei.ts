// A synthetic widefield fluorescence image of DAPI-stained nuclei, with its exact ground truth.
// The image is made the way a microscope makes one: stained DNA (textured nuclei with bright
// chromocentres and darker nucleoli), blurred by the optics (Gaussian PSF) plus out-of-focus haze,
// under uneven illumination (vignette and gradient), counted as photons (Poisson shot noise) and
// read out by a camera with an offset and Gaussian read noise into 16 bits. Intensities occupy a
// realistic part of the 16-bit range (offset 100-500, nuclei a few thousand above it), so the
// percentile normalisation of the pipeline is exercised as it is by real data.
import { gaussianBlur } from './blur.ts';
import { layoutNuclei, type Nucleus } from './layout.ts';
import { labelsFromInstances, rasterInstances } from './raster.ts';
import { cameraSource, intBetween, logUniform, pixelRng, standardize, uniform, whiteNoise, type Rng } from './random.ts';

/** Every option left out is drawn from `rng` within a realistic range; see `resolveSceneParams`. */
export interface NucleiSceneOptions {
  width?: number;
  height?: number;
  /** Semi-major axis range of a nucleus in pixels. Default [9, 16]. */
  radius?: [number, number];
  /** Fraction of the field covered by nuclei. Drawn in 0.16..0.30. */
  coverage?: number;
  /** Probability that a nucleus is placed touching another. Drawn in 0.30..0.50. */
  clustering?: number;
  /** Camera counts (ADU) above the offset for a nucleus of brightness 1. Drawn log-uniformly in 2000..16000. */
  peak?: number;
  /** Camera offset (ADU): the value of a dark pixel. Drawn in 100..500. */
  offset?: number;
  /** ADU per photo-electron; larger = fewer photons for the same brightness = more shot noise. Drawn in 3..10. */
  gain?: number;
  /** Gaussian read noise (ADU, standard deviation). Drawn in 2..8. */
  readNoise?: number;
  /** Point spread function sigma in pixels. Drawn in 1.0..1.8. */
  psfSigma?: number;
  /** Autofluorescence background as a fraction of `peak`. Drawn in 0.05..0.12. */
  background?: number;
  /** Out-of-focus light, as a fraction of the in-focus signal spread widely. Drawn in 0.08..0.20. */
  haze?: number;
  /** Illumination fall-off at the far corners (0 = flat). Drawn in 0.15..0.40. */
  vignette?: number;
  /** Linear illumination gradient across x and y (relative change over the field). Drawn in -0.3..0.3. */
  gradient?: [number, number];
  /** Brightest point of the illumination, as fractions of width and height. Drawn in 0.3..0.7. */
  illuminationCentre?: [number, number];
  /** Strength of the chromatin texture (1 = typical). Drawn in 0.7..1.3. */
  texture?: number;
}

export type NucleiSceneParams = Required<NucleiSceneOptions>;

export interface NucleiScene {
  width: number;
  height: number;
  /** The 16-bit camera image, row-major. */
  image: Uint16Array;
  /** Instance map: 0 background, else the id of the nucleus (index + 1 in `nuclei`). */
  instances: Uint16Array;
  /** 0 background, 1 nucleus, 2 boundary (nucleus pixels 4-touching another nucleus). */
  labels: Uint8Array;
  nuclei: Nucleus[];
  params: NucleiSceneParams;
}

/**
 * Fills in the options. Every random parameter is drawn whether given or not, so giving one option
 * does not change the others (or the layout) for the same generator.
 */
export function resolveSceneParams(o: NucleiSceneOptions, rng: Rng): NucleiSceneParams {
  const drawn: NucleiSceneParams = {
    width: 256,
    height: 256,
    radius: [9, 16],
    coverage: uniform(rng, 0.16, 0.3),
    clustering: uniform(rng, 0.3, 0.5),
    peak: logUniform(rng, 2000, 16000),
    offset: intBetween(rng, 100, 500),
    gain: uniform(rng, 3, 10),
    readNoise: uniform(rng, 2, 8),
    psfSigma: uniform(rng, 1.0, 1.8),
    background: uniform(rng, 0.05, 0.12),
    haze: uniform(rng, 0.08, 0.2),
    vignette: uniform(rng, 0.15, 0.4),
    gradient: [uniform(rng, -0.3, 0.3), uniform(rng, -0.3, 0.3)],
    illuminationCentre: [uniform(rng, 0.3, 0.7), uniform(rng, 0.3, 0.7)],
    texture: uniform(rng, 0.7, 1.3),
  };
  const given = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  const p = { ...drawn, ...given } as NucleiSceneParams;
  if (!Number.isInteger(p.width) || !Number.isInteger(p.height) || p.width < 1 || p.height < 1) {
    throw new RangeError(`scene size must be positive integers, got ${p.width}x${p.height}`);
  }
  return p;
}

export function renderNucleiScene(opts: NucleiSceneOptions, rng: Rng): NucleiScene {
  const p = resolveSceneParams(opts, rng);
  const { width: w, height: h } = p;
  const nuclei = layoutNuclei({ width: w, height: h, radius: p.radius, coverage: p.coverage, clustering: p.clustering }, rng);
  const stain = new Float32Array(w * h);
  const instances = rasterInstances(nuclei, w, h, (n, i, d) => (stain[i] += n.brightness * (0.8 + 0.2 * (1 - d * d))));
  const labels = labelsFromInstances(instances, w, h);
  addChromatin(stain, nuclei, w, h, rng);
  const image = photograph(stain, p, pixelRng(rng));
  return { width: w, height: h, image, instances, labels, nuclei, params: p };
}

/**
 * The stain is a slightly domed plateau per nucleus (painted with the instance map; overlapping
 * nuclei add up, as stacked DNA does). This adds chromocentres (small bright foci) and nucleoli
 * (dark holes).
 */
function addChromatin(stain: Float32Array, nuclei: Nucleus[], w: number, h: number, rng: Rng): void {
  for (const n of nuclei) {
    const b = n.brightness;
    const spots = n.condensed ? 0 : intBetween(rng, 0, 6);
    for (let s = 0; s < spots; s++) disc(stain, w, h, pointIn(n, rng, 0.75), uniform(rng, 0.8, 1.8), b * uniform(rng, 0.3, 0.7));
    const holes = n.condensed ? 0 : intBetween(rng, 0, 2);
    for (let s = 0; s < holes; s++) disc(stain, w, h, pointIn(n, rng, 0.55), uniform(rng, 1.5, 3), -0.35 * b);
  }
  for (let i = 0; i < stain.length; i++) if (stain[i] < 0) stain[i] = 0;
}

/** A random point inside the ellipse of `n`, at most `reach` of the way to its outline. */
export function pointIn(n: Nucleus, rng: Rng, reach: number): [number, number] {
  const rho = reach * Math.sqrt(rng());
  const t = uniform(rng, 0, 2 * Math.PI);
  const u = rho * Math.cos(t) * n.a;
  const v = rho * Math.sin(t) * n.b;
  return [n.cx + u * Math.cos(n.angle) - v * Math.sin(n.angle), n.cy + u * Math.sin(n.angle) + v * Math.cos(n.angle)];
}

export function disc(f: Float32Array, w: number, h: number, [cx, cy]: [number, number], r: number, add: number): void {
  for (let y = Math.max(0, Math.floor(cy - r)); y <= Math.min(h - 1, Math.ceil(cy + r)); y++) {
    for (let x = Math.max(0, Math.floor(cx - r)); x <= Math.min(w - 1, Math.ceil(cx + r)); x++) {
      const dx = x + 0.5 - cx;
      const dy = y + 0.5 - cy;
      if (dx * dx + dy * dy <= r * r) f[y * w + x] += add;
    }
  }
}

/** Optics, illumination and camera: stain density -> 16-bit counts. */
export function photograph(stain: Float32Array, p: NucleiSceneParams, rng: Rng): Uint16Array {
  const { width: w, height: h } = p;
  const n = w * h;
  // Chromatin texture: fine grain and coarser patches, multiplying the stain where there is some.
  const fine = standardize(gaussianBlur(whiteNoise(rng, n), w, h, 1.1));
  const coarse = standardize(gaussianBlur(whiteNoise(rng, n), w, h, 3.5));
  for (let i = 0; i < n; i++) {
    if (stain[i] === 0) continue;
    const t = 1 + p.texture * (0.16 * fine[i] + 0.12 * coarse[i]);
    stain[i] *= t < 0.2 ? 0.2 : t;
  }
  const focused = gaussianBlur(stain, w, h, p.psfSigma);
  // Out-of-focus light from the planes above and below: the same stain, spread over ~a nucleus.
  const haze = gaussianBlur(stain, w, h, 8);
  // Autofluorescence of the tissue around the nuclei: smooth, patchy, never negative.
  const tissue = standardize(gaussianBlur(whiteNoise(rng, n), w, h, 10));
  const camera = cameraSource(rng, p.gain, p.readNoise);
  const out = new Uint16Array(n);
  const [gx, gy] = p.gradient;
  const [icx, icy] = p.illuminationCentre;
  const far = Math.max(icx, 1 - icx) ** 2 + Math.max(icy, 1 - icy) ** 2;
  for (let y = 0; y < h; y++) {
    const fy = (y + 0.5) / h;
    for (let x = 0; x < w; x++) {
      const fx = (x + 0.5) / w;
      const i = y * w + x;
      const r2 = ((fx - icx) ** 2 + (fy - icy) ** 2) / far;
      const illum = Math.max(0.2, (1 - p.vignette * r2) * (1 + gx * (fx - 0.5) + gy * (fy - 0.5)));
      const bg = p.background * Math.max(0.2, 1 + 0.35 * tissue[i]);
      const adu = p.peak * illum * (focused[i] + p.haze * haze[i] + bg);
      const v = Math.round(p.offset + camera(adu));
      out[i] = v < 0 ? 0 : v > 65535 ? 65535 : v;
    }
  }
  return out;
}
