#include "elementwise.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace seglens {
namespace {

// Below this many elements a parallel region costs more than it saves.
constexpr int64_t kParallelMin = 1 << 15;

int threadsFor(int64_t elements) { return elements < kParallelMin ? 1 : omp_get_max_threads(); }

// Rows are summed in float within blocks of this many rows (vectorisable across channels), and
// the block sums in double, which keeps a 10^6-row sum accurate to float precision.
constexpr int64_t kBlock = 64;

/**
 * Per-channel sums over rows of f(row, channel) for two functions at once, split across threads;
 * results in double. F is called as f(rowPtrOffset, j, &a, &b).
 */
template <typename F>
void channelSums2(int64_t rows, int64_t c, F f, std::vector<double>& s1, std::vector<double>& s2) {
  int nt = threadsFor(rows * c);
  std::vector<double> part(static_cast<size_t>(2 * nt * c), 0.0);
#pragma omp parallel num_threads(nt)
  {
    int t = omp_get_thread_num();
    int n = omp_get_num_threads();
    int64_t r0 = rows * t / n, r1 = rows * (t + 1) / n;
    double* p1 = &part[static_cast<size_t>(2 * t * c)];
    double* p2 = p1 + c;
    std::vector<float> b1(static_cast<size_t>(c)), b2(static_cast<size_t>(c));
    for (int64_t r = r0; r < r1; r += kBlock) {
      std::fill(b1.begin(), b1.end(), 0.f);
      std::fill(b2.begin(), b2.end(), 0.f);
      int64_t end = std::min(r1, r + kBlock);
      for (int64_t i = r; i < end; i++) {
        float* a = b1.data();
        float* b = b2.data();
        f(i * c, a, b);
      }
      for (int64_t j = 0; j < c; j++) {
        p1[j] += b1[static_cast<size_t>(j)];
        p2[j] += b2[static_cast<size_t>(j)];
      }
    }
  }
  s1.assign(static_cast<size_t>(c), 0.0);
  s2.assign(static_cast<size_t>(c), 0.0);
  for (int t = 0; t < nt; t++) {
    for (int64_t j = 0; j < c; j++) {
      s1[static_cast<size_t>(j)] += part[static_cast<size_t>(2 * t * c + j)];
      s2[static_cast<size_t>(j)] += part[static_cast<size_t>(2 * t * c + c + j)];
    }
  }
}

/** y[i] = act(a[j] * x[i] + b[j]) for every row. */
void affine(int64_t rows, int64_t c, const float* x, const float* a, const float* b, bool relu, float* y) {
  int64_t total = rows * c;
#pragma omp parallel for num_threads(threadsFor(total)) schedule(static)
  for (int64_t r = 0; r < rows; r++) {
    const float* xr = x + r * c;
    float* yr = y + r * c;
    if (relu) {
#pragma omp simd
      for (int64_t j = 0; j < c; j++) yr[j] = std::max(a[j] * xr[j] + b[j], 0.f);
    } else {
#pragma omp simd
      for (int64_t j = 0; j < c; j++) yr[j] = a[j] * xr[j] + b[j];
    }
  }
}

}  // namespace

void batchNormTrain(int64_t rows, int64_t c, const float* x, const float* gamma, const float* beta, float eps, bool relu, float* y, float* mean,
                    float* var) {
  // Shifted sums (shift = the first row) keep the variance accurate when the mean is large
  // compared with the spread.
  std::vector<float> shift(x, x + c);
  const float* k = shift.data();
  std::vector<double> s1, s2;
  channelSums2(
      rows, c,
      [&](int64_t off, float* a, float* b) {
        const float* xr = x + off;
#pragma omp simd
        for (int64_t j = 0; j < c; j++) {
          float d = xr[j] - k[j];
          a[j] += d;
          b[j] += d * d;
        }
      },
      s1, s2);
  std::vector<float> a(static_cast<size_t>(c)), b(static_cast<size_t>(c));
  double n = static_cast<double>(rows);
  for (int64_t j = 0; j < c; j++) {
    size_t u = static_cast<size_t>(j);
    double dm = s1[u] / n;
    double v = std::max(s2[u] / n - dm * dm, 0.0);
    mean[j] = static_cast<float>(k[j] + dm);
    var[j] = static_cast<float>(v);
    float inv = 1.f / std::sqrt(var[j] + eps);
    a[u] = gamma[j] * inv;
    b[u] = beta[j] - mean[j] * a[u];
  }
  affine(rows, c, x, a.data(), b.data(), relu, y);
}

