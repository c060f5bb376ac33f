// The memory-bound kernels of a U-Net training step that tfjs would otherwise run as dozens of
// small ops: batch norm (+ ReLU) forward and backward with batch statistics, batch norm in
// inference, the per-channel sum of a gradient (bias gradients), and max-pool's gradient.
// Layout: NHWC, i.e. `rows` = N*H*W rows of `c` channels.
#pragma once
#include <cstdint>

namespace seglens {

/** y = act(gamma * (x - mean) / sqrt(var + eps) + beta) with the batch's mean and (biased) var. */
void batchNormTrain(int64_t rows, int64_t c, const float* x, const float* gamma, const float* beta, float eps, bool relu, float* y, float* mean,
                    float* var);

/** Gradients of batchNormTrain, through the batch statistics; `y` is its output (ReLU mask). */
void batchNormGrad(int64_t rows, int64_t c, const float* x, const float* y, const float* dy, const float* gamma, const float* mean, const float* var,
                   float eps, bool relu, float* dx, float* dgamma, float* dbeta);

/** y = act(gamma * (x - movingMean) / sqrt(movingVar + eps) + beta). */
void batchNormInfer(int64_t rows, int64_t c, const float* x, const float* gamma, const float* beta, const float* movingMean, const float* movingVar,
                    float eps, bool relu, float* y);

/** out[j] = sum over rows of x[row, j]. */
void sumRows(int64_t rows, int64_t c, const float* x, float* out);

struct PoolShape {
  int64_t n, ih, iw, c, oh, ow, fh, fw, sh, sw, top, left;
};

/** Each window's gradient goes to its first maximum in row-major order (strict >, as tfjs's cpu backend). */
void maxPoolGrad(const PoolShape& s, const float* dy, const float* x, float* dx);

/** rows runs of `run` bytes: run k from src + k*srcStride to dst + k*dstStride (bytes). */
void copyRuns(int64_t rows, int64_t run, const uint8_t* src, int64_t srcStride, uint8_t* dst, int64_t dstStride);

/** One Adam step (tfjs's update with its bias-corrected moments) into new buffers. */
void adamStep(int64_t n, const float* value, const float* m, const float* v, const float* g, double lr, double beta1, double beta2, double eps,
              float oneMinusAccBeta1, float oneMinusAccBeta2, float* newValue, float* newM, float* newV);

}  // namespace seglens
