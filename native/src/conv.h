// 2-D convolutions in TensorFlow.js's layouts (activations NHWC, filters HWIO [kh, kw, in, out])
// through oneDNN: the forward pass, its gradient with respect to the input (also the transposed
// convolution of the U-Net's up path) and with respect to the filter.
#pragma once
#include <cstdint>

namespace seglens {

struct ConvShape {
  int64_t n, ih, iw, ic;  // input
  int64_t oh, ow, oc;     // output
  int64_t kh, kw;         // filter
  int64_t sh, sw;         // strides
  int64_t dh, dw;         // dilations (1 = none, as in tfjs)
  int64_t pt, pl, pb, pr; // padding top, left, bottom, right
};

enum class Activation : int { kLinear = 0, kRelu = 1, kRelu6 = 2, kLeakyRelu = 3, kSigmoid = 4, kElu = 5 };

void convForward(const ConvShape& s, const float* x, const float* w, const float* bias, float* y, Activation act, float alpha);
void convBackwardData(const ConvShape& s, const float* dy, const float* w, float* dx);
void convBackwardWeights(const ConvShape& s, const float* x, const float* dy, float* dw);

/** The oneDNN implementation each kind of call would use for this shape (for reports and tests). */
const char* convImplementation(const ConvShape& s, int kind);

/** Primitives cached, and bytes held by the cache's own buffers (reordered weights). */
struct CacheStats {
  int64_t primitives;
  int64_t bytes;
};
CacheStats convCacheStats();
void convCacheClear();

}  // namespace seglens