namespace {

/** The ReLU mask as a select (no branch), so both passes vectorise. */
template <bool kRelu>
inline float masked(float y, float dy) {
  return kRelu ? (y > 0.f ? dy : 0.f) : dy;
}

template <bool kRelu>
void batchNormGradImpl(int64_t rows, int64_t c, const float* __restrict x, const float* __restrict y, const float* __restrict dy,
                       const float* gamma, const float* meanIn, const float* var, float eps, float* __restrict dx, float* dgamma, float* dbeta) {
  std::vector<float> meanCopy(meanIn, meanIn + c);
  const float* __restrict mean = meanCopy.data();
  std::vector<double> sg, sgx;
  channelSums2(
      rows, c,
      [&](int64_t off, float* __restrict a, float* __restrict b) {
        const float* __restrict xr = x + off;
        const float* __restrict yr = y + off;
        const float* __restrict dr = dy + off;
#pragma omp simd
        for (int64_t j = 0; j < c; j++) {
          float g = masked<kRelu>(yr[j], dr[j]);
          a[j] += g;
          b[j] += g * (xr[j] - mean[j]);
        }
      },
      sg, sgx);
  std::vector<float> ka(static_cast<size_t>(c)), kb(static_cast<size_t>(c)), kc(static_cast<size_t>(c));
  double n = static_cast<double>(rows);
  for (int64_t j = 0; j < c; j++) {
    size_t u = static_cast<size_t>(j);
    double inv = 1.0 / std::sqrt(static_cast<double>(var[j]) + eps);
    dbeta[j] = static_cast<float>(sg[u]);
    dgamma[j] = static_cast<float>(sgx[u] * inv);
    // dx = gamma*inv*(g - sg/n - (x-mean)*inv^2*sgx/n) = ka*g + kb*x + kc
    double ga = gamma[j] * inv;
    double gb = -gamma[j] * inv * inv * inv * sgx[u] / n;
    ka[u] = static_cast<float>(ga);
    kb[u] = static_cast<float>(gb);
    kc[u] = static_cast<float>(-ga * sg[u] / n - gb * mean[j]);
  }
  const float* __restrict pa = ka.data();
  const float* __restrict pb = kb.data();
  const float* __restrict pc = kc.data();
#pragma omp parallel for num_threads(threadsFor(rows * c)) schedule(static)
  for (int64_t r = 0; r < rows; r++) {
    const float* __restrict xr = x + r * c;
    const float* __restrict yr = y + r * c;
    const float* __restrict dr = dy + r * c;
    float* __restrict o = dx + r * c;
#pragma omp simd
    for (int64_t j = 0; j < c; j++) o[j] = pa[j] * masked<kRelu>(yr[j], dr[j]) + pb[j] * xr[j] + pc[j];
  }
}

}  // namespace

void batchNormGrad(int64_t rows, int64_t c, const float* x, const float* y, const float* dy, const float* gamma, const float* mean, const float* var,
                   float eps, bool relu, float* dx, float* dgamma, float* dbeta) {
  if (relu) batchNormGradImpl<true>(rows, c, x, y, dy, gamma, mean, var, eps, dx, dgamma, dbeta);
  else batchNormGradImpl<false>(rows, c, x, y, dy, gamma, mean, var, eps, dx, dgamma, dbeta);
}

