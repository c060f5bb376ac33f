// Gaussian blur of a float image, separable and O(pixels): an exact kernel for the small sigmas of
// an optical point spread function, and three box passes (the classic running-sum approximation)
// for the large sigmas of out-of-focus haze, whose exact kernels would be hundreds of taps wide.
// Edges are replicated, as a microscope field simply continues beyond the sensor.

/** Sigmas up to this use an exact kernel; above it, three box blurs. */
const EXACT_MAX_SIGMA = 3;

export function gaussianBlur(src: Float32Array, width: number, height: number, sigma: number): Float32Array {
  if (!(sigma > 0)) return src.slice();
  if (sigma <= EXACT_MAX_SIGMA) return exactBlur(src, width, height, sigma);
  // Three passes between two buffers (allocating per pass costs more than the blur itself).
  const [r1, r2, r3] = boxSizes(sigma, 3).map((size) => (size - 1) / 2);
  const tmp = new Float32Array(width * height);
  const a = new Float32Array(width * height);
  const b = new Float32Array(width * height);
  boxBlur(src, a, tmp, width, height, r1);
  boxBlur(a, b, tmp, width, height, r2);
  boxBlur(b, a, tmp, width, height, r3);
  return a;
}

function kernel(sigma: number): Float32Array {
  const r = Math.ceil(3 * sigma);
  const k = new Float32Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  return k;
}

function exactBlur(src: Float32Array, w: number, h: number, sigma: number): Float32Array {
  const k = kernel(sigma);
  const r = (k.length - 1) / 2;
  const tmp = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      let acc = 0;
      if (x >= r && x < w - r) {
        // Interior: no clamping, the hot loop of large images.
        const base = row + x - r;
        for (let i = 0; i < k.length; i++) acc += k[i] * src[base + i];
      } else {
        for (let i = -r; i <= r; i++) {
          const xx = x + i < 0 ? 0 : x + i >= w ? w - 1 : x + i;
          acc += k[i + r] * src[row + xx];
        }
      }
      tmp[row + x] = acc;
    }
  }
  // Vertical pass row by row (whole rows at a time) so memory is read in order.
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let i = -r; i <= r; i++) {
      const yy = y + i < 0 ? 0 : y + i >= h ? h - 1 : y + i;
      const kv = k[i + r];
      const srow = yy * w;
      for (let x = 0; x < w; x++) out[row + x] += kv * tmp[srow + x];
    }
  }
  return out;
}

/** Odd box widths whose n-fold convolution has standard deviation close to sigma. */
export function boxSizes(sigma: number, n: number): number[] {
  const ideal = Math.sqrt((12 * sigma * sigma) / n + 1);
  let wl = Math.floor(ideal);
  if (wl % 2 === 0) wl--;
  const wu = wl + 2;
  const m = Math.round((12 * sigma * sigma - n * wl * wl - 4 * n * wl - 3 * n) / (-4 * wl - 4));
  return Array.from({ length: n }, (_, i) => (i < m ? wl : wu));
}

/** Box blur of radius r from `src` into `out`, using `tmp` for the horizontal pass. */
function boxBlur(src: Float32Array, out: Float32Array, tmp: Float32Array, w: number, h: number, r: number): void {
  const norm = 1 / (2 * r + 1);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let acc = 0;
    for (let i = -r; i <= r; i++) acc += src[row + (i < 0 ? 0 : i >= w ? w - 1 : i)];
    for (let x = 0; x < w; x++) {
      tmp[row + x] = acc * norm;
      const add = x + r + 1 >= w ? w - 1 : x + r + 1;
      const sub = x - r < 0 ? 0 : x - r;
      acc += src[row + add] - src[row + sub];
    }
  }
  // Vertical running sums kept for a whole row at once.
  const acc = new Float64Array(w);
  for (let i = -r; i <= r; i++) {
    const srow = (i < 0 ? 0 : i >= h ? h - 1 : i) * w;
    for (let x = 0; x < w; x++) acc[x] += tmp[srow + x];
  }
  for (let y = 0; y < h; y++) {
    const row = y * w;
    const addRow = (y + r + 1 >= h ? h - 1 : y + r + 1) * w;
    const subRow = (y - r < 0 ? 0 : y - r) * w;
    for (let x = 0; x < w; x++) {
      out[row + x] = acc[x] * norm;
      acc[x] += tmp[addRow + x] - tmp[subRow + x];
    }
  }
}