void batchNormInfer(int64_t rows, int64_t c, const float* x, const float* gamma, const float* beta, const float* movingMean, const float* movingVar,
                    float eps, bool relu, float* y) {
  std::vector<float> a(static_cast<size_t>(c)), b(static_cast<size_t>(c));
  for (int64_t j = 0; j < c; j++) {
    size_t u = static_cast<size_t>(j);
    float inv = 1.f / std::sqrt(movingVar[j] + eps);
    a[u] = gamma[j] * inv;
    b[u] = beta[j] - movingMean[j] * a[u];
  }
  affine(rows, c, x, a.data(), b.data(), relu, y);
}

void sumRows(int64_t rows, int64_t c, const float* x, float* out) {
  std::vector<double> s, unused;
  channelSums2(
      rows, c,
      [&](int64_t off, float* a, float*) {
        const float* xr = x + off;
#pragma omp simd
        for (int64_t j = 0; j < c; j++) a[j] += xr[j];
      },
      s, unused);
  for (int64_t j = 0; j < c; j++) out[j] = static_cast<float>(s[static_cast<size_t>(j)]);
}

namespace {

// Hot loops that gain from wider vectors than the x86-64 baseline get an AVX2 clone chosen at
// load time (GCC on Linux); elsewhere they compile once for the baseline.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define SEGLENS_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define SEGLENS_CLONES
#endif

/** The gradient of one output row of non-overlapping windows (see maxPoolGradTiled). */
SEGLENS_CLONES void maxPoolGradRow(const PoolShape& s, int64_t b, int64_t i, const float* __restrict dy, const float* __restrict x, float* __restrict dx,
                                   float* __restrict bp, int32_t* __restrict wp) {
  const int64_t c = s.c;
  const int64_t r0 = i * s.sh - s.top;
  for (int64_t jo = 0; jo < s.ow; jo++) {
    const int64_t c0 = jo * s.sw - s.left;
    for (int64_t k = 0; k < c; k++) {
      bp[k] = -INFINITY;
      wp[k] = -1;
    }
    const int64_t rLo = std::max<int64_t>(0, r0), rHi = std::min(s.ih, r0 + s.fh);
    const int64_t qLo = std::max<int64_t>(0, c0), qHi = std::min(s.iw, c0 + s.fw);
    int32_t cell = 0;
    for (int64_t r = rLo; r < rHi; r++) {
      for (int64_t q = qLo; q < qHi; q++, cell++) {
        const float* __restrict xp = x + ((b * s.ih + r) * s.iw + q) * c;
#pragma omp simd
        for (int64_t k = 0; k < c; k++) {
          const bool more = xp[k] > bp[k];
          bp[k] = more ? xp[k] : bp[k];
          wp[k] = more ? cell : wp[k];
        }
      }
    }
    const float* __restrict g = dy + ((b * s.oh + i) * s.ow + jo) * c;
    const int64_t width = qHi - qLo;
    for (int64_t k = 0; k < c; k++) {
      if (wp[k] < 0) continue;
      const int64_t r = rLo + wp[k] / width, q = qLo + wp[k] % width;
      dx[((b * s.ih + r) * s.iw + q) * c + k] = g[k];
    }
  }
}

/**
 * Windows that tile the input without overlap (the U-Net's 2x2 stride 2): each output row owns
 * its input rows, so rows run in parallel, and channels are the vectorised inner loop.
 */
void maxPoolGradTiled(const PoolShape& s, const float* dy, const float* x, float* dx) {
  const int64_t c = s.c;
#pragma omp parallel num_threads(threadsFor(s.n * s.ih * s.iw * c))
  {
    // Cells that no window covers (the last rows and columns under 'valid') stay zero.
#pragma omp for schedule(static)
    for (int64_t r = 0; r < s.n * s.ih; r++) std::memset(dx + r * s.iw * c, 0, static_cast<size_t>(s.iw * c) * sizeof(float));
    std::vector<float> best(static_cast<size_t>(c));
    std::vector<int32_t> where(static_cast<size_t>(c));  // window cell index, -1 = none
#pragma omp for schedule(static)
    for (int64_t u = 0; u < s.n * s.oh; u++) maxPoolGradRow(s, u / s.oh, u % s.oh, dy, x, dx, best.data(), where.data());
  }
}

}  // namespace

void maxPoolGrad(const PoolShape& s, const float* dy, const float* x, float* dx) {
  const int64_t c = s.c;
  if (s.fh <= s.sh && s.fw <= s.sw) {
    maxPoolGradTiled(s, dy, x, dx);
    return;
  }
  std::memset(dx, 0, static_cast<size_t>(s.n * s.ih * s.iw * c) * sizeof(float));
  // Overlapping windows add into the same dx cells: only images run in parallel.
#pragma omp parallel num_threads(threadsFor(s.n * s.ih * s.iw * c))
  {
    std::vector<float> best(static_cast<size_t>(c));
    std::vector<int64_t> where(static_cast<size_t>(c));
#pragma omp for schedule(static)
    for (int64_t b = 0; b < s.n; b++) {
      for (int64_t i = 0; i < s.oh; i++) {
        int64_t r0 = i * s.sh - s.top;
        for (int64_t jo = 0; jo < s.ow; jo++) {
          int64_t c0 = jo * s.sw - s.left;
          std::fill(best.begin(), best.end(), -INFINITY);
          std::fill(where.begin(), where.end(), -1);
          for (int64_t r = std::max<int64_t>(0, r0); r < std::min(s.ih, r0 + s.fh); r++) {
            for (int64_t q = std::max<int64_t>(0, c0); q < std::min(s.iw, c0 + s.fw); q++) {
              int64_t p = ((b * s.ih + r) * s.iw + q) * c;
              const float* xp = x + p;
              for (int64_t k = 0; k < c; k++) {
                if (xp[k] > best[static_cast<size_t>(k)]) {
                  best[static_cast<size_t>(k)] = xp[k];
                  where[static_cast<size_t>(k)] = p;
                }
              }
            }
          }
          const float* g = dy + ((b * s.oh + i) * s.ow + jo) * c;
          for (int64_t k = 0; k < c; k++) {
            int64_t w = where[static_cast<size_t>(k)];
            if (w >= 0) dx[w + k] += g[k];
          }
        }
      }
    }
  }
}

void copyRuns(int64_t rows, int64_t run, const uint8_t* src, int64_t srcStride, uint8_t* dst, int64_t dstStride) {
#pragma omp parallel for num_threads(threadsFor(rows * run / 4)) schedule(static)
  for (int64_t k = 0; k < rows; k++) std::memcpy(dst + k * dstStride, src + k * srcStride, static_cast<size_t>(run));
}

void adamStep(int64_t n, const float* value, const float* m, const float* v, const float* g, double lr, double beta1, double beta2, double eps,
              float oneMinusAccBeta1, float oneMinusAccBeta2, float* newValue, float* newM, float* newV) {
  // Constants rounded to float32 from double, as tfjs turns its JS numbers (1 - beta1, ...) into
  // float32 scalars; then the same float32 operations in the same order.
  const float b1 = static_cast<float>(beta1), c1 = static_cast<float>(1.0 - beta1);
  const float b2 = static_cast<float>(beta2), c2 = static_cast<float>(1.0 - beta2);
  const float e = static_cast<float>(eps), step = static_cast<float>(-lr);
#pragma omp parallel for simd num_threads(threadsFor(n)) schedule(static)
  for (int64_t i = 0; i < n; i++) {
    float mi = m[i] * b1 + g[i] * c1;
    float vi = v[i] * b2 + (g[i] * g[i]) * c2;
    newM[i] = mi;
    newV[i] = vi;
    newValue[i] = (mi / oneMinusAccBeta1) / (std::sqrt(vi / oneMinusAccBeta2) + e) * step + value[i];
  }
}

}  // namespace seglens
